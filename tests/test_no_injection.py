"""Nothing an analyst's files say is run by the reader of our outputs: text that starts with "=" stays text in every
workbook we write (the scorecard had 39 live formula cells from one `=HYPERLINK(...)` name), csv text fields that a
spreadsheet would run get a leading ' (negative numbers stay numbers), and the summary shows markup, never renders it.
"""

from __future__ import annotations

import copy
import re
import zipfile

import matplotlib
import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import REGISTRY, SOURCES, write_layouts

from qanalysis.ingest.build import build
from qanalysis.ingest.processed import load_sources
from qanalysis.ingest.template import write_template
from qanalysis.registry import load_registry
from qanalysis.report import excel, summary
from qanalysis.text import from_spreadsheet_safe, spreadsheet_safe

LINK = '=HYPERLINK("http://evil.example/","点击查看")'
DDE = "=cmd|' /C calc'!A0"
PAYLOADS = [LINK, DDE, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0"]


@pytest.fixture
def hostile_registry(tmp_path):
    """The toy registry with every free-text field of the first targets and indicators set to a formula."""
    doc = copy.deepcopy(REGISTRY)
    for target, text in zip(doc["targets"], PAYLOADS):
        target.update(name_zh=text, name_en=text, section=f"{text} 二(一)", clause=text)
    for indicator, text in zip(doc["indicators"], PAYLOADS):
        indicator.update(name_zh=text, name_en=text, scope=text, bureau_table=text)
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_registry(path)


def _formulas(path) -> list[str]:
    """Every <f> element of every sheet: what Excel would run."""
    with zipfile.ZipFile(path) as archive:
        return [m for name in archive.namelist() if name.startswith("xl/worksheets/")
                for m in re.findall(r"<f>[^<]*</f>", archive.read(name).decode())]


def _assessment(registry) -> pd.DataFrame:
    rows = []
    for i, tg in enumerate(registry.targets):
        flagged = i < 4
        rows.append({"target": tg.id, "as_of": 2021, "latest_year": 2021, "latest_value": 40.0,
                     "projected": 36.5 if flagged else np.nan, "lo80": 30.0, "hi80": 42.0,
                     "p_meet": 0.05 if flagged else np.nan, "status": "very unlikely" if flagged else "insufficient data",
                     "method": "drift", "reason": f"{PAYLOADS[i % len(PAYLOADS)]} <img src=x onerror=alert(1)>",
                     "reason_zh": f"{PAYLOADS[i % len(PAYLOADS)]} <script>alert(1)</script>"})
    return pd.DataFrame(rows)


def test_the_scorecard_has_no_formula_whatever_the_names_and_titles_say(tmp_path, hostile_registry):
    table = _assessment(hostile_registry)
    sources = pd.DataFrame({"id": ["S01", "S02"], "title": [LINK, DDE], "publisher": ["@x", "+y"],
                            "address": ["-z", "a"], "accessed": ["", ""], "quote": ["=1+1", ""], "note": ["", ""]})
    vintage = pd.DataFrame([{"target": t, "as_of": 2021, "p_meet": 0.5} for t in table["target"]])
    path = excel.write_scorecard(tmp_path / "scorecard.xlsx", hostile_registry, table, table.iloc[:0], vintage, sources,
                                 lang="zh")
    assert _formulas(path) == []
    book = openpyxl.load_workbook(path)
    names = [c.value for c in book["评估表"]["B"][1:6]]
    assert names == PAYLOADS  # the text as written, shown as text
    texts = [c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert {c.data_type for c in texts} == {"s"} and any(c.value == DDE for c in texts)
    assert book["评估表"]["J1"].value == "达成概率" and book["评估表"]["J2"].data_type == "n"  # numbers stay numbers
    assert [c.hyperlink for c in _column(book["资料来源"], "网址")] == [None, None]  # "-z" and "a" are no addresses


def _column(ws, header: str) -> list:
    """The body cells under `header`."""
    j = [c.value for c in ws[1]].index(header) + 1
    return [ws.cell(r, j) for r in range(2, ws.max_row + 1)]


def test_a_source_address_is_a_link_only_when_it_is_a_web_address(tmp_path, hostile_registry):
    """An analyst's sources.csv may hold anything in `address`: only http(s) becomes clickable, nothing else does."""
    table = _assessment(hostile_registry)
    addresses = ["https://example.org/report.html", "javascript:alert(1)", "file:///C:/Windows/System32/calc.exe",
                 "data:text/html,<script>alert(1)</script>", "\\\\evil\\share\\x.xlsx", LINK, "http://example.org/a?b=1&c=2"]
    sources = pd.DataFrame({"id": [f"S{i}" for i in range(len(addresses))], "title": "t", "publisher": "p",
                            "address": addresses, "accessed": "", "quote": "", "note": ""})
    path = excel.write_scorecard(tmp_path / "scorecard.xlsx", hostile_registry, table, table.iloc[:0],
                                 pd.DataFrame(columns=["target", "as_of", "p_meet"]), sources, lang="en")
    cells = _column(openpyxl.load_workbook(path)["Sources"], "Address")
    assert [c.value for c in cells] == addresses  # every address shown, as text
    assert {c.value: c.hyperlink.target for c in cells if c.hyperlink} == {
        "https://example.org/report.html": "https://example.org/report.html",
        "http://example.org/a?b=1&c=2": "http://example.org/a?b=1&c=2"}
    with zipfile.ZipFile(path) as archive:
        rels = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".rels"))
    assert "javascript" not in rels and "file:" not in rels and "data:" not in rels and "evil" not in rels


