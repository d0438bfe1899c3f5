"""Malformed input: every case is an InputError naming the file, the sheet and cell (or line, or record) and what
was expected. One test per case; the assertions read the message the analyst would see."""

import os
import re
import zipfile

import pytest
import yaml
from conftest import (
    AWARDS_CSV,
    AWARDS_LAYOUT,
    SOURCE_IDS,
    YEARBOOK_INDUSTRY,
    YEARBOOK_INDUSTRY_LAYOUT,
    make_workbook,
    template_layout,
    template_rows,
    write_layouts,
)
from conftest import input_error as _raises

from qanalysis.ingest import layouts, sheets
from qanalysis.ingest.build import build


def _sheet(raw_dir, rows, merges=(), name="工业", file="y.xlsx"):
    return make_workbook(raw_dir / "bureau" / file, {name: {"rows": rows, "merges": list(merges)}})


def _layout(**changes):
    record = dict(id="t", file="bureau/y.xlsx", sheet="工业", header_rows=[3], data_start=4, years="columns",
                  label="A", unit={"fixed": "亿元"}, source={"fixed": "S01"}, indicators={"规上工业增加值": "va_total"})
    record.update(changes)
    return record


# 1 ------------------------------------------------------------------ headers

def test_merged_year_cell_spanning_columns_that_do_not_belong_together(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], [], ["指标", "2018年", None, "2019年"], ["规上工业增加值", 1, 2, 3]], merges=["B3:C3"])
    message = _raises(lambda: read_layout(_layout()), "bureau/y.xlsx, sheet 工业, cells B3:C3",
                      'merged header "2018年" spans columns that do not belong together',
                      "expected one value column per year and qualifier")
    assert 'B ""' in message and 'C ""' in message


def test_merged_year_cell_over_a_blank_sub_header(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], ["指标", "2018年", None, None], [None, "绝对值", "增速", None], ["规上工业增加值", 1, 2, 3]],
           merges=["B2:D2", "A2:A3"])
    _raises(lambda: read_layout(_layout(header_rows=[2, 3])), "sheet 工业, cells B2:D2",
            'do not tell them apart (B "绝对值", C "增速", D "")')


def test_merged_year_cell_wider_than_the_table(raw_dir, read_layout):
    rows = [["表"], ["指标", "2018年"], [None, "绝对值"], ["规上工业增加值", 1]]
    _sheet(raw_dir, rows, merges=["B2:D2", "A2:A3"])
    _raises(lambda: read_layout(_layout(header_rows=[2, 3])), "sheet 工业, cells B2:D2",
            'do not tell them apart (B "绝对值", C "", D "")')


def test_lower_merge_crossing_an_upper_boundary(raw_dir, read_layout):
    rows = [["表"], ["指标", "2018年", None, "2019年", None], [None, "绝对值", "增速", None, "增速"],
            ["规上工业增加值", 1, 2, 3, 4]]
    _sheet(raw_dir, rows, merges=["B2:C2", "D2:E2", "C3:D3"])
    _raises(lambda: read_layout(_layout(header_rows=[2, 3])), "sheet 工业, cells C3:D3",
            'merged header "增速" crosses the boundary between header cells of row 2')


def test_merge_spanning_label_and_year_columns(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], [], ["指标", None, "2019年"], ["规上工业增加值", 1, 2]], merges=["A3:B3"])
    _raises(lambda: read_layout(_layout()), "sheet 工业, cells A3:B3",
            "merged header spans a label/code/unit/source column and value columns")


def test_header_merge_reaching_into_the_data_rows(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], [], ["指标", "2019年"], ["规上工业增加值", None]], merges=["B3:B4"])
    _raises(lambda: read_layout(_layout()), "sheet 工业, cells B3:B4", "merged cell reaches outside the header rows [3]")


def test_duplicate_year_column(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], [], ["指标", "2018年", "2019年", "２０１８"], ["规上工业增加值", 1, 2, 3]])
    _raises(lambda: read_layout(_layout()), "bureau/y.xlsx, sheet 工业, cell D3: duplicate year column: 2018 is also "
            "column B")


