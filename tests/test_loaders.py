"""The generic reader on yearbook-style tables: what it reads, and what it reports as not read."""

import datetime as dt
import math

import openpyxl
import pytest
from conftest import (
    AWARDS_CSV,
    AWARDS_LAYOUT,
    YEARBOOK_ENVIRONMENT,
    YEARBOOK_ENVIRONMENT_LAYOUT,
    YEARBOOK_INDUSTRY,
    YEARBOOK_INDUSTRY_LAYOUT,
    make_workbook,
)

from qanalysis.ingest import cells, layouts, sheets


def _values(frame):
    return {(r.indicator, int(r.year)): r.value for r in frame.itertuples()}


@pytest.mark.parametrize("cell, number, mark", [
    (12.5, 12.5, ""), (3, 3.0, ""), ("38", 38.0, ""), ("  38 ", 38.0, ""), ("１２．５", 12.5, ""),
    ("38*", 38.0, "*"), ("45.2①", 45.2, "①"), ("45.2 ②", 45.2, "②"), ("７＊", 7.0, "＊"),
    ("1,234.5", 1234.5, ""), ("1，234", 1234.0, ""), ("12,345,678", 12345678.0, ""), ("４，１２０．５", 4120.5, ""),
    ("-3.2", -3.2, ""), ("－1.2", -1.2, ""), ("\u22123.5", -3.5, ""), ("+2", 2.0, ""), (".5", 0.5, ""), (-0.7, -0.7, ""),
])
def test_parse_value_reads_yearbook_numbers(cell, number, mark):
    value = cells.parse_value(cell)
    assert value.number == pytest.approx(number, abs=0) and value.mark == mark


@pytest.mark.parametrize("cell", [None, "", "  ", "-", "--", "—", "——", "－", "…", "……", "...", "–"])
def test_parse_value_not_published_marks(cell):
    assert cells.parse_value(cell).number is None


def test_parse_value_percent_sign_only_in_percent_rows():
    assert cells.parse_value("12.5%", percent_ok=True).number == 12.5
    assert cells.parse_value("１２．５％", percent_ok=True).number == 12.5
    with pytest.raises(ValueError, match='found "12.5%"'):
        cells.parse_value("12.5%", percent_ok=False)


@pytest.mark.parametrize("cell, found", [
    ("十四", 'found "十四"'), ("约40", 'found "约40"'), (">4400", 'found ">4400"'), ("1,23", 'found "1,23"'),
    ("1 234", 'found "1 234"'), ("nan", 'found "nan"'), ("inf", 'found "inf"'), (math.nan, "found nan"),
    (True, "found TRUE"), (dt.datetime(2018, 1, 5), 'found a date "2018-01-05 00:00:00"'), ("12..5", 'found "12..5"'),
])
def test_parse_value_refuses_what_is_not_a_number(cell, found):
    with pytest.raises(ValueError, match=found):
        cells.parse_value(cell)


@pytest.mark.parametrize("cell, year", [
    (2018, 2018), (2018.0, 2018), ("2018", 2018), ("2018年", 2018), ("２０１８年", 2018), ("2018年度", 2018),
    ("2018年①", 2018), (" 2018 年 ", 2018), ("合计", None), ("2018年增速", None), (2018.5, None), (None, None),
    (True, None), ("18年", None),
])
def test_parse_year(cell, year):
    assert cells.parse_year(cell) == year


def test_clean_label_strips_marks_before_folding():
    assert cells.clean_label("指标名称①") == ("指标名称", "①")
    assert cells.clean_label(" 规上工业 增加值（亿元）* ") == ("规上工业增加值(亿元)", "*")


