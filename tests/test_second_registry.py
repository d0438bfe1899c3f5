"""A second policy end to end, with no code edits: its registry file (tests/fixtures/demo-2021/registry.yaml, a
fictional plan launched in 2021 with targets for 2025, data from 2016, and 吨/万吨 units of its own), a bureau
workbook made from its template, then `build`, `assess` and `report` through the command line.

What must hold: every year shown comes from that registry (the template's columns, the data gaps, the briefing's
vintages, the chart and summary titles), never from the reference policy (2013, 2018, 2022); a row written in 吨 is
converted to the registry's 万吨; targets with enough values get P(meet), the others say why not.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from qanalysis import cli
from qanalysis.assessment import retrospective
from qanalysis.ingest.processed import conform, read_indicators
from qanalysis.ingest.template import MARKER_SHEET, write_template
from qanalysis.registry import load_registry
from qanalysis.report import overview
from qanalysis.report.explore import widget

REGISTRY = Path(__file__).parent / "fixtures" / "demo-2021" / "registry.yaml"
SOURCES = ("id,title,publisher,address,accessed,quote,note\n"
           "S01,示例市生态环境状况公报,示例市生态环境局,https://example.org/env,,,fictional\n"
           "S02,示例市环境统计年报,示例市统计局,https://example.org/stats,,,fictional\n")
SECTIONS = ["一、大气环境", "二、资源循环", "三、生态建设"]  # the registry's sections, each its own template sheet
# What the bureau wrote, year -> value, in the unit of the row (the waste row in 吨, not the registry's 万吨).
PM25 = {2016: 45, 2017: 42, 2018: 39, 2019: 36, 2020: 33, 2021: 31, 2022: 30, 2023: 29, 2024: 28.5, 2025: 27}
WASTE_TONNES = {2016: 3900000, 2017: "4,000,000", 2018: 4080000, 2019: 4150000, 2020: 4200000, 2021: 4260000}


def _fill(path: Path) -> None:
    """Fill the template as an analyst would: values under the year headers, a source id in D, the waste row's unit
    changed from the registry's 万吨 to the 吨 its source prints."""
    book = openpyxl.load_workbook(path)
    entries = [("air_pm25", None, "S01", PM25), ("waste_reuse", "吨", "S02", WASTE_TONNES),
               ("green_building_share", None, "S02", {2021: 52}), ("new_parks", None, "S01", {2021: 2})]
    for code, unit, source, values in entries:
        ws = next(book[s] for s in SECTIONS if code in {book[s].cell(r, 1).value for r in range(4, book[s].max_row + 1)})
        column = {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
        row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == code)
        if unit:
            ws.cell(row, 3).value = unit
        ws.cell(row, 4).value = source
        for year, value in values.items():
            ws.cell(row, column[f"{year}年"]).value = value
    book.save(path)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The analyst's run: template -> filled workbook -> build -> assess (2021) -> reports as of 2021 and 2023."""
    root = tmp_path_factory.mktemp("second")
    raw, out = root / "raw", root / "processed"
    (raw / "bureau").mkdir(parents=True)
    (raw / "sources.csv").write_text(SOURCES, encoding="utf-8")
    (raw / "layouts.yaml").write_text("tables: []\n", encoding="utf-8")
    assert cli.main(["template", "--out", str(raw / "bureau" / "filled.xlsx"), "--targets", str(REGISTRY)]) == 0
    _fill(raw / "bureau" / "filled.xlsx")
    targets, data = ["--targets", str(REGISTRY)], ["--data", str(out / "indicators.csv")]
    assert cli.main(["build", "--raw", str(raw), "--out", str(out), *targets]) == 0
    assert cli.main(["assess", "--as-of", "2021", *data, *targets, "--out", str(root / "assess.csv")]) == 0
    for as_of in (2021, 2023):
        assert cli.main(["report", "--as-of", str(as_of), *data, *targets, "--out", str(root / f"brief{as_of}")]) == 0
    return root


def _svg_texts(path: Path) -> list[str]:
    """The words of an SVG chart (matplotlib writes each text as a comment beside its glyph paths)."""
    return re.findall(r"<!-- (.*?) -->", path.read_text(encoding="utf-8"))


def test_registry_carries_its_own_years_and_units():
    registry = load_registry(REGISTRY)
    assert (registry.policy, registry.base_year, registry.launch_year, registry.target_years) == \
        ("示例〔2021〕3号", 2020, 2021, (2025,))
    assert registry.data_years == range(2016, 2028)
    assert registry.units.conversion_factor("吨", "万吨") == pytest.approx(1e-4, rel=1e-12)