@pytest.mark.parametrize("header, expected", [
    ("1900年", "cell C3: year 1900 is outside 1949-2100"),
    ("2101", "cell C3: year 2101 is outside 1949-2100"),
    ("合计", 'cell C3: expected a year like 2018 or 2018年, found "合计"'),
    ("2018年比上年增长", 'cell C3: expected a year like 2018 or 2018年, found "2018年比上年增长"'),
])
def test_year_out_of_range_or_not_a_year(raw_dir, read_layout, header, expected):
    _sheet(raw_dir, [["表"], [], ["指标", "2018年", header], ["规上工业增加值", 1, 2]])
    _raises(lambda: read_layout(_layout()), "bureau/y.xlsx, sheet 工业, " + expected)


def test_year_rows_not_a_year(raw_dir, read_layout):
    _sheet(raw_dir, [["年份", "PM2.5平均浓度"], [None, "微克/立方米"], ["2018年", 40], ["平均", 41]])
    record = _layout(header_rows=[1, 2], data_start=3, years="rows", label=1, year="A", unit={"row": 2},
                     indicators={"PM2.5平均浓度": "pm25"})
    _raises(lambda: read_layout(record), 'sheet 工业, cell A4: expected a year like 2018 or 2018年, found "平均"')


def test_values_in_a_column_without_a_year(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], [], ["指标", "2018年", None], ["规上工业增加值", 1, 2]])
    _raises(lambda: read_layout(_layout()), "sheet 工业, cell C4: column C has values but no year in header rows [3]")


# 2 ------------------------------------------------------------------ value cells

@pytest.mark.parametrize("text", ["十四", "约40", ">4400"])
def test_text_in_a_number_cell(raw_dir, read_layout, text):
    rows = [["表"], [], ["指标", "2014年", "2015年", "2016年"], [], [], [], ["规上工业增加值", 1, 2, text]]
    _sheet(raw_dir, rows)
    _raises(lambda: read_layout(_layout()), f'bureau/y.xlsx, sheet 工业, cell D7: expected a number for 2016, found "{text}"')


def test_percent_sign_in_a_row_of_another_unit(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], [], ["指标", "2016年"], ["规上工业增加值", "12%"]])
    _raises(lambda: read_layout(_layout()), 'cell B4: expected a number for 2016, found "12%" (a percent sign, but the unit is 亿元)')


def test_date_in_a_number_cell(raw_dir, read_layout):
    import datetime as dt
    _sheet(raw_dir, [["表"], [], ["指标", "2016年"], ["规上工业增加值", dt.date(2016, 3, 5)]])
    _raises(lambda: read_layout(_layout()), 'cell B4: expected a number for 2016, found a date "2016-03-05')


def test_every_bad_cell_of_a_table_in_one_message(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], [], ["指标", "2015年", "2016年"], ["规上工业增加值", "一", "二"]])
    _raises(lambda: read_layout(_layout()), 'cell B4: expected a number for 2015, found "一"',
            'cell C4: expected a number for 2016, found "二"')


# 3 ------------------------------------------------------------------ duplicates

def test_duplicate_indicator_year_across_rows(public_table):
    _raises(lambda: public_table(["pm25", "PM2.5", "微克/立方米", "S01", None, None, None, None, None, 40],
                                 ["pm25", "PM2.5", "微克/立方米", "S02", None, None, None, None, None, 41]),
            "pm25 2018: the same indicator-year appears twice:",
            "bureau/public.xlsx, sheet 产业, cell J4 and", "bureau/public.xlsx, sheet 产业, cell J5; expected one value")


def test_duplicate_indicator_year_across_tables(raw_dir, toy_registry_path, tmp_path):
    make_workbook(raw_dir / "bureau" / "public.xlsx",
                  {"产业": {"rows": template_rows(["awards", "奖", "家", "S01", None, None, None, None, None, None, 3])}})
    (raw_dir / "bureau" / "awards.csv").write_text(AWARDS_CSV, encoding="utf-8")
    write_layouts(raw_dir, [template_layout(), AWARDS_LAYOUT])
    _raises(lambda: build(raw_dir, tmp_path / "out", toy_registry_path),
            "awards 2019: the same indicator-year appears twice:", "bureau/public.xlsx, sheet 产业, cell K4",
            "bureau/awards.csv, line 2, column C")


# 4 ------------------------------------------------------------------ files and sheets

def test_missing_sheet(raw_dir, read_layout):
    _sheet(raw_dir, [["x"]], name="工业 ")
    _raises(lambda: read_layout(_layout()), "bureau/y.xlsx: no sheet '工业'; the sheets are: 工业 ")


