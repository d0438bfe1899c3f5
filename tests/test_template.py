"""The fill-in workbook: its layout, its 说明 sheet, and the round trip template -> filled -> build -> tidy."""

import openpyxl
import pandas as pd
import pytest
from conftest import SOURCES, write_layouts

from qanalysis import cli
from qanalysis import settings as paths
from qanalysis.errors import InputError
from qanalysis.ingest.build import build
from qanalysis.ingest.sheets import sheet_names
from qanalysis.ingest.template import MARKER, MARKER_SHEET, section_sheet, template_records, write_template
from qanalysis.registry import load_registry

# The reference registry's data_years: data_from 2013 to two years after its target year 2022.
HEADER = ["指标代码", "指标名称", "单位", "来源"] + [f"{y}年" for y in range(2013, 2025)]


@pytest.fixture(scope="module")
def registry():
    return load_registry(paths.REGISTRY)


@pytest.fixture
def workbook(registry, tmp_path):
    return write_template(registry, tmp_path / "t" / "template.xlsx")


def _codes(ws):
    return [ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)]


@pytest.mark.parametrize(("section", "sheet"), [
    ("二(一) 推动产业新旧动能转换", "产业"),  # the reference policy's sections keep their bureau names
    ("二（三） 突出生态环境质量提升", "生态环境"),  # full-width brackets fold first
    ("一、大气环境", "一、大气环境"),  # another policy's section names its own sheet
    ("4.A Reduce child mortality: under-five mortality rate [MDG]", "4.A Reduce child mortality unde"),
    ("a/b?c*d", "a b c d"),  # characters Excel refuses in a sheet name become spaces
    ("  ", "其他指标"), ("代理指标", "其他指标"), ("说明", "其他指标"),  # blank, or one of the template's own sheets
])
def test_section_sheet_is_a_legal_sheet_name(section, sheet):
    assert section_sheet(section) == sheet
    assert len(section_sheet(section)) <= 31


def test_sheets_rows_and_layout(registry, workbook):
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["产业", "产品服务工程", "生态环境", "代理指标", "说明", MARKER_SHEET]
    assert book[MARKER_SHEET].sheet_state == "veryHidden"
    assert all(book[s].sheet_state == "visible" for s in book.sheetnames[:-1])
    by_sheet = {s: _codes(book[s]) for s in ["产业", "产品服务工程", "生态环境", "代理指标"]}
    assert sorted(sum(by_sheet.values(), [])) == sorted(registry.indicators)
    assert by_sheet["代理指标"] == [i.id for i in registry.indicators.values() if i.proxy_for]
    assert by_sheet["生态环境"] == ["e_pm25", "e_surface_water_iii", "e_eco_satisfaction"]
    assert by_sheet["产业"][0] == "ind_trad_mfg_va_growth" and len(by_sheet["产业"]) == 12
    for name in by_sheet:
        ws = book[name]
        assert ws["A1"].value == f"市委〔2018〕27号 指标数据填报表 — {name}" and ws["A2"].value.startswith("填写说明")
        assert "A2:P2" in {str(m) for m in ws.merged_cells.ranges}
        assert [c.value for c in ws[3]] == HEADER
        assert ws.freeze_panes == "E4"
        assert ws.column_dimensions["B"].width == 46 and ws.column_dimensions["E"].width == 9
        for row in range(4, ws.max_row + 1):
            ind = registry.indicators[ws.cell(row=row, column=1).value]
            assert (ws.cell(row=row, column=2).value, ws.cell(row=row, column=3).value) == (ind.name_zh, ind.unit)
            assert all(ws.cell(row=row, column=c).value is None for c in range(4, len(HEADER) + 1))