def test_yearbook_two_row_merged_header(raw_dir, read_layout):
    make_workbook(raw_dir / "bureau" / "yearbook.xlsx", {"工业": YEARBOOK_INDUSTRY})
    result = read_layout(YEARBOOK_INDUSTRY_LAYOUT)
    assert _values(result.frame) == {
        ("va_total", 2018): 3504.3, ("va_total", 2019): 3829.7, ("va_total", 2020): 4120.5,
        ("va_growth", 2018): 6.5, ("va_growth", 2019): 7.1, ("va_growth", 2020): -1.2,
        ("new_product_rate", 2018): 35.2, ("new_product_rate", 2019): 36.8, ("new_product_rate", 2020): 38.1}
    units = dict(zip(result.frame["indicator"], result.frame["unit"]))
    assert units == {"va_total": "亿元", "va_growth": "%", "new_product_rate": "%"}
    row = result.frame[(result.frame["indicator"] == "va_total") & (result.frame["year"] == 2020)].iloc[0]
    assert row["cell"] == "F5" and row["where"].endswith("bureau/yearbook.xlsx, sheet 工业, cell F5")
    assert row["source"] == "S01" and row["table"] == "yearbook_industry"
    assert [(s.where, s.what, s.cells) for s in result.skipped] == [
        ("A6", "按行业分", 0), ("A7", "新产品产值率(%)/增速(%)", 2)]
    assert "ignored" in result.skipped[1].why and "heading" in result.skipped[0].why
    assert result.notes == [
        "yearbook_industry: footnote A8: 注: ①2020年为快报数。",
        "yearbook_industry: footnote A9: 资料来源: 杭州统计年鉴2021",
        'yearbook_industry: A5 footnote mark "①" removed from label "规上工业增加值①"',
        'yearbook_industry: B7 footnote mark "*" removed from "35.2*"']
    assert result.not_published == []


def test_years_down_with_a_unit_row(raw_dir, read_layout):
    make_workbook(raw_dir / "bureau" / "yearbook.xlsx", {"环境": YEARBOOK_ENVIRONMENT})
    result = read_layout(YEARBOOK_ENVIRONMENT_LAYOUT)
    assert _values(result.frame) == {("pm25", 2015): 57, ("pm25", 2016): 49, ("pm25", 2017): 45, ("pm25", 2018): 40,
                                     ("satisfaction", 2016): 80.1, ("satisfaction", 2017): 81.2,
                                     ("satisfaction", 2018): 82.5}
    assert set(result.frame["unit"]) == {"微克/立方米", "分"}
    assert [(n.indicator, n.year, n.cell, n.shown) for n in result.not_published] == [("satisfaction", 2015, "D5", "…")]
    assert [(s.where, s.what, s.cells) for s in result.skipped] == [("C3", "地表水达标比例", 4)]
    assert 'yearbook_environment: B8 footnote mark "①" removed from "40①"' in result.notes


def test_three_row_header_with_qualifiers(raw_dir, read_layout):
    rows = [["表"], ["指标", "2019年", None, None, None], [None, "全年", None, "上半年", None],
            [None, "绝对值", "增速", "绝对值", "增速"], ["规上工业增加值", 3829.7, 7.1, 1800, 6.0]]
    make_workbook(raw_dir / "bureau" / "y.xlsx", {"工业": {"rows": rows, "merges": ["B2:E2", "B3:C3", "D3:E3", "A2:A4"]}})
    result = read_layout(dict(id="t", file="bureau/y.xlsx", sheet="工业", header_rows=[2, 3, 4], data_start=5,
                       years="columns", label="A", unit={"fixed": "亿元"}, source={"fixed": "S01"},
                       indicators={"规上工业增加值/全年/绝对值": "va_total"}, ignore=["上半年", "增速"]))
    assert _values(result.frame) == {("va_total", 2019): 3829.7}
    assert sorted(s.what for s in result.skipped) == ["2019年/上半年/增速", "2019年/上半年/绝对值", "2019年/全年/增速"]


def test_years_down_with_a_two_row_label_header(raw_dir, read_layout):
    rows = [["表"], ["年份", "规上工业增加值", None, "新产品产值率(%)"], [None, "绝对值(亿元)", "增速(%)", None],
            ["2019年", "3,829.7", 7.1, 36.8], ["2020年", "4120.5", "-1.2", "…"], ["2021"]]
    make_workbook(raw_dir / "bureau" / "y.xlsx", {"工业": {"rows": rows, "merges": ["B2:C2", "A2:A3", "D2:D3"]}})
    result = read_layout(dict(id="t", file="bureau/y.xlsx", sheet="工业", header_rows=[2, 3], data_start=4,
                              years="rows", label=2, year="A", unit={"in_label": True}, source={"fixed": "S01"},
                              indicators={"规上工业增加值/绝对值": "va_total", "规上工业增加值/增速": "va_growth",
                                          "新产品产值率": "new_product_rate"}))
    assert _values(result.frame) == {("va_total", 2019): 3829.7, ("va_total", 2020): 4120.5, ("va_growth", 2019): 7.1,
                                     ("va_growth", 2020): -1.2, ("new_product_rate", 2019): 36.8}
    assert dict(zip(result.frame["indicator"], result.frame["unit"])) == {
        "va_total": "亿元", "va_growth": "%", "new_product_rate": "%"}
    assert sorted((n.indicator, n.year, n.cell) for n in result.not_published) == [
        ("new_product_rate", 2020, "D5"), ("new_product_rate", 2021, "D6"), ("va_growth", 2021, "C6"),
        ("va_total", 2021, "B6")]