def test_missing_file(raw_dir, read_layout):
    _raises(lambda: read_layout(_layout(file="bureau/none.xlsx")), "bureau/none.xlsx: file not found")


def test_random_bytes_instead_of_a_workbook(raw_dir, read_layout):
    (raw_dir / "bureau" / "y.xlsx").write_bytes(os.urandom(4000))
    _raises(lambda: read_layout(_layout()), "bureau/y.xlsx: not a readable .xlsx workbook (damaged or not an Excel file")


def test_truncated_workbook(raw_dir, read_layout):
    path = _sheet(raw_dir, [["表"], [], ["指标", "2018年"], ["规上工业增加值", 1]])
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    _raises(lambda: read_layout(_layout()), "bureau/y.xlsx: not a readable .xlsx workbook")


def test_workbook_with_a_damaged_member(raw_dir, read_layout):
    path = _sheet(raw_dir, [["表"], [], ["指标", "2018年"], ["规上工业增加值", 1]])
    with zipfile.ZipFile(path) as archive:
        members = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r='1'><c r='A1'"  # cut mid-element
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    _raises(lambda: read_layout(_layout()), "bureau/y.xlsx", "cannot read the sheet")


def test_workbook_declaring_an_xml_entity_is_refused(raw_dir, read_layout):
    path = _sheet(raw_dir, [["表"], [], ["指标", "2018年"], ["规上工业增加值", 1]])
    with zipfile.ZipFile(path) as archive:
        members = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    bomb = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    members["xl/worksheets/sheet1.xml"] = bomb + members["xl/worksheets/sheet1.xml"]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    for engine in ("calamine", "openpyxl"):
        _raises(lambda: read_layout(_layout(), engine=engine), "bureau/y.xlsx: refused: xl/worksheets/sheet1.xml declares an XML DTD")
    # and behind that check, openpyxl itself parses through defusedxml, which forbids the entities
    import openpyxl
    with pytest.raises(ValueError) as info, path.open("rb") as fh:  # our handle: openpyxl leaves its own open on error
        openpyxl.load_workbook(fh)
    assert type(info.value.__cause__).__name__ == "EntitiesForbidden"


def test_workbook_unpacking_to_too_much_is_refused(raw_dir, read_layout, monkeypatch):
    _sheet(raw_dir, [["表"], [], ["指标", "2018年"], ["规上工业增加值", 1]])
    monkeypatch.setattr(sheets, "MAX_UNPACKED_BYTES", 2**20 // 4)
    with zipfile.ZipFile(raw_dir / "bureau" / "y.xlsx", "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", b"\0" * 2**20)  # 1 MB of zeros packs to about 1 kB
    assert (raw_dir / "bureau" / "y.xlsx").stat().st_size < 2**20 // 4
    _raises(lambda: read_layout(_layout()), "bureau/y.xlsx: refused: unpacks to more than 0 MB")


def test_empty_table(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], [], ["指标", "2018年", "2019年"], [], ["注: 无数据"]])
    _raises(lambda: read_layout(_layout()), "bureau/y.xlsx, sheet 工业: empty table t: expected data rows under header rows [3] from row 4")


# 5 ------------------------------------------------------------------ units

def test_unknown_unit(public_table):
    _raises(lambda: public_table(["va_total", "增加值", "亿美元", "S01", 1]),
            'bureau/public.xlsx, sheet 产业, cell C4: unknown unit "亿美元"; expected one of: %')


def test_missing_unit_cell(public_table):
    _raises(lambda: public_table(["va_total", "增加值", None, "S01", 1]),
            "sheet 产业, cell C4: expected a unit (like 亿元 or %), found a blank cell")


def test_unit_incompatible_with_the_indicator(public_table):
    _raises(lambda: public_table(["va_total", "增加值", "%", "S01", 12]),
            'bureau/public.xlsx, sheet 产业, cell E4: unit "%" does not fit indicator va_total, measured in "亿元"',
            'cannot convert "%" (percent) to "亿元" (money)')


def test_unit_changing_across_rows_of_one_indicator(public_table):
    _raises(lambda: public_table(["va_total", "增加值", "亿元", "S01", 1], ["va_total", "增加值", "%", "S01", None, 2]),
            "va_total: unit changes from 亿元 (", "cell E4) to % (", "cell F5); expected one kind of unit per indicator")