def test_template_asks_for_the_registrys_years(tmp_path):
    path = write_template(load_registry(REGISTRY), tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [*SECTIONS, "说明", MARKER_SHEET]  # one sheet per section of the policy
    for sheet in SECTIONS:
        header = [c.value for c in book[sheet][3]]
        assert header == ["指标代码", "指标名称", "单位", "来源"] + [f"{y}年" for y in range(2016, 2028)]
        assert book[sheet]["A1"].value == f"示例〔2021〕3号 指标数据填报表 — {sheet}"
    units = [book[s].cell(r, 3).value for s in SECTIONS for r in range(4, book[s].max_row + 1)]
    assert units == ["微克/立方米", "万吨", "%", "个"]


def test_build_converts_tonnes_to_the_registrys_10k_tonnes(run):
    tidy = pd.read_csv(run / "processed" / "indicators.csv")
    waste = tidy[tidy["indicator"] == "waste_reuse"]
    assert waste[["year", "value", "unit", "source"]].values.tolist() == [
        [2016, 390.0, "万吨", "S02"], [2017, 400.0, "万吨", "S02"], [2018, 408.0, "万吨", "S02"],
        [2019, 415.0, "万吨", "S02"], [2020, 420.0, "万吨", "S02"], [2021, 426.0, "万吨", "S02"]]
    assert len(tidy) == 18 and tidy.loc[tidy["indicator"] == "air_pm25", "year"].tolist() == list(range(2016, 2026))


def test_data_gaps_start_at_the_registrys_data_from(run):
    gaps = pd.read_csv(run / "processed" / "data_gaps.csv").set_index("target")
    assert gaps["missing_years"].to_dict() == {"green_building_share": "2016-2020, 2022-2025",
                                               "new_parks": "2016-2020, 2022-2025", "waste_reuse": "2022-2025"}
    assert gaps.loc["new_parks", "what_is_needed"].startswith("2022-2025 annual additions; the 2021-2025 sum decides")


def test_assessment_gives_p_meet_where_the_series_is_long_enough(run):
    table = pd.read_csv(run / "assess.csv").set_index("target")
    assert table["status"].to_dict() == {"air_pm25": "very likely", "waste_reuse": "very unlikely",
                                         "green_building_share": "insufficient data", "new_parks": "insufficient data"}
    # 31 in 2021 and falling ~2.8 a year, against <= 30 in 2025: 0.973 since 6+ points get a t with at most 3 degrees
    # of freedom (intervals.DF_MAX, calibrated on the mixed benchmark); above 0.99 with the thinner-tailed t before
    assert table.loc["air_pm25", "p_meet"] > 0.95
    assert table.loc["waste_reuse", "p_meet"] < 0.05  # 426 万吨, rising ~7 a year, against >= 500 in 2025
    assert table.loc["waste_reuse", "latest_value"] == 426.0  # judged in 万吨, not in the 吨 the row was written in
    assert 426 < table.loc["waste_reuse", "projected"] < 500
    assert table.loc[["green_building_share", "new_parks"], "p_meet"].isna().all()
    assert table.loc["new_parks", "reason"] == "Only one value (2 in 2021); a trend needs at least two."
    assert (table["as_of"] == 2021).all() and (table["latest_year"] == 2021).all()


def test_summary_and_scorecard_name_the_registrys_target_year(run):
    summary = (run / "brief2021" / "summary.md").read_text(encoding="utf-8")
    assert summary.splitlines()[0] == "# 2025年量化目标评估 (截至 2021 年)"
    row = next(line for line in summary.splitlines() if line.startswith("| 一般工业固体废物综合利用量 |"))
    assert "| ≥ 500 万吨 | 426 (2021) |" in row and "2025年预测 (80% 区间)" in summary
    assert "P(达成) 是按截至评估年的数据预测 2025 年" in summary
    texts = _svg_texts(run / "brief2021" / "figures" / "scorecard.svg")
    assert "2025年目标达成可能性 (截至 2021)" in texts and "资料来源: qanalysis 评估；目标: 示例〔2021〕3号" in texts
    coverage = _svg_texts(run / "brief2021" / "figures" / "coverage.svg")
    assert [t for t in coverage if t.isdigit()] == ["2016", "2018", "2020", "2022", "2024", "2026"]


def test_no_year_of_the_reference_policy_leaks_into_its_outputs(run):
    """As of 2021 the briefing sees 2016-2021 and speaks of 2025: 2022 may only be a tick on a year axis."""
    brief = run / "brief2021"
    words = [(run / "assess.csv").read_text(encoding="utf-8")]
    words += [(brief / name).read_text(encoding="utf-8") for name in ("summary.md", "summary.html")]
    book = openpyxl.load_workbook(brief / "scorecard.xlsx")
    words += [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    for svg in sorted((brief / "figures").glob("*.svg")):
        words += [t for t in _svg_texts(svg) if not re.fullmatch(r"(&gt;|&lt;)?[−\-\d.,% —]*", t)]  # ticks, P(meet)
    assert len(words) > 100
    for year in ("2013", "2018", "2022"):
        assert [w for w in words if year in w] == [], year


def test_briefing_vintages_start_at_the_registrys_launch_year(run):
    book = openpyxl.load_workbook(run / "brief2023" / "scorecard.xlsx")
    assert [c.value for c in book["各时点评估"][1]] == ["目标代码", "名称", "2021", "2022", "2023"]
    assert [c.value for c in openpyxl.load_workbook(run / "brief2021" / "scorecard.xlsx")["各时点评估"][1]] == \
        ["目标代码", "名称", "2021"]


def test_english_scorecard_title_and_explorer_use_the_registrys_years(run):
    registry = load_registry(REGISTRY)
    table = pd.read_csv(run / "assess.csv")
    fig = overview.scorecard_chart(table, registry, "en")
    assert next(t.get_text() for t in fig.texts if t.get_gid() == "title") == \
        "Will the 2025 targets be met? (as of 2021)"
    data = conform(read_indicators(run / "processed" / "indicators.csv", registry.units), registry)
    slider = widget(registry, data).children[0].children[1]
    assert (slider.min, slider.max, slider.value) == (2016, 2025, 2024)


def test_retrospective_scores_the_vintages_from_launch_to_the_year_before_the_target(run):
    registry = load_registry(REGISTRY)
    data = conform(read_indicators(run / "processed" / "indicators.csv", registry.units), registry)
    assert retrospective.outcomes(registry, data)[["subject", "outcome"]].values.tolist() == [["air_pm25", "met"]]
    retro = retrospective.retrospective(registry, data)
    assert retro["as_of"].tolist() == [2021, 2022, 2023, 2024]
    assert (retro["call"] == "met").all() and retro["right"].all()
    assert np.all(retro["p_meet"].to_numpy(float) > 0.9)
