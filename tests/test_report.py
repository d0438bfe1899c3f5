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

from qanalysis import outputs, text
from qanalysis.assessment import assess
from qanalysis.errors import InputError
from qanalysis.lang import Lang
from qanalysis.registry import load_registry
from qanalysis.report import excel, labels, pack, style, summary
from qanalysis.report.labels import STATUS_ZH

REGISTRY = load_registry()
CONTRACT = ["target", "as_of", "latest_year", "latest_value", "projected", "lo80", "hi80", "p_meet", "status",
            "method", "reason"]


def assessment() -> pd.DataFrame:
    """Every registered target with the columns of a real assessment table, statuses cycling through all eight words,
    long reasons in both languages to wrap."""
    statuses = list(style.STATUS_COLOURS)
    ps = {"very likely": 0.95, "likely": 0.7, "about as likely as not": 0.5, "unlikely": 0.2, "very unlikely": 0.004,
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
                     "reason_zh": f"{tg.id}的原因: " + "所需速度是实际速度的两倍。" * 3,
                     "indicator": tg.indicator, "kind": tg.kind, "n_obs": 3 if data else 0,
                     "eurostat_ratio": 0.7 if data else np.nan,
                     "eurostat_category": "acceleration needed" if data else "insufficient data",
                     "unsd_share": 0.5 if data else np.nan,
                     "unsd_category": "acceleration needed" if data else "insufficient data",
                     "proxies": tg.proxies, "notes": ""})
    frame = pd.DataFrame(rows)
    assert list(frame.columns) == assess.CONTRACT + assess.EXTRAS  # the columns of a real table, in its order
    return frame


def proxies() -> pd.DataFrame:
    frame = assessment().iloc[[0, 3]].copy()
    frame["proxy"] = ["e_pm25_zj", "q_spot_check_pass_rate"]
    return frame


def vintage() -> pd.DataFrame:
    return pd.DataFrame([{"target": t, "as_of": y, "p_meet": p, "status": s}
                         for t in ("e_pm25", "c_prefab_share")
                         for y, p, s in ((2018, 0.5, "about as likely as not"), (2019, 0.996, "very likely"))])


def sources() -> pd.DataFrame:
    return pd.DataFrame({"id": ["S01", "S02"], "title": ["2018年杭州市环境状况公报", "统计公报"],
                         "publisher": ["杭州市生态环境局", "杭州市统计局"], "address": ["https://a", "javascript:alert(1)"],
                         "accessed": ["2026-11-01", "2026-11-01"], "quote": ["PM2.5 40", "x"], "note": ["", ""]})


def conflicts() -> pd.DataFrame:
    """As pack.load_inputs reads conflicts.csv: every cell text."""
    return pd.DataFrame({"indicator": ["e_pm25"], "year": ["2020"], "published": ["30"], "bureau": ["29.8"],
                         "difference": ["-0.2"], "published_source": ["S11"], "bureau_source": ["B01"]}, dtype=str)


def _workbook(tmp_path, lang: str, name: str = "scorecard.xlsx"):
    listed = sources().assign(publisher_en=["Hangzhou Ecology and Environment Bureau", ""])
    path = excel.write_scorecard(tmp_path / name, REGISTRY, assessment(), proxies(), vintage(), listed,
                                 conflicts(), lang=lang)
    return load_workbook(path)


def _row(ws, target: str) -> dict:
    """The row of `target` in a sheet, header -> value."""
    header = [c.value for c in ws[1]]
    r = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == target)
    return {h: ws.cell(r, j).value for j, h in enumerate(header, start=1)}


def _cells(ws, header: str) -> list:
    """The body cells under `header`."""
    j = [c.value for c in ws[1]].index(header) + 1
    return [ws.cell(r, j) for r in range(2, ws.max_row + 1)]


P_FORMAT = '[<0.005]"<1%";[>=0.995]">99%";0%'
ZH_HEAD = ["目标代码", "名称", "政策条款部分", "目标值", "最新年份", "最新值", "预测值", "80%区间下限", "80%区间上限",
           "达成概率", "状态", "方法", "原因"]
EN_HEAD = ["Target id", "Name", "Section", "Goal", "Latest year", "Latest value", "Forecast", "80% low", "80% high",
           "P(meet)", "Status", "Method", "Reason"]