def test_unit_changing_across_years_in_a_unit_row(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], ["指标", "2018年", "2019年"], [None, "亿元", "%"], ["规上工业增加值", 3504.3, 7.1]])
    _raises(lambda: read_layout(_layout(header_rows=[2], unit={"row": 3}), checked=True),
            "va_total: unit changes from 亿元 (", "cell B4) to % (", "cell C4)")


def test_no_unit_in_the_label(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], [], ["指标", "2018年"], ["规上工业增加值", 1]])
    _raises(lambda: read_layout(_layout(unit={"in_label": True})),
            'cell A4: expected a unit in the label, like 规上工业增加值(亿元), found "规上工业增加值"')


# 6 ------------------------------------------------------------------ labels, ids and sources

def test_label_not_mapped_and_not_ignored(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], [], ["指标", "2018年"], ["规上工业增加值", 1], ["其中: 高新技术产业", 2]])
    _raises(lambda: read_layout(_layout()), 'bureau/y.xlsx, sheet 工业, cell A5: label "其中: 高新技术产业" is not mapped to an '
            "indicator; add it to `indicators:` (label: indicator id) or to `ignore:` of table t in layouts.yaml")


def test_value_without_label_or_code(raw_dir, read_layout):
    _sheet(raw_dir, [["表"], [], ["指标", "2018年"], ["规上工业增加值", 1], [None, 2]])
    _raises(lambda: read_layout(_layout()), "bureau/y.xlsx, sheet 工业, cell B5: a value without a label or indicator code "
            "for its row")


def test_indicator_code_not_in_registry(public_table):
    _raises(lambda: public_table(["pm_25", "PM2.5", "微克/立方米", "S01", 40]),
            'bureau/public.xlsx, sheet 产业, cell A4: indicator code "pm_25" is not in the registry')


def test_layout_mapping_to_an_indicator_not_in_registry(raw_dir, read_layout):
    _raises(lambda: read_layout(_layout(indicators={"规上工业增加值": "va"})),
            'layouts.yaml, table t, field indicators: "规上工业增加值" -> "va" is not an indicator of the registry')


def test_source_id_not_in_sources(public_table):
    _raises(lambda: public_table(["pm25", "PM2.5", "微克/立方米", "S99", 40]),
            'bureau/public.xlsx, sheet 产业, cell D4: source "S99" is not in sources.csv; expected one of: S01, S02')


def test_missing_source_cell(public_table):
    _raises(lambda: public_table(["pm25", "PM2.5", "微克/立方米", None, 40]),
            "bureau/public.xlsx, sheet 产业, cell D4: expected a source id of sources.csv (like S01), found a blank cell")


# 7 ------------------------------------------------------------------ layout records

def test_layout_record_with_an_unknown_field(toy_registry):
    _raises(lambda: layouts.parse_layouts([_layout(colour="red")], "data/raw/layouts.yaml", toy_registry, SOURCE_IDS),
            "data/raw/layouts.yaml, table t, field colour: Extra inputs are not permitted")


@pytest.mark.parametrize("rows, start, expected", [
    ([], 4, "header_rows: expected 1 to 3 consecutive rows like [3] or [3, 4]; found []"),
    ([1, 2, 3, 4], 6, "expected 1 to 3 consecutive rows"),
    ([2, 4], 6, "found [2, 4]"),
    ([5], 4, "header_rows [5] must come before data_start 4"),
    ([0], 4, "field header_rows.0: Input should be greater than or equal to 1"),
])
def test_bad_header_rows(toy_registry, rows, start, expected):
    _raises(lambda: layouts.parse_layouts([_layout(header_rows=rows, data_start=start)], "layouts.yaml", toy_registry,
                                          SOURCE_IDS), "layouts.yaml, table t", expected)


@pytest.mark.parametrize("changes, expected", [
    (dict(unit={"column": "C", "fixed": "亿元"}), "give exactly one of column, row, in_label, fixed; found column, fixed"),
    (dict(unit={"fixed": "亿美元"}), 'unknown unit "亿美元"'),
    (dict(label="b"), "field label"),
    (dict(file="../secrets.xlsx"), "expected a path inside the raw folder"),
    (dict(sheet=None), "sheet: required for a workbook"),
    (dict(years="rows"), "years: rows needs `year` (a column letter)"),
    (dict(source={"fixed": "S99"}), 'field source.fixed: "S99" is not in sources.csv'),
])
def test_incoherent_layout_records(toy_registry, changes, expected):
    _raises(lambda: layouts.parse_layouts([_layout(**changes)], "layouts.yaml", toy_registry, SOURCE_IDS),
            "layouts.yaml, table t", expected)