def test_notes_sheet_lists_every_indicator(registry, workbook):
    ws = openpyxl.load_workbook(workbook)["说明"]
    assert [c.value for c in ws[3]] == ["指标代码", "指标名称", "英文名称", "单位", "口径", "资料出处", "服务目标", "工作表"]
    rows = {ws.cell(row=r, column=1).value: [ws.cell(row=r, column=c).value for c in range(1, 9)]
            for r in range(4, 4 + len(registry.indicators))}
    assert set(rows) == set(registry.indicators)
    pm25 = rows["e_pm25"]
    assert pm25[3:6] == ["微克/立方米", "杭州市区(国控点位)", "杭州市生态环境状况公报「大气环境」"]
    assert pm25[6] == "e_pm25: 城市空气质量细颗粒物(PM2.5)平均浓度 ≤ 35 微克/立方米 (2022)" and pm25[7] == "生态环境"
    assert rows["e_pm25_zj"][6] == "代理指标, 供参考: e_pm25" and rows["e_pm25_zj"][7] == "代理指标"
    assert "qanalysis build" in ws.cell(row=len(registry.indicators) + 5, column=1).value


def test_marker_holds_the_layout_records(workbook):
    import yaml

    ws = openpyxl.load_workbook(workbook)[MARKER_SHEET]
    assert ws["A1"].value == MARKER
    assert yaml.safe_load(ws["A2"].value) == template_records(["产业", "产品服务工程", "生态环境", "代理指标"])
    assert MARKER_SHEET in sheet_names(workbook)


def _fill(path, cells, extra_rows):
    book = openpyxl.load_workbook(path)
    for (sheet, ref), value in cells.items():
        book[sheet][ref] = value
    for sheet, row in extra_rows:
        book[sheet].append(row)
    book.save(path)


def test_round_trip_filled_template_builds_to_what_was_filled(registry, tmp_path):
    raw = tmp_path / "raw"
    (raw / "bureau").mkdir(parents=True)
    (raw / "sources.csv").write_text(SOURCES, encoding="utf-8")
    write_layouts(raw, [])
    path = write_template(registry, raw / "bureau" / "filled by analyst.xlsx")
    # 产业 row 7 = ind_new_product_rate, 生态环境 row 4 = e_pm25, 产品服务工程 row 10 = q_prov_quality_award
    cells = {("产业", "D7"): "S01", ("产业", "J7"): 33.2, ("产业", "K7"): "34.1", ("产业", "P7"): "４１．２",
             ("生态环境", "D4"): "S02", ("生态环境", "J4"): 40, ("生态环境", "K4"): "38", ("生态环境", "L4"): "-",
             ("产品服务工程", "D10"): "S03", ("产品服务工程", "K10"): 6, ("产品服务工程", "L10"): "…"}
    second_source = ["e_pm25", "城市空气质量细颗粒物(PM2.5)平均浓度", "微克/立方米", "S01",
                     None, None, None, None, None, None, None, 29.8]  # 2020, where row 4 says "-"
    _fill(path, cells, [("生态环境", second_source)])
    assert openpyxl.load_workbook(path)["产品服务工程"]["A10"].value == "q_prov_quality_award"
    result = build(raw, tmp_path / "out", paths.REGISTRY)
    got = (tmp_path / "out" / "indicators.csv").read_text(encoding="utf-8-sig")
    assert got == ("indicator,year,value,unit,source\n"
                   "e_pm25,2018,40,微克/立方米,S02\n"
                   "e_pm25,2019,38,微克/立方米,S02\n"
                   "e_pm25,2020,29.8,微克/立方米,S01\n"
                   "ind_new_product_rate,2018,33.2,%,S01\n"
                   "ind_new_product_rate,2019,34.1,%,S01\n"
                   "ind_new_product_rate,2024,41.2,%,S01\n"
                   "q_prov_quality_award,2019,6,家,S03\n")
    assert result.n_tables == 4 and result.n_values == 7
    report = (tmp_path / "out" / "build_report.md").read_text(encoding="utf-8")
    assert "| bureau/filled by analyst.xlsx#生态环境 | bureau/filled by analyst.xlsx | 生态环境 | 3 |" in report
    # 2018-2020 are not gaps: each of e_pm25's two rows fills the years the other leaves blank (L4 "-" included)
    assert '| bureau/filled by analyst.xlsx#生态环境 | e_pm25 | 2013-2017, 2021-2024 | E4:I4 M4:P4 E7:I7 M7:P7 | blank |' in report
    assert ('| bureau/filled by analyst.xlsx#产品服务工程 | q_prov_quality_award | 2013-2018, 2020-2024 | E10:J10 L10:P10 '
            '| "…", blank |') in report