def test_the_fill_in_template_has_no_formula_whatever_the_registry_says(tmp_path, hostile_registry):
    path = write_template(hostile_registry, tmp_path / "template.xlsx")
    assert _formulas(path) == []
    notes = openpyxl.load_workbook(path)["说明"]
    assert [c.value for c in notes["B"][3:8]] == PAYLOADS


@pytest.mark.parametrize("text, safe", [
    (LINK, "'" + LINK), (DDE, "'" + DDE), ("+86 571 8888", "'+86 571 8888"), ("-cmd", "'-cmd"),
    ("@杭州市民,公报", "'@杭州市民,公报"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("-3.5", "-3.5"), ("+2", "+2"), ("-1e-05", "-1e-05"), ("2013-2021", "2013-2021"), ("公报", "公报"), ("", ""),
    (-3.5, -3.5), (None, None),
])
def test_spreadsheet_safe_marks_text_a_spreadsheet_would_run_and_keeps_numbers(text, safe):
    assert spreadsheet_safe(text) == safe
    if isinstance(text, str):
        assert from_spreadsheet_safe(spreadsheet_safe(text)) == text


def test_processed_csv_text_is_safe_in_excel_and_reads_back_as_written(raw_dir, toy_registry_path, tmp_path):
    """A source title "=HYPERLINK(...)" became a live link in the analyst's Excel; a negative growth rate must stay
    a number, and the briefing, reading sources.csv back, must see the title as written."""
    (raw_dir / "sources.csv").write_text(SOURCES.replace("杭州统计年鉴2021", '"' + LINK.replace('"', '""') + '"')
                                         .replace("S02,杭州市生态环境状况公报", f"S02,\"{DDE}\""), encoding="utf-8")
    (raw_dir / "bureau" / "g.csv").write_text("指标,单位,2019,2020\n规上工业增加值增速,%,-1.2,3\n", encoding="utf-8")
    write_layouts(raw_dir, [dict(id="g", file="bureau/g.csv", header_rows=[1], data_start=2, years="columns",
                                 label="A", unit={"column": "B"}, source={"fixed": "S01"},
                                 indicators={"规上工业增加值增速": "va_growth"})])
    build(raw_dir, tmp_path / "out", toy_registry_path)
    text = (tmp_path / "out" / "sources.csv").read_text(encoding="utf-8-sig")
    assert '\nS01,"\'=HYPERLINK(""http://evil.example/"",""点击查看"")",' in text
    assert "\nva_growth,2019,-1.2,%,S01\n" in (tmp_path / "out" / "indicators.csv").read_text(encoding="utf-8-sig")
    assert load_sources(tmp_path / "out" / "sources.csv").set_index("id").loc["S01", "title"] == LINK


def _summary(tmp_path, registry) -> tuple[str, str]:
    no_data = pd.DataFrame({"indicator": [], "year": [], "value": []})  # every target's table is requested
    summary.write_summary(tmp_path, summary.Facts(registry, 2021, _assessment(registry), data=no_data), "en")
    return (tmp_path / "summary.md").read_text(encoding="utf-8"), (tmp_path / "summary.html").read_text(encoding="utf-8")


def test_the_summary_shows_markup_from_names_and_reasons_never_renders_it(tmp_path, hostile_registry):
    doc = copy.deepcopy(REGISTRY)
    doc["targets"][0].update(name_en="<script>alert(1)</script>", clause="x")
    doc["targets"][1].update(name_en="[click](javascript:alert(1)) ![pixel](http://evil.example/p.png)")
    doc["targets"][2].update(name_en="line one\n# a heading of its own\n- and a list")
    doc["indicators"][4].update(bureau_table="<iframe src=http://evil.example>")
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    md, page = _summary(tmp_path, load_registry(path))
    for text in (md, page):
        assert "<script" not in text and "<img" not in text and "<iframe" not in text
    assert "&lt;script>alert(1)&lt;/script>" in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert r"\[click\](javascript:alert(1)) !\[pixel\]" in md
    assert "line one # a heading of its own - and a list" in md and "\n# a heading" not in md
    assert "&lt;iframe src=http://evil.example>" in md


def test_the_build_report_shows_cell_text_never_renders_it(raw_dir, toy_registry_path, tmp_path):
    """Labels of skipped rows come from the analyst's cells and are listed in build_report.md."""
    (raw_dir / "bureau" / "a.csv").write_text("指标,单位,2019,2020\n<img src=x onerror=alert(1)>,,,\n"
                                              "[新获](http://evil.example),家,3,2\n", encoding="utf-8")
    write_layouts(raw_dir, [dict(id="a", file="bureau/a.csv", header_rows=[1], data_start=2, years="columns",
                                 label="A", unit={"column": "B"}, source={"fixed": "S03"},
                                 indicators={"[新获](http://evil.example)": "awards"})])
    build(raw_dir, tmp_path / "out", toy_registry_path)
    report = (tmp_path / "out" / "build_report.md").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)>" in report and "<img" not in report


def test_dollar_signs_in_a_publisher_print_as_written_never_as_math(tmp_path):
    """matplotlib reads "$...$" as math: a publisher named with it must neither crash a chart nor turn italic."""
    from matplotlib.figure import Figure

    from qanalysis.report import style
    from qanalysis.report.labels import source_line
    with matplotlib.rc_context(style.house_rc()):
        fig = Figure()
        text = fig.text(0, 0, source_line(["Bureau $\\notacommand$ and US$5 to US$10"], "en"))
        style.save(fig, tmp_path / "chart")  # a parse error would raise here
    assert text.get_parse_math() is False  # drawn as the characters written, not as math