def test_chinese_scorecard_reads_in_chinese(tmp_path):
    wb = _workbook(tmp_path, "zh")
    assert wb.sheetnames == ["评估表", "代理指标", "各时点评估", "资料来源", "数据冲突"]
    ws = wb["评估表"]
    codes = dict(zip(assessment()["target"], assessment()["status"]))
    header = [c.value for c in ws[1]]
    assert header[:13] == ZH_HEAD
    assert header[13:] == ["评估截至年份", "已有数值个数", "指标代码", "代理指标代码", "Eurostat 进度比率", "Eurostat 判断",
                           "UNSD 完成比例", "UNSD 判断", "模型说明"]
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == [tg.id for tg in REGISTRY.targets]
    pm = _row(ws, "e_pm25")
    assert (pm["名称"], pm["政策条款部分"], pm["目标值"]) == \
        ("城市空气质量细颗粒物(PM2.5)平均浓度", "二(三) 突出生态环境质量提升", "≤ 35 微克/立方米 (2022)")
    assert pm["原因"].startswith("e_pm25的原因: 所需速度") and pm["代理指标代码"] == "e_pm25_zj"
    assert pm["Eurostat 判断"] == ("数据不足" if codes["e_pm25"] == "insufficient data" else "需加快进度")
    words = [c.value for c in _cells(ws, "状态")]
    assert set(words) == set(STATUS_ZH.values())  # every status in Chinese, no English word left
    assert {c.value for c in _cells(ws, "方法")} == {"漂移法", None}  # the model as the charts name it
    english = {tg.name_en for tg in REGISTRY.targets} | {"reason for", "acceleration needed", "very likely"}
    assert not [c.value for row in ws.iter_rows(min_row=2) for c in row
                if isinstance(c.value, str) and any(e in c.value for e in english)]


