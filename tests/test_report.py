"""The briefing pack: the Excel scorecard's formatting and determinism, and a summary that flags exactly the
unlikely and very unlikely targets. Writers are tested on hand-made tables; make_report end to end further down."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from qanalysis import plots, report
from qanalysis.targets import load_registry

REGISTRY = load_registry()
CONTRACT = ["target", "as_of", "latest_year", "latest_value", "projected", "lo80", "hi80", "p_meet", "status",
            "method", "reason"]


def assessment() -> pd.DataFrame:
    """Every registered target, statuses cycling through all eight words, with a long reason to wrap."""
    statuses = list(plots.STATUS_COLOURS)
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
    path = report.write_scorecard(tmp_path / "scorecard.xlsx", REGISTRY, table, proxies(), vintage(), sources())
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
        assert fill.fgColor.rgb[-6:] == plots.STATUS_COLOURS[status].lstrip("#").upper()
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
    assert wb.properties.created == report.FIXED_TIME and wb.properties.modified == report.FIXED_TIME


def test_scorecard_is_byte_identical_on_rerun(tmp_path):
    args = (REGISTRY, assessment(), proxies(), vintage(), sources())
    a = report.write_scorecard(tmp_path / "a.xlsx", *args).read_bytes()
    b = report.write_scorecard(tmp_path / "b.xlsx", *args).read_bytes()
    assert a == b


def _flagged_ids(markdown: str) -> set[str]:
    section = markdown.split("## 需要关注")[1].split("\n## ")[0]
    return set(re.findall(r"^- `([a-z0-9_]+)`", section, flags=re.M))


def test_summary_lists_exactly_the_flagged_targets(tmp_path):
    table = assessment()
    md, page = report.write_summary(tmp_path, REGISTRY, table, 2018)
    text = md.read_text(encoding="utf-8")
    flagged = set(table.loc[table["status"].isin(["unlikely", "very unlikely"]), "target"])
    assert flagged and _flagged_ids(text) == flagged
    missing = table.loc[table["status"] == "insufficient data", "target"]
    section = text.split("## 数据不足")[1].split("\n## ")[0]
    assert set(re.findall(r"^- `([a-z0-9_]+)`", section, flags=re.M)) == set(missing)
    first = REGISTRY.target(missing.iloc[0])
    assert REGISTRY.indicator(first).bureau_table in section
    assert "截至 2018 年" in text and "IPCC" in text
    counts = dict(re.findall(r"^\| \S+ \| ([a-z ]+) \| (\d+) \|$", text, flags=re.M))
    assert {k: int(v) for k, v in counts.items()} == table["status"].value_counts().to_dict()
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert set(re.findall(r"<li><code>([a-z0-9_]+)</code>", html.split("需要关注")[1].split("<h2>")[0])) == flagged


def test_summary_says_none_when_nothing_is_flagged(tmp_path):
    table = assessment()
    table = table[~table["status"].isin(["unlikely", "very unlikely"])]
    md, _ = report.write_summary(tmp_path, REGISTRY, table, 2021)
    assert _flagged_ids(md.read_text(encoding="utf-8")) == set()
    assert "— 0\n\n无 (none)。" in md.read_text(encoding="utf-8")


def test_source_labels_name_publishers_of_the_plotted_years_only():
    data = pd.DataFrame({"indicator": ["e_pm25"] * 3 + ["c_prefab_share"], "year": [2013, 2018, 2020, 2018],
                         "value": [70, 40, 30, 5], "unit": ["微克/立方米"] * 3 + ["%"],
                         "source": ["S02", "S01", "S03", "S02"]})
    assert report.source_labels("e_pm25", data, 2018, sources()) == ["杭州市统计局 [S02]", "杭州市生态环境局 [S01]"]
    assert report.source_labels("e_pm25", data, 2018, None) == ["S02", "S01"]


def test_source_labels_keep_the_publishers_own_name():
    table = sources()
    table.loc[0, "publisher"] = "中国网, reporting 杭州市 publicity; via 天下金融网 repost"
    table.loc[1, "publisher"] = "浙江在线 (zjnews.zjol.com.cn)"
    data = pd.DataFrame({"indicator": ["e_pm25"] * 2, "year": [2017, 2018], "value": [45, 40],
                         "unit": ["微克/立方米"] * 2, "source": ["S01", "S02"]})
    assert report.source_labels("e_pm25", data, 2018, table) == ["中国网 [S01]", "浙江在线 [S02]"]


def test_make_report_end_to_end_on_a_tiny_build(tmp_path, full_raw, registry_path):
    """build -> make_report on the fixture tables: every file written, identical on rerun, summary = assessment."""
    assess = pytest.importorskip("qanalysis.assess")
    from qanalysis.build import build, read_indicators

    processed = tmp_path / "processed"
    build(raw_dir=full_raw, out_dir=processed, registry_path=registry_path)
    data_path = processed / "indicators.csv"
    first = report.make_report(as_of=2019, out_dir=tmp_path / "a", data_path=data_path, registry_path=registry_path)
    second = report.make_report(as_of=2019, out_dir=tmp_path / "b", data_path=data_path, registry_path=registry_path)
    registry = load_registry(registry_path)
    names = {p.relative_to(tmp_path / "a").as_posix() for p in first}
    expected = {f"figures/{t.id}.{ext}" for t in registry.targets for ext in ("png", "svg")}
    expected |= {f"figures/{n}.{ext}" for n in ("scorecard", "vintage", "coverage") for ext in ("png", "svg")}
    assert names == expected | {"scorecard.xlsx", "summary.md", "summary.html"}
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    table = assess.assess(registry, read_indicators(data_path), 2019, seed=0)
    ws = load_workbook(tmp_path / "a" / "scorecard.xlsx")["Scorecard"]
    assert ws.max_row == len(registry.targets) + 1
    col = [c.value for c in ws[1]].index("p_meet") + 1
    by_target = table.set_index("target")["p_meet"]
    for r in range(2, ws.max_row + 1):
        expected_p = by_target[ws.cell(r, 1).value]
        got = ws.cell(r, col).value
        assert (got is None and pd.isna(expected_p)) or got == pytest.approx(expected_p)
    flagged = set(table.loc[table["status"].isin(["unlikely", "very unlikely"]), "target"])
    assert _flagged_ids((tmp_path / "a" / "summary.md").read_text(encoding="utf-8")) == flagged
