"""The briefing pack: the Excel scorecard's formatting and determinism, and a summary that flags exactly the
unlikely and very unlikely targets. Writers are tested on hand-made tables; make_report end to end further down."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import registry_block
from openpyxl import load_workbook

from qanalysis import outputs
from qanalysis.registry import load_registry
from qanalysis.report import excel, pack, style, summary
from qanalysis.report.labels import STATUS_ZH

REGISTRY = load_registry()
CONTRACT = ["target", "as_of", "latest_year", "latest_value", "projected", "lo80", "hi80", "p_meet", "status",
            "method", "reason"]


def assessment() -> pd.DataFrame:
    """Every registered target, statuses cycling through all eight words, with a long reason to wrap."""
    statuses = list(style.STATUS_COLOURS)
    ps = {"very likely": 0.95, "likely": 0.7, "about as likely as not": 0.5, "unlikely": 0.2, "very unlikely": 0.04,
          "met": 1.0, "missed": 0.0, "insufficient data": np.nan}
    rows = []
    for i, tg in enumerate(REGISTRY.targets):
        status = statuses[i % len(statuses)]
        data = status != "insufficient data"
        rows.append({"target": tg.id, "as_of": 2018, "latest_year": 2018 if data else np.nan,
                     "latest_value": 40.0 + i if data else np.nan, "projected": 36.5 if data else np.nan,
                     "lo80": 30.25 if data else np.nan, "hi80": 42.0 if data else np.nan, "p_meet": ps[status],
                     "status": status, "method": "drift" if data else "none",
                     "reason": f"reason for {tg.id}: " + "the required pace is twice the observed pace " * 3,
                     "indicator": tg.indicator, "kind": tg.kind, "proxies": tg.proxies})
    return pd.DataFrame(rows)


def proxies() -> pd.DataFrame:
    frame = assessment().iloc[[0, 3]].copy()
    frame["proxy"] = ["e_pm25_zj", "q_spot_check_pass_rate"]
    return frame


def vintage() -> pd.DataFrame:
    return pd.DataFrame([{"target": t, "as_of": y, "p_meet": 0.5} for t in ("e_pm25", "c_prefab_share")
                         for y in (2018, 2019)])


def sources() -> pd.DataFrame:
    return pd.DataFrame({"id": ["S01", "S02"], "title": ["2018年杭州市环境状况公报", "统计公报"],
                         "publisher": ["杭州市生态环境局", "杭州市统计局"], "address": ["https://a", "https://b"],
                         "accessed": ["2026-11-01", "2026-11-01"], "quote": ["PM2.5 40", "x"], "note": ["", ""]})


def test_scorecard_workbook_is_formatted(tmp_path):
    table = assessment()
    path = excel.write_scorecard(tmp_path / "scorecard.xlsx", REGISTRY, table, proxies(), vintage(), sources())
    wb = load_workbook(path)
    assert wb.sheetnames == ["Scorecard", "Proxies", "Vintages", "Sources"]
    ws = wb["Scorecard"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["target", "name_zh", "name_en", "section", "goal"]
    assert set(CONTRACT) <= set(header)
    assert ws.max_row == len(REGISTRY.targets) + 1  # one row per target
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == [tg.id for tg in REGISTRY.targets]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{ws.max_row}"
    col = {name: i + 1 for i, name in enumerate(header)}
    for r in range(2, ws.max_row + 1):
        status = ws.cell(r, col["status"]).value
        fill = ws.cell(r, col["status"]).fill
        assert fill.fill_type == "solid"
        assert fill.fgColor.rgb[-6:] == style.STATUS_COLOURS[status].lstrip("#").upper()
        assert ws.cell(r, col["p_meet"]).number_format == "0%"
        assert ws.cell(r, col["lo80"]).number_format == "#,##0.0#"
        assert ws.cell(r, col["reason"]).alignment.wrap_text
    e_pm25 = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "e_pm25")
    assert ws.cell(e_pm25, col["name_zh"]).value == "城市空气质量细颗粒物(PM2.5)平均浓度"
    assert ws.cell(e_pm25, col["goal"]).value == "≤ 35 微克/立方米 (2022)"
    assert ws.cell(e_pm25, col["proxies"]).value == "e_pm25_zj"
    assert ws.column_dimensions["K"].width > 0 and ws.column_dimensions[ws.cell(1, col["reason"]).column_letter].width == 60
    assert wb["Proxies"].max_row == 3 and "proxy" in [c.value for c in wb["Proxies"][1]]
    vint = wb["Vintages"]
    assert [c.value for c in vint[1]] == ["target", "2018", "2019"]
    assert vint.cell(2, 2).number_format == "0%"
    assert wb["Sources"].cell(2, 3).value == "杭州市生态环境局"
    assert wb.properties.created == outputs.FIXED_TIME and wb.properties.modified == outputs.FIXED_TIME


def test_scorecard_is_byte_identical_on_rerun(tmp_path):
    args = (REGISTRY, assessment(), proxies(), vintage(), sources())
    a = excel.write_scorecard(tmp_path / "a.xlsx", *args).read_bytes()
    b = excel.write_scorecard(tmp_path / "b.xlsx", *args).read_bytes()
    assert a == b


def _listed_ids(markdown: str, heading: str, registry=REGISTRY) -> set[str]:
    """The targets a summary section lists, by their Chinese names (the reader's text carries no ids)."""
    section = markdown.split(f"## {heading}")[1].split("\n## ")[0]
    names = {tg.name_zh: tg.id for tg in registry.targets}
    return {names[n] for n in re.findall(r"^- (.+?): ", section, flags=re.M)}


def _flagged_ids(markdown: str, registry=REGISTRY) -> set[str]:
    return _listed_ids(markdown, "需要关注", registry)


def test_summary_lists_exactly_the_flagged_targets(tmp_path):
    table = assessment()
    md, page = summary.write_summary(tmp_path, REGISTRY, table, 2018)
    text = md.read_text(encoding="utf-8")
    flagged = set(table.loc[table["status"].isin(["unlikely", "very unlikely"]), "target"])
    assert flagged and _flagged_ids(text) == flagged
    missing = table.loc[table["status"] == "insufficient data", "target"]
    section = text.split("## 数据不足")[1].split("\n## ")[0]
    assert _listed_ids(text, "数据不足") == set(missing)
    first = REGISTRY.target(missing.iloc[0])
    assert REGISTRY.indicator(first).bureau_table in section
    assert "截至 2018 年" in text and "IPCC" in text
    counts = dict(re.findall(r"^\| (\S+) \| (\d+) \|$", text, flags=re.M))
    status_of = {zh: status for status, zh in STATUS_ZH.items()}
    assert {status_of[k]: int(v) for k, v in counts.items()} == table["status"].value_counts().to_dict()
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    names = {tg.name_zh: tg.id for tg in REGISTRY.targets}
    listed = re.findall(r"<li>(.+?): ", html.split("需要关注")[1].split("<h2>")[0])
    assert {names[n] for n in listed} == flagged


def test_summary_says_none_when_nothing_is_flagged(tmp_path):
    table = assessment()
    table = table[~table["status"].isin(["unlikely", "very unlikely"])]
    md, _ = summary.write_summary(tmp_path, REGISTRY, table, 2021)
    assert _flagged_ids(md.read_text(encoding="utf-8")) == set()
    assert "— 0\n\n无。" in md.read_text(encoding="utf-8")


def test_source_labels_name_publishers_of_the_plotted_years_only():
    data = pd.DataFrame({"indicator": ["e_pm25"] * 3 + ["c_prefab_share"], "year": [2013, 2018, 2020, 2018],
                         "value": [70, 40, 30, 5], "unit": ["微克/立方米"] * 3 + ["%"],
                         "source": ["S02", "S01", "S03", "S02"]})
    assert pack.source_labels("e_pm25", data, 2018, sources()) == ["杭州市统计局", "杭州市生态环境局"]
    assert pack.source_labels("e_pm25", data, 2018, None) == []


def test_source_labels_keep_the_publishers_own_name():
    table = sources()
    table.loc[0, "publisher"] = "中国网, reporting 杭州市 publicity; via 天下金融网 repost"
    table.loc[1, "publisher"] = "浙江在线 (zjnews.zjol.com.cn)"
    table.loc[2] = ["S03", "公报", "浙江在线 press conference", "", "", "", ""]
    table.loc[3] = ["S04", "report", "Xinhua, citing the bureau", "", "", "", ""]
    data = pd.DataFrame({"indicator": ["e_pm25"] * 4, "year": [2016, 2017, 2018, 2019], "value": [49, 45, 40, 38],
                         "unit": ["微克/立方米"] * 4, "source": ["S01", "S02", "S03", "S04"]})
    assert pack.source_labels("e_pm25", data, 2019, table) == ["中国网", "浙江在线", "Xinhua"]
    # English charts cite the publisher's English name where the source gives one, else the name as written.
    table["publisher_en"] = ["China.org.cn", "", "Zhejiang Online", ""]
    assert pack.source_labels("e_pm25", data, 2019, table, "en") == ["China.org.cn", "浙江在线", "Zhejiang Online",
                                                                     "Xinhua"]


def _tiny_project(tmp_path):
    """A four-target registry (level falling, cumulative, growth, no data) and its tidy data, sources, coverage."""
    def indicator(id_, unit, scale, flow=False):
        return dict(id=id_, name_zh=f"{id_}指标", name_en=f"{id_} indicator", unit=unit, scale=scale, flow=flow,
                    scope="全市", proxy_for=None, bureau_table=f"{id_}所在的年鉴表")

    def target(id_, kind, op, value, unit, window_start=None):
        return dict(id=id_, section="二(三) 测试", name_zh=f"{id_}目标", name_en=f"{id_} target", indicator=id_,
                    kind=kind, op=op, value=value, unit=unit, target_year=2022, window_start=window_start,
                    clause=f"{id_}条款")

    doc = {"registry": registry_block(),
           "targets": [target("pm", "level", "<=", 35, "微克/立方米"), target("awards", "cumulative", ">=", 10, "家", 2019),
                       target("growth", "avg_growth", ">=", 30, "%", 2019), target("empty", "level", ">=", 50, "%")],
           "indicators": [indicator("pm", "微克/立方米", "level"), indicator("awards", "家", "count", flow=True),
                          indicator("growth", "%", "growth"), indicator("empty", "%", "share")]}
    registry_path = tmp_path / "targets.yaml"
    registry_path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rows = [("pm", y, v, "微克/立方米", "S01") for y, v in zip(range(2013, 2022), [70, 62, 57, 49, 45, 40, 38, 30, 28])]
    rows += [("awards", y, v, "家", "S02") for y, v in [(2016, 2), (2017, 3), (2018, 2), (2019, 3), (2020, 2)]]
    rows += [("growth", y, v, "%", "S02") for y, v in [(2015, 6.1), (2016, 5.5), (2017, 7.0), (2018, 6.4), (2019, 5.9)]]
    processed = tmp_path / "processed"
    processed.mkdir()
    pd.DataFrame(rows, columns=["indicator", "year", "value", "unit", "source"]).to_csv(processed / "indicators.csv",
                                                                                      index=False)
    sources().to_csv(processed / "sources.csv", index=False)
    pd.DataFrame({"target": ["pm", "awards", "growth", "empty"],
                  "years": ["2013-2021", "2016-2020", "2015-2019", None]}).to_csv(processed / "coverage_targets.csv",
                                                                                  index=False)
    return registry_path, processed / "indicators.csv"


@pytest.mark.slow
def test_make_report_end_to_end_on_a_tiny_registry(tmp_path):
    """make_report on a tiny project: every file written, identical on rerun, scorecard and summary = assessment."""
    from qanalysis.assessment import assess
    from qanalysis.ingest.processed import read_indicators

    registry_path, data_path = _tiny_project(tmp_path)
    first = pack.make_report(as_of=2020, out_dir=tmp_path / "a", data_path=data_path, registry_path=registry_path)
    second = pack.make_report(as_of=2020, out_dir=tmp_path / "b", data_path=data_path, registry_path=registry_path)
    names = {p.relative_to(tmp_path / "a").as_posix() for p in first}
    overview = ["scorecard", "vintage", "coverage"]
    figures = ["pm", "awards", "growth", *overview, *[f"{n}{style.SLIDE_SUFFIX}" for n in overview]]  # no "empty"
    assert names == {f"figures/{n}.{ext}" for n in figures for ext in ("png", "svg")} | {
        "scorecard.xlsx", "summary.md", "summary.html"}
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    from PIL import Image

    w, h = Image.open(tmp_path / "a" / "figures" / "scorecard.16x9.png").size
    assert w / h == pytest.approx(16 / 9, rel=0.01)
    coverage = re.findall(r"<!-- (.*?) -->", (tmp_path / "a" / "figures" / "coverage.svg").read_text("utf-8"))
    # the coverage chart cites who published the values it shows, and the policy; never a file name
    assert "资料来源: 杭州市生态环境局；杭州市统计局；目标: 测试〔2018〕1号" in coverage
    assert not [t for t in coverage if ".csv" in t]
    registry = load_registry(registry_path)
    table = assess.assess(registry, read_indicators(data_path), 2020, seed=0)
    assert table.set_index("target").loc["growth", "status"] == "very unlikely"  # ~6% a year against 30%
    assert table.set_index("target").loc["empty", "status"] == "insufficient data"
    wb = load_workbook(tmp_path / "a" / "scorecard.xlsx")
    ws = wb["Scorecard"]
    assert ws.max_row == len(registry.targets) + 1
    header = [c.value for c in ws[1]]
    by_target = table.set_index("target")
    for r in range(2, ws.max_row + 1):
        row = by_target.loc[ws.cell(r, 1).value]
        got = ws.cell(r, header.index("p_meet") + 1).value
        assert (got is None and pd.isna(row["p_meet"])) or got == pytest.approx(row["p_meet"])
        assert ws.cell(r, header.index("status") + 1).value == row["status"]
    assert [c.value for c in wb["Vintages"][1]] == ["target", "2018", "2019", "2020"]
    flagged = set(table.loc[table["status"].isin(["unlikely", "very unlikely"]), "target"])
    assert flagged and _flagged_ids((tmp_path / "a" / "summary.md").read_text(encoding="utf-8"), registry) == flagged


def test_briefing_vintages_start_at_the_registrys_launch_year():
    assert pack.vintage_years(REGISTRY, 2021) == range(2018, 2022)
    assert pack.vintage_years(REGISTRY, 2016) == range(2016, 2017)  # before launch: that year alone


CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.mark.slow
def test_english_charts_of_the_reference_registry_carry_no_chinese():
    """Every text artist of the English scorecard, vintage, coverage and fan charts (with a no-data panel) of the
    Hangzhou registry is English: its names, sections, units, status words, method and sources all have English."""
    from matplotlib.text import Text

    from qanalysis.assessment import assess
    from qanalysis.report import overview

    inputs = pack.load_inputs()
    now = assess.assess_vintage(inputs.registry, inputs.data, 2021)
    vintage = assess.vintage_matrix(assess.assess_vintages(inputs.registry, inputs.data, range(2020, 2022),
                                                           known=[now]))
    sources = ["qanalysis assessment", "Targets: " + inputs.registry.info.policy_en]
    publishers = [n for tg in inputs.registry.targets
                  for n in pack.source_labels(tg.indicator, inputs.data, 2024, inputs.sources, "en")]
    charts = []
    for slide in (False, True):
        charts += [overview.scorecard_chart(now.table(), inputs.registry, "en", sources, proxies=now.proxy_table(),
                                            slide=slide),
                   overview.vintage_heatmap(vintage, inputs.registry, "en", sources, slide=slide),
                   overview.coverage_chart(inputs.coverage, "en", inputs.registry, [*publishers, *sources], 2021,
                                           slide=slide)]
    by_id = {o.target.id: o for o in now.outlooks}
    charts += [pack.target_chart(inputs, by_id[i], "en") for i in ("e_pm25", "q_zhejiang_made_standards",
                                                                   "c_prefab_share", "ind_new_product_rate")]
    texts = [t.get_text() for fig in charts for t in fig.findobj(Text) if t.get_visible()]
    assert len(texts) > 500
    assert [t for t in texts if CJK.search(t)] == []
    assert any("proxy" in t for t in texts) and any("Shifting industry" in t for t in texts)