def test_unit_row_for_years_across(raw_dir, read_layout):
    rows = [["表"], ["指标", "2018年", "2019年"], [None, "万元", "亿元"], ["规上工业增加值", 35043000, 3829.7]]
    make_workbook(raw_dir / "bureau" / "y.xlsx", {"工业": {"rows": rows}})
    frame = read_layout(dict(id="t", file="bureau/y.xlsx", sheet="工业", header_rows=[2], data_start=4, years="columns",
                      label="A", unit={"row": 3}, source={"fixed": "S01"},
                      indicators={"规上工业增加值": "va_total"}), checked=True)
    assert _values(frame) == {("va_total", 2018): 3504.3, ("va_total", 2019): 3829.7}
    assert set(frame["unit"]) == {"亿元"}


def test_unit_in_full_width_label_and_conversion(raw_dir, read_layout):
    rows = [["指标", "2021", "２０２２年"], ["规上工业增加值（万元）", "12,345", "４５６７８"], ["注册商标数", None, None]]
    make_workbook(raw_dir / "bureau" / "y.xlsx", {"工业": {"rows": rows}})
    frame = read_layout(dict(id="t", file="bureau/y.xlsx", sheet="工业", header_rows=[1], data_start=2, years="columns",
                      label="A", unit={"in_label": True}, source={"fixed": "S01"},
                      indicators={"规上工业增加值": "va_total"}), checked=True)
    # 12345 万元 = 1.2345 亿元 exactly as written (rounded to 12 significant digits, no 1.2345000000000002)
    assert _values(frame) == {("va_total", 2021): 1.2345, ("va_total", 2022): 4.5678}


def test_template_layout_two_sources_and_unit_conversion(public_table):
    frame = public_table(
        ["tax_per_mu", "亩均税收", "万元/亩", "S01", None, None, None, None, None, None, 25.1],
        ["tax_per_mu", "亩均税收", "元/亩", "S02", None, None, None, None, None, None, None, "268,000"],
        ["注: 2020年来自第二来源"])
    assert frame[["indicator", "year", "value", "unit", "source"]].values.tolist() == [
        ["tax_per_mu", 2019, 25.1, "万元/亩", "S01"], ["tax_per_mu", 2020, 26.8, "万元/亩", "S02"]]


def test_label_starting_with_zhu_is_data_not_a_footnote(raw_dir, read_layout):
    rows = [["指标", "2021"], ["注册商标数", 3], ["注: 这是脚注"]]
    make_workbook(raw_dir / "bureau" / "y.xlsx", {"工业": {"rows": rows}})
    result = read_layout(dict(id="t", file="bureau/y.xlsx", sheet="工业", header_rows=[1], data_start=2, years="columns",
                       label="A", unit={"fixed": "家"}, source={"fixed": "S01"}, indicators={"注册商标数": "awards"}))
    assert _values(result.frame) == {("awards", 2021): 3}
    assert result.notes == ["t: footnote A3: 注: 这是脚注"]


def test_csv_table_utf8(raw_dir, read_layout):
    (raw_dir / "bureau" / "awards.csv").write_text(AWARDS_CSV, encoding="utf-8")
    result = read_layout(AWARDS_LAYOUT)
    assert _values(result.frame) == {("awards", 2019): 3, ("awards", 2020): 2, ("awards", 2022): 4}
    assert result.frame["cell"].tolist() == ["line 2, column C", "line 2, column D", "line 2, column F"]
    assert [(n.year, n.cell, n.shown) for n in result.not_published] == [(2021, "line 2, column E", "-")]
    assert result.notes == []