def test_english_scorecard_reads_in_english(tmp_path):
    wb = _workbook(tmp_path, "en")
    assert wb.sheetnames == ["Scorecard", "Proxies", "Vintages", "Sources", "Conflicts"]
    ws = wb["Scorecard"]
    assert [c.value for c in ws[1]][:13] == EN_HEAD
    pm = _row(ws, "e_pm25")
    assert (pm["Name"], pm["Section"], pm["Goal"]) == \
        ("Urban PM2.5 annual mean concentration", "II.3 Better environmental quality", "≤ 35 μg/m³ (2022)")
    assert pm["Reason"].startswith("reason for e_pm25: the required pace")
    assert {c.value for c in _cells(ws, "Status")} == set(style.STATUS_COLOURS)
    assert {c.value for c in _cells(ws, "Method")} == {"drift", None}  # the model as the charts name it
    texts = [c.value for sheet in wb for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    zh_only = {tg.name_zh for tg in REGISTRY.targets} | set(STATUS_ZH.values()) | {"的原因"}
    assert not [t for t in texts if any(z in t for z in zh_only)]  # (source titles are as published: none here)


@pytest.mark.parametrize("lang, status", [("zh", "状态"), ("en", "Status")])
def test_status_fill_follows_the_status_code_not_the_word(tmp_path, lang, status):
    ws = _workbook(tmp_path, lang).worksheets[0]
    codes = dict(zip(assessment()["target"], assessment()["status"]))
    for cell in _cells(ws, status):
        code = codes[ws.cell(cell.row, 1).value]
        assert cell.value == (STATUS_ZH[code] if lang == "zh" else code)
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb[-6:] == style.STATUS_COLOURS[code][1:].upper()
    very_likely = next(c for c in _cells(ws, status) if c.value in ("很可能达成", "very likely"))
    assert very_likely.fill.fgColor.rgb == "002166AC" and very_likely.font.color.rgb == "00FFFFFF"


def test_probabilities_are_numbers_shown_as_the_charts_show_them(tmp_path):
    wb = _workbook(tmp_path, "zh")
    cells = _cells(wb["评估表"], "达成概率") + _cells(wb["代理指标"], "达成概率")
    cells += [c for column in ("2018", "2019") for c in _cells(wb["各时点评估"], column)]
    assert len(cells) == len(REGISTRY.targets) + 2 + 4
    assert {c.number_format for c in cells} == {P_FORMAT}
    assert all(isinstance(c.value, (int, float)) and c.data_type == "n" for c in cells if c.value is not None)
    assert _row(wb["评估表"], REGISTRY.targets[4].id)["达成概率"] == 0.004  # very unlikely: the number, shown "<1%"
    assert wb["评估表"].cell(2, ZH_HEAD.index("80%区间下限") + 1).number_format == "#,##0.0#"


def _excel_shows(fmt: str, p: float) -> str:
    """What Excel prints for `p` under a format "[cond]"text";[cond]"text";0%": the first section whose condition
    holds, else the percentage rounded half away from zero on its decimal value (Excel keeps 15 significant digits,
    so 0.145 shows 15%, though 100 * 0.145 is 14.499999999999998 in binary)."""
    sections = fmt.split(";")
    for section in sections[:-1]:
        op, bound, text = re.fullmatch(r'\[(<|>|>=|<=)([\d.]+)\]"(.*)"', section).groups()
        if {"<": p < float(bound), ">": p > float(bound), ">=": p >= float(bound), "<=": p <= float(bound)}[op]:
            return text
    assert sections[-1] == "0%"
    return f"{int(round(100 * p, 9) + 0.5)}%"


def test_the_probability_format_says_what_text_pct_says_and_never_a_certainty():
    grid = [0, 0.0001, 0.001, 0.0049, 0.005, 0.0051, 0.01, 0.014, 0.015, 0.016, 0.145, 0.2, 0.5, 0.66, 0.9, 0.984,
            0.985, 0.986, 0.994, 0.9949, 0.995, 0.9951, 0.999, 1.0]
    assert [_excel_shows(excel.P_FORMAT, p) for p in grid] == [text.pct(p) for p in grid]
    # P(meet) has three decimals, so the two edges occur: the cell says neither 0% nor 100% there
    assert _excel_shows(excel.P_FORMAT, 0.005) == "1%" and _excel_shows(excel.P_FORMAT, 0.995) == ">99%"


def test_only_web_addresses_become_links(tmp_path):
    ws = _workbook(tmp_path, "en")["Sources"]
    safe, hostile = _cells(ws, "Address")
    assert safe.hyperlink.target == "https://a" and safe.style == "Hyperlink"
    assert hostile.value == "javascript:alert(1)" and hostile.hyperlink is None and hostile.style == "Normal"
    assert [c.value for c in ws[1]] == ["Source id", "Title", "Publisher", "Publisher (English)", "Address",
                                        "Accessed", "Quote", "Note"]


@pytest.mark.parametrize("address, link", [
    ("https://a", True), ("http://www.HANGzhou.gov.cn/art/2024/3/7/art_1.html", True),
    ("HTTPS://EXAMPLE.ORG/x?a=1&b=2#c", True), ("https://例子.中国/路径", True),
    ("javascript:alert(1)", False), ("JavaScript://example.org/%0Aalert(1)", False), ("file:///etc/passwd", False),
    ("file://server/share/x.xlsx", False), ("data:text/html,<script>alert(1)</script>", False),
    ("mailto:a@example.org", False), ("ftp://example.org/x", False), ("//example.org/x", False),
    ("example.org", False), ("http://", False), ("https:///path", False), (" https://example.org", False),
    ("https://example.org/a b", False), ("https://example.org/\nx", False), ("https://[::1", False),
    ('=HYPERLINK("http://evil.example/")', False), ("\\\\server\\share", False), ("", False), (None, False),
    (3.5, False), ("https://example.org/" + "x" * 2060, False),
])
def test_web_address_accepts_http_and_https_only(address, link):
    assert excel.web_address(address) is link


def test_every_sheet_prints_landscape_on_a4_one_page_wide_with_its_header_row(tmp_path):
    for lang, page in (("zh", "第 &P 页，共 &N 页"), ("en", "Page &P of &N")):
        wb = _workbook(tmp_path, lang, f"{lang}.xlsx")
        for ws in wb:
            setup = ws.page_setup
            assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
            assert (ws.oddHeader.center.text, ws.oddFooter.center.text) == ("&A", page)
        # the assessment sheets print up to the reason; the analysts' columns at the right stay on screen
        scorecard, proxy = wb.worksheets[:2]
        assert scorecard.print_area == f"'{scorecard.title}'!$A$1:$M${len(REGISTRY.targets) + 1}"
        assert scorecard["M1"].value == ("原因" if lang == "zh" else "Reason")
        assert proxy.print_area == f"'{proxy.title}'!$A$1:$N$3"
        assert not any(ws.print_area for ws in wb.worksheets[2:])


def test_names_stand_beside_the_ids_in_every_sheet(tmp_path):
    wb = _workbook(tmp_path, "zh")
    vint = wb["各时点评估"]
    assert [c.value for c in vint[1]] == ["目标代码", "名称", "2018", "2019"]
    assert [[c.value for c in row] for row in vint.iter_rows(min_row=2)] == [  # registry order
        ["c_prefab_share", REGISTRY.target("c_prefab_share").name_zh, 0.5, 0.996],
        ["e_pm25", "城市空气质量细颗粒物(PM2.5)平均浓度", 0.5, 0.996]]
    assert vint["C2"].fill.fgColor.rgb[-6:] == style.STATUS_COLOURS["about as likely as not"][1:].upper()
    assert vint["D2"].fill.fgColor.rgb[-6:] == style.STATUS_COLOURS["very likely"][1:].upper()
    proxy = wb["代理指标"]
    assert [c.value for c in proxy[1]][:5] == ["目标代码", "名称", "目标值", "代理指标代码", "代理指标"]
    assert [c.value for c in proxy[2]][3:5] == ["e_pm25_zj", REGISTRY.indicators["e_pm25_zj"].name_zh]
    conflict = wb["数据冲突"]
    assert [c.value for c in conflict[1]] == ["指标代码", "指标", "年份", "已公布", "工作区", "差值", "公布来源", "工作区来源"]
    assert [c.value for c in conflict[2]] == ["e_pm25", REGISTRY.indicators["e_pm25"].name_zh, 2020, 30, 29.8, -0.2,
                                             "S11", "B01"]
    for ws in wb:  # the id and the name stay in view when the reader scrolls right
        assert ws.freeze_panes == ("B2" if ws.title == "资料来源" else "C2")
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"


def test_every_column_a_sheet_writes_has_a_header_in_both_languages():
    assert excel.HEADERS[Lang.ZH].keys() == excel.HEADERS[Lang.EN].keys()
    for columns in (excel.SCORECARD, excel.PROXIES, excel.SOURCES, excel.CONFLICTS):
        for lang in Lang:
            headers = [excel.HEADERS[lang][c] for c in columns]
            assert len(set(headers)) == len(headers), (lang, columns)  # no two columns alike
            assert not [h for h in headers if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)]  # no snake_case left
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in excel.HEADERS[Lang.ZH].values())
    assert not [h for h in excel.HEADERS[Lang.EN].values() if re.search(r"[\u4e00-\u9fff]", h)]
    assert set(excel.SHEETS[Lang.ZH].values()).isdisjoint(excel.SHEETS[Lang.EN].values())