def test_template_named_in_layouts_is_read_once(registry, tmp_path):
    raw = tmp_path / "raw"
    (raw / "bureau").mkdir(parents=True)
    (raw / "sources.csv").write_text(SOURCES, encoding="utf-8")
    path = write_template(registry, raw / "bureau" / "t.xlsx")
    _fill(path, {("生态环境", "D4"): "S02", ("生态环境", "J4"): 40}, [])
    records = [dict(r, id=r["sheet"], file="bureau/t.xlsx") for r in template_records(["产业", "生态环境"])]
    write_layouts(raw, records)
    result = build(raw, tmp_path / "out", paths.REGISTRY)
    assert (result.n_tables, result.n_values) == (2, 1)


def test_template_refuses_other_file_types(registry, tmp_path):
    with pytest.raises(InputError, match="expected a .xlsx file name"):
        write_template(registry, tmp_path / "t.xls")


def test_cli_template(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert cli.main(["template", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    assert pd.read_excel(out, sheet_name="生态环境", header=2, engine="calamine")["指标代码"].tolist() == \
        ["e_pm25", "e_surface_water_iii", "e_eco_satisfaction"]


def test_empty_template_builds_to_no_values(registry, tmp_path):
    raw = tmp_path / "raw"
    (raw / "bureau").mkdir(parents=True)
    (raw / "sources.csv").write_text(SOURCES, encoding="utf-8")
    write_layouts(raw, [])
    write_template(registry, raw / "bureau" / "blank.xlsx")
    result = build(raw, tmp_path / "out", paths.REGISTRY)
    assert (result.n_values, result.n_tables, result.n_not_published) == (0, 4, 39 * 12)
    assert (tmp_path / "out" / "indicators.csv").read_text(encoding="utf-8-sig") == "indicator,year,value,unit,source\n"
    assert (tmp_path / "out" / "sources.csv").read_text(encoding="utf-8-sig") == "id,title,publisher,address,accessed,quote,note,publisher_en\n"


@pytest.mark.parametrize("a1, a2, expected", [
    (MARKER, "- [not, a, mapping]", "a YAML list of mappings"),
    (MARKER, "- {sheet: [unclosed", "not valid YAML"),
    ("something else", None, "hidden layout sheet was changed"),
])
def test_a_template_with_a_broken_marker_sheet_stops_the_lookup(workbook, tmp_path, a1, a2, expected):
    """A workbook carrying the hidden layout sheet is a filled template; broken, it must not be skipped silently."""
    from qanalysis.ingest.template import find_templates

    raw = tmp_path / "raw"
    (raw / "bureau").mkdir(parents=True)
    book = openpyxl.load_workbook(workbook)
    book[MARKER_SHEET]["A1"], book[MARKER_SHEET]["A2"] = a1, a2
    book.save(raw / "bureau" / "filled.xlsx")
    with pytest.raises(InputError, match=expected) as err:
        find_templates(raw, set())
    assert "filled.xlsx" in str(err.value) and MARKER_SHEET in str(err.value)


def test_a_workbook_without_the_marker_sheet_is_listed_as_unread(tmp_path):
    from qanalysis.ingest.template import find_templates

    raw = tmp_path / "raw"
    raw.mkdir()
    book = openpyxl.Workbook()
    book.active["A1"] = 1
    book.save(raw / "other.xlsx")
    assert find_templates(raw, set()) == ({}, ["other.xlsx: not named in layouts.yaml and not a qanalysis template"])