def test_csv_table_gbk_bytes_read_as_gb18030_and_reported(raw_dir, read_layout):
    (raw_dir / "bureau" / "awards.csv").write_bytes(AWARDS_CSV.encode("gbk"))
    result = read_layout(AWARDS_LAYOUT)
    assert _values(result.frame) == {("awards", 2019): 3, ("awards", 2020): 2, ("awards", 2022): 4}
    assert result.notes == ["awards: bureau/awards.csv is GB18030 text (not UTF-8); read as GB18030"]


def test_csv_with_bom(raw_dir, read_layout):
    (raw_dir / "bureau" / "awards.csv").write_bytes(AWARDS_CSV.encode("utf-8-sig"))
    assert len(read_layout(AWARDS_LAYOUT).frame) == 3


def test_calamine_and_openpyxl_read_the_same_grid(raw_dir):
    path = make_workbook(raw_dir / "bureau" / "yearbook.xlsx", {"工业": YEARBOOK_INDUSTRY, "环境": YEARBOOK_ENVIRONMENT})
    for sheet in ("工业", "环境"):
        fast, slow = (sheets.read_grid(path, sheet, engine=e) for e in ("calamine", "openpyxl"))
        assert set(fast.merges) == set(slow.merges) and fast.merges
        cells = lambda g: {(r, c): g.get(r, c) for r in range(len(g.rows)) for c in range(g.width)
                           if g.get(r, c) is not None}
        assert cells(fast) == cells(slow)


def test_both_engines_give_the_same_table(raw_dir, read_layout):
    make_workbook(raw_dir / "bureau" / "yearbook.xlsx", {"工业": YEARBOOK_INDUSTRY})
    fast, slow = (read_layout(YEARBOOK_INDUSTRY_LAYOUT, engine=e).frame for e in ("calamine", "openpyxl"))
    assert fast.equals(slow)


def test_openpyxl_parses_through_defusedxml():
    import defusedxml.ElementTree
    import openpyxl.xml.functions

    assert openpyxl.DEFUSEDXML is True
    assert openpyxl.xml.functions.fromstring is defusedxml.ElementTree.fromstring
    assert openpyxl.xml.functions.iterparse is defusedxml.ElementTree.iterparse


def test_sheet_names_include_hidden_sheets(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "a"
    book.create_sheet("b").sheet_state = "veryHidden"
    book.save(tmp_path / "h.xlsx")
    assert sheets.sheet_names(tmp_path / "h.xlsx") == ["a", "b"]


def test_load_layouts_reads_records(raw_dir, toy_registry):
    import yaml

    (raw_dir / "layouts.yaml").write_text(yaml.safe_dump({"tables": [AWARDS_LAYOUT, YEARBOOK_ENVIRONMENT_LAYOUT]},
                                                         allow_unicode=True), encoding="utf-8")
    loaded = layouts.load_layouts(raw_dir / "layouts.yaml", toy_registry, {"S01", "S02", "S03"})
    assert [x.id for x in loaded] == ["awards", "yearbook_environment"]
    assert loaded[1].unit.row == 4 and loaded[1].label == 3 and loaded[0].label == "A"
    assert loaded[1].key_columns() == {0}


def test_rows_without_numbers_need_no_unit_or_source(public_table):
    frame = public_table(["pm25", "PM2.5", None, None, "-", "…", None], ["rank", "位次", "位", "S01", 1])
    assert frame[["indicator", "year", "value"]].values.tolist() == [["rank", 2013, 1.0]]


def test_ignore_by_indicator_code(raw_dir, read_layout):
    from conftest import template_layout, template_rows

    make_workbook(raw_dir / "bureau" / "public.xlsx", {"产业": {"rows": template_rows(
        ["pm25", "PM2.5", "微克/立方米", "S01", 40], ["rank", "位次", "位", "S01", 1])}})
    result = read_layout(template_layout(ignore=["pm25"]))
    assert _values(result.frame) == {("rank", 2013): 1}
    assert [(s.where, s.what, s.cells) for s in result.skipped] == [("B4", "PM2.5", 1)]