def test_layouts_file_not_yaml_or_wrong_shape(raw_dir, toy_registry):
    path = raw_dir / "layouts.yaml"
    path.write_text("tables: [\n", encoding="utf-8")
    _raises(lambda: layouts.load_layouts(path, toy_registry, SOURCE_IDS), "layouts.yaml: not valid YAML")
    path.write_text(yaml.safe_dump({"table": []}), encoding="utf-8")
    _raises(lambda: layouts.load_layouts(path, toy_registry, SOURCE_IDS), "expected a mapping with one key, `tables:`")


# 8 ------------------------------------------------------------------ csv encodings

def test_csv_neither_utf8_nor_gb18030(raw_dir, read_layout):
    (raw_dir / "bureau" / "awards.csv").write_bytes("指标,2019\n新获质量奖,3\n".encode("utf-16"))
    _raises(lambda: read_layout(AWARDS_LAYOUT), "bureau/awards.csv: not UTF-8 or GB18030 text (undecodable byte at offset",
            "save it as CSV UTF-8")


def test_csv_bad_cell_names_the_line(raw_dir, read_layout):
    (raw_dir / "bureau" / "awards.csv").write_text('指标,单位,2019,2020\n"新获\n质量奖",家,3,三\n', encoding="utf-8")
    _raises(lambda: read_layout(dict(AWARDS_LAYOUT, indicators={"新获质量奖": "awards"})),
            'bureau/awards.csv, line 3, column D: expected a number for 2020, found "三"')


# 9 ------------------------------------------------------------------ values against the indicator's scale

@pytest.mark.parametrize("row, expected", [
    (["awards", "奖", "家", "S01", -3], "expected a whole count of 0 or more for awards 2013 (家), found -3"),
    (["awards", "奖", "家", "S01", 2.5], "expected a whole count of 0 or more for awards 2013 (家), found 2.5"),
    (["new_product_rate", "率", "%", "S01", 101.5], "expected a share between 0 and 100 for new_product_rate 2013 (%), found 101.5"),
    (["new_product_rate", "率", "%", "S01", "-0.5"], "expected a share between 0 and 100 for new_product_rate 2013 (%), found -0.5"),
    (["satisfaction", "满意度", "分", "S01", 120], "expected a score between 0 and 100 for satisfaction 2013 (分), found 120"),
    (["rank", "位次", "位", "S01", 0], "expected a whole rank of 1 or more for rank 2013 (位), found 0"),
    (["pm25", "PM2.5", "微克/立方米", "S01", 0], "expected a level above 0 for pm25 2013 (微克/立方米), found 0"),
])
def test_value_outside_the_indicators_scale(public_table, row, expected):
    _raises(lambda: public_table(row), f"bureau/public.xlsx, sheet 产业, cell E4: {expected}")


def test_growth_may_be_negative(public_table):
    frame = public_table(["va_growth", "增速", "%", "S01", -3.5])
    assert frame["value"].tolist() == [-3.5]


# 10 ----------------------------------------------------------------- a build reports every table's problems at once

def test_build_lists_problems_of_several_tables(raw_dir, toy_registry_path, tmp_path):
    make_workbook(raw_dir / "bureau" / "yearbook.xlsx", {"工业": YEARBOOK_INDUSTRY})
    (raw_dir / "bureau" / "awards.csv").write_text(AWARDS_CSV.replace(",3,", ",三,"), encoding="utf-8")
    write_layouts(raw_dir, [dict(YEARBOOK_INDUSTRY_LAYOUT, ignore=[]), AWARDS_LAYOUT])
    message = _raises(lambda: build(raw_dir, tmp_path / "out", toy_registry_path),
                      'bureau/yearbook.xlsx, sheet 工业, cell A7: label "新产品产值率(%)/增速(%)" is not mapped',
                      'bureau/awards.csv, line 2, column C: expected a number for 2019, found "三"')
    assert len(re.findall(r"\n", message)) == 1
    assert not (tmp_path / "out").exists()