def test_every_cross_check_category_has_a_chinese_word():
    """The words the cross-checks can give (both methods, achieved or not, no data) all read in Chinese."""
    from qanalysis.assessment import crosschecks, retrospective
    words = {w for ratio in (np.nan, -1.0, 0.3, 0.7, 1.0) for share in (np.nan, -1.0, 0.5, 1.0)
             for achieved in (True, False)
             for k, w in crosschecks.categories(ratio, share, achieved).items() if k.endswith("category")}
    words |= set(retrospective.RATIO_MISSED) | {crosschecks.NO_CHECK["eurostat_category"]}
    assert len(words) == 9
    chinese = {w: labels.crosscheck_label(w, "zh") for w in words}
    assert all(re.search(r"[\u4e00-\u9fff]", z) for z in chinese.values()), chinese
    assert chinese["acceleration needed"] == "需加快进度" and chinese["insufficient data"] == "数据不足"
    assert labels.crosscheck_label("acceleration needed", "en") == "acceleration needed"


def test_every_assessment_column_is_shown_or_dropped_on_purpose():
    """A column added to the assessment must be placed in the workbook (with headers) or dropped knowingly."""
    real = set(assess.CONTRACT + assess.EXTRAS)
    assert real - set(excel.SCORECARD) == excel.DROPPED == {"kind", "reason_zh"}
    assert real - set(excel.PROXIES) == {"kind", "reason_zh", "indicator", "proxies"}  # a proxy row's own id is `proxy`


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scorecard_is_byte_identical_on_rerun(tmp_path, lang):
    args = (REGISTRY, assessment(), proxies(), vintage(), sources(), conflicts())
    a = excel.write_scorecard(tmp_path / "a.xlsx", *args, lang=lang).read_bytes()
    b = excel.write_scorecard(tmp_path / "b.xlsx", *args, lang=lang).read_bytes()
    assert a == b
    wb = load_workbook(tmp_path / "a.xlsx")
    assert wb.properties.created == outputs.FIXED_TIME and wb.properties.modified == outputs.FIXED_TIME


def test_scorecard_has_no_default_language(tmp_path):
    with pytest.raises(TypeError):
        excel.write_scorecard(tmp_path / "x.xlsx", REGISTRY, assessment(), proxies(), vintage(), sources())
    with pytest.raises(InputError, match="fr"):
        excel.write_scorecard(tmp_path / "x.xlsx", REGISTRY, assessment(), proxies(), vintage(), sources(), lang="fr")


def _table_ids(markdown: str, registry=REGISTRY) -> list[str]:
    """The targets of the summary's table of all targets, in the order it lists them."""
    section = markdown.split("## 全部目标")[1].split("\n## ")[0]
    names = {tg.name_zh: tg.id for tg in registry.targets}
    return [names[m] for m in re.findall(r"^\| (.+?) \| [≥≤]", section, flags=re.M)]


def test_summary_table_names_every_target_problems_first(tmp_path):
    table = assessment()
    md, page = summary.write_summary(tmp_path, summary.Facts(REGISTRY, 2018, table), "zh")
    text = md.read_text(encoding="utf-8")
    listed = _table_ids(text)
    assert sorted(listed) == sorted(table["target"])  # every target once, met ones included
    order = {t: i for i, t in enumerate(listed)}
    status = table.set_index("target")["status"]
    rank = ["missed", "very unlikely", "unlikely", "about as likely as not", "likely", "very likely", "met",
            "insufficient data"]
    assert [rank.index(status[t]) for t in listed] == sorted(rank.index(status[t]) for t in listed)
    met = table.loc[table["status"] == "met", "target"]
    assert all(order[t] < order[i] for t in met for i in table.loc[table["status"] == "insufficient data", "target"])
    def row(status: str) -> str:
        target = next(t for t in listed if table.set_index("target").at[t, "status"] == status)
        return next(line for line in text.splitlines() if line.startswith(f"| {REGISTRY.target(target).name_zh} |"))
    assert "| 36.5 (30.2–42) | <1% | 很不可能达成 |" in row("very unlikely")  # P 0.004, never "0%"
    assert "| — | — | 未达成 |" in row("missed")  # decided by a published value: no projection, no P
    assert "截至 2018 年" in text and "IPCC" in text and "主要发现" in text
    assert not re.search(r"^\| [a-z_0-9]+ \|", text, flags=re.M)  # rows are named, never by code id
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert html.count('class="chip"') == len(table)  # each status cell carries its colour


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
        "scorecard.xlsx", "summary.md", "summary.html", "briefing.pdf", "index.html"}
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
    wb = load_workbook(tmp_path / "a" / "scorecard.xlsx")  # a Chinese pack: the workbook in Chinese
    ws = wb["评估表"]
    assert ws.max_row == len(registry.targets) + 1
    header = [c.value for c in ws[1]]
    by_target = table.set_index("target")
    for r in range(2, ws.max_row + 1):
        row = by_target.loc[ws.cell(r, 1).value]
        got = ws.cell(r, header.index("达成概率") + 1).value
        assert (got is None and pd.isna(row["p_meet"])) or got == pytest.approx(row["p_meet"])
        assert ws.cell(r, header.index("状态") + 1).value == STATUS_ZH[row["status"]]
        assert ws.cell(r, header.index("原因") + 1).value == row["reason_zh"]
    assert [c.value for c in wb["各时点评估"][1]] == ["目标代码", "名称", "2018", "2019", "2020"]
    flagged = list(table.loc[table["status"].isin(["unlikely", "very unlikely"]), "target"])
    listed = _table_ids((tmp_path / "a" / "summary.md").read_text(encoding="utf-8"), registry)
    assert flagged and listed[:len(flagged)] == flagged and sorted(listed) == sorted(table["target"])


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
