"""Fixtures that make small bureau workbooks, csv files, layouts and a registry in tmp_path.

Tests never touch data/raw: every table is written here with openpyxl (real .xlsx files, merged cells included), so
the loader is tested on the kind of file an analyst would hand over, not on in-memory frames.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from qanalysis.registry import load_registry

SOURCES = """id,title,publisher,address,accessed,quote,note
S01,杭州统计年鉴2021,杭州市统计局,https://tjj.hangzhou.gov.cn/,2024-05-01,"规上工业增加值3504.3亿元",
S02,杭州市生态环境状况公报,杭州市生态环境局,https://epb.hangzhou.gov.cn/,2024-05-01,PM2.5平均浓度,
S03,质量奖表彰文件,杭州市人民政府,https://www.hangzhou.gov.cn/,2024-05-01,,test note
S04,unused source,nobody,https://example.org/,2024-05-01,,
"""


def registry_block(**changes) -> dict:
    """A `registry:` block for a test registry whose targets are for 2022 (the reference policy's years)."""
    block = dict(id="test", policy="测试〔2018〕1号", title_zh="测试文件", title_en="Test document", issued="2018-12-10",
                 launch_year=2018, base_year=2018, target_years=[2022], data_from=2013)
    block.update(changes)
    return block


def _indicator(id_, name, unit, scale, flow=False, proxy_for=None):
    return dict(id=id_, name_zh=name, name_en=id_, unit=unit, scale=scale, flow=flow, scope="全市",
                proxy_for=proxy_for, bureau_table=f"{name}所在的年鉴表")


def _target(id_, indicator, kind, op, value, unit, window_start=None, proxies=()):
    out = dict(id=id_, section="二(一) 测试", name_zh=id_, name_en=id_, indicator=indicator, kind=kind, op=op,
               value=value, unit=unit, target_year=2022, window_start=window_start, clause=f"{id_}条款")
    if proxies:
        out["proxies"] = list(proxies)
    return out


REGISTRY = {
    "registry": registry_block(),
    "targets": [
        _target("t_va", "va_total", "level", ">=", 20000, "亿元"),
        _target("t_npr", "new_product_rate", "level", ">=", 35, "%"),
        _target("t_growth", "va_growth", "avg_growth", ">=", 4, "%", window_start=2019),
        _target("t_awards", "awards", "cumulative", ">=", 10, "家", window_start=2019),
        _target("t_pm25", "pm25", "level", "<=", 35, "微克/立方米", proxies=["pm25_zj"]),
        _target("t_sat", "satisfaction", "level", ">=", 85, "分"),
        _target("t_rank", "rank", "rank", "<=", 1, "位"),
        _target("t_tax", "tax_per_mu", "level", ">=", 30, "万元/亩"),
    ],
    "indicators": [
        _indicator("va_total", "规上工业增加值", "亿元", "level"),
        _indicator("new_product_rate", "新产品产值率", "%", "share"),
        _indicator("va_growth", "规上工业增加值增速", "%", "growth"),
        _indicator("awards", "新获质量奖", "家", "count", flow=True),
        _indicator("pm25", "PM2.5平均浓度", "微克/立方米", "level"),
        _indicator("satisfaction", "满意度", "分", "score"),
        _indicator("rank", "全省位次", "位", "rank"),
        _indicator("tax_per_mu", "亩均税收", "万元/亩", "level"),
        _indicator("pm25_zj", "PM2.5平均浓度(浙江)", "微克/立方米", "level", proxy_for="pm25"),
    ],
}


def make_workbook(path: Path, sheets: dict[str, dict]) -> Path:
    """Write an .xlsx: {sheet: {"rows": [[row 1 values], ...], "merges": ["C3:D3"], "cells": {"F5": v}}}."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, spec in sheets.items():
        ws = book.create_sheet(name)
        for r, row in enumerate(spec.get("rows", []), 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        for ref, value in spec.get("cells", {}).items():
            ws[ref] = value
        for merge in spec.get("merges", []):
            ws.merge_cells(merge)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


YEARS = [f"{y}年" for y in range(2013, 2025)]
TEMPLATE_HEADER = ["指标代码", "指标名称", "单位", "来源", *YEARS]


def template_rows(*rows: list) -> list[list]:
    """A sheet in the template layout: title, note, header on row 3, the given rows from row 4."""
    return [["测试数据表"], ["填写说明: 每行一个指标"], TEMPLATE_HEADER, *rows]


def template_layout(**changes) -> dict:
    record = dict(id="public", file="bureau/public.xlsx", sheet="产业", header_rows=[3], data_start=4,
                  years="columns", label="B", code="A", unit={"column": "C"}, source={"column": "D"})
    record.update(changes)
    return record


# The yearbook sheet "工业": title and note rows, a two-row merged header (year over 绝对值/增速), units in the
# header qualifiers and labels, full-width digits, thousands separators, footnote marks, "-"/"…", a heading row and
# footnote rows below the data.
YEARBOOK_INDUSTRY = {
    "rows": [
        ["表3-1 规模以上工业主要指标"],
        ["注: 增速按可比价格计算"],
        ["指  标", "2018年", None, "2019年", None, "２０２０年", None],
        [None, "绝对值(亿元)", "增速(%)", "绝对值(亿元)", "增速(%)", "绝对值(亿元)", "增速(%)"],
        ["规上工业增加值①", 3504.3, "6.5", "3,829.7", 7.1, "４，１２０．５", "－1.2"],
        ["按行业分", None, None, None, None, None, None],
        ["新产品产值率(%)", "35.2*", "…", 36.8, "-", "３８．１", None],
        ["注: ①2020年为快报数。"],
        ["资料来源: 杭州统计年鉴2021"],
    ],
    "merges": ["A1:G1", "A3:A4", "B3:C3", "D3:E3", "F3:G3", "A8:G8"],
}
YEARBOOK_INDUSTRY_LAYOUT = dict(
    id="yearbook_industry", file="bureau/yearbook.xlsx", sheet="工业", header_rows=[3, 4], data_start=5,
    years="columns", label="A", unit={"in_label": True}, source={"fixed": "S01"},
    indicators={"规上工业增加值/绝对值": "va_total", "规上工业增加值/增速": "va_growth",
                "新产品产值率/绝对值": "new_product_rate"},
    ignore=["新产品产值率/增速"])

# The yearbook sheet "环境": years run down, series labels in header row 3, units in row 4 (full-width ％).
YEARBOOK_ENVIRONMENT = {
    "rows": [
        ["表9-2 环境质量主要指标"],
        [],
        ["年份", "PM2.5平均浓度", "地表水达标比例", "满意度"],
        [None, "微克/立方米", "％", "分"],
        ["2015年", 57, 80.5, "…"],
        ["2016年", "49", 85, 80.1],
        ["2017年", 45, "—", 81.2],
        ["2018年", "40①", 90, 82.5],
        ["注: ①2018年起采用新标准"],
    ],
    "merges": ["A3:A4"],
}
YEARBOOK_ENVIRONMENT_LAYOUT = dict(
    id="yearbook_environment", file="bureau/yearbook.xlsx", sheet="环境", header_rows=[3, 4], data_start=5,
    years="rows", label=3, year="A", unit={"row": 4}, source={"fixed": "S02"},
    indicators={"PM2.5平均浓度": "pm25", "满意度": "satisfaction"}, ignore=["地表水达标比例"])

AWARDS_CSV = "指标,单位,2019,2020,2021,2022\n新获质量奖,家,3,2,-,4\n"
AWARDS_LAYOUT = dict(id="awards", file="bureau/awards.csv", header_rows=[1], data_start=2, years="columns",
                     label="A", unit={"column": "B"}, source={"fixed": "S03"}, indicators={"新获质量奖": "awards"})

PUBLIC_ROWS = template_rows(
    ["tax_per_mu", "亩均税收", "万元/亩", "S01", None, None, None, None, None, None, 25.1],
    ["tax_per_mu", "亩均税收", "元/亩", "S02", None, None, None, None, None, None, None, "268,000"],
    ["rank", "全省位次", "位", "S01", None, None, None, None, None, 1, "-", 1],
    ["pm25_zj", "PM2.5(浙江)", "μg/m³", "S02", None, None, None, None, None, 39, 31],
    ["资料来源: 测试"],
)


@pytest.fixture
def toy_registry_path(tmp_path: Path) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def toy_registry(toy_registry_path: Path):
    return load_registry(toy_registry_path)


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A raw folder with sources.csv, an empty layouts.yaml and a bureau/ folder."""
    raw = tmp_path / "raw"
    (raw / "bureau").mkdir(parents=True)
    (raw / "sources.csv").write_text(SOURCES, encoding="utf-8")
    write_layouts(raw, [])
    return raw


def write_layouts(raw: Path, records: list[dict]) -> Path:
    path = raw / "layouts.yaml"
    path.write_text(yaml.safe_dump({"tables": records}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def full_raw(raw_dir: Path) -> Path:
    """A raw folder with every fixture table: two yearbook sheets, a csv and a template-layout workbook."""
    make_workbook(raw_dir / "bureau" / "yearbook.xlsx", {"工业": YEARBOOK_INDUSTRY, "环境": YEARBOOK_ENVIRONMENT})
    make_workbook(raw_dir / "bureau" / "public.xlsx", {"产业": {"rows": PUBLIC_ROWS}})
    (raw_dir / "bureau" / "awards.csv").write_text(AWARDS_CSV, encoding="utf-8")
    write_layouts(raw_dir, [YEARBOOK_INDUSTRY_LAYOUT, YEARBOOK_ENVIRONMENT_LAYOUT, AWARDS_LAYOUT, template_layout()])
    return raw_dir


SOURCE_IDS = {"S01", "S02", "S03", "S04"}


@pytest.fixture
def read_layout(raw_dir: Path, toy_registry):
    """read_layout(record) -> TableRead of one layout record over raw_dir; read_layout(record, checked=True) -> checked frame."""
    from qanalysis.ingest import layouts
    from qanalysis.ingest import tables as loaders
    from qanalysis.ingest.values import check_values

    def _read(record: dict, checked: bool = False, engine: str | None = None):
        layout = layouts.parse_layouts([record], "layouts.yaml", toy_registry, SOURCE_IDS)[0]
        result = loaders.read_table(layout, raw_dir, toy_registry, SOURCE_IDS, engine=engine)
        return check_values(result.frame, toy_registry) if checked else result

    return _read


@pytest.fixture
def public_table(raw_dir: Path, read_layout):
    """public_table(*rows, **layout changes) -> checked frame of a template-layout sheet 产业 in bureau/public.xlsx."""

    def _table(*rows, merges=(), cells=None, **changes):
        make_workbook(raw_dir / "bureau" / "public.xlsx",
                      {"产业": {"rows": template_rows(*rows), "merges": list(merges), "cells": cells or {}}})
        return read_layout(template_layout(**changes), checked=True)

    return _table


def fill_template(path: Path, rows: dict[str, tuple[str, str, dict[int, object]]]) -> Path:
    """Fill a `qanalysis template` workbook as an analyst does in Excel: {indicator: (unit, source, {year: value})}
    into the indicator's row (found by its code in column A) and year columns (found in the header, row 3)."""
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        if ws.sheet_state != "visible" or ws["D3"].value != "来源":  # the data sheets, not 说明
            continue
        columns = {str(c.value).rstrip("年"): c.column for c in ws[3] if c.value}
        for row in ws.iter_rows(min_row=4):
            if row[0].value in rows:
                unit, source, values = rows[row[0].value]
                ws.cell(row[0].row, 3, unit)
                ws.cell(row[0].row, 4, source)
                for year, value in values.items():
                    ws.cell(row[0].row, columns[str(year)], value)
    book.save(path)
    return path


# Synthetic bureau values for workspace tests: not real figures, never written into the project's data. Some repeat
# a published value exactly (e_pm25 2018-2019, c_prefab_share 2017), some differ (e_pm25 2020: 30 vs 29.8 published;
# q_city_quality_award 2023: 6 vs 5), the rest add years the public record lacks.
BUREAU_ROWS: dict[str, tuple[str, str, dict[int, object]]] = {
    "e_pm25": ("微克/立方米", "B01", {2015: 49, 2016: 45, 2017: 44, 2018: 40, 2019: 38, 2020: 30, 2021: 28}),
    "ind_new_product_rate": ("%", "B01", {2016: 36.1, 2017: 37.0, 2018: 38.2, 2019: 39.0, 2020: 39.9, 2021: 40.5}),
    "ind_robot_coverage": ("%", "B02", {2016: 41.0, 2017: 48.5, 2018: 55.2, 2019: 60.1, 2020: 64.0, 2021: 67.3}),
    "q_mfg_product_pass_rate": ("%", "B02", {2015: 93.1, 2016: 93.8, 2017: 94.0, 2018: 94.6, 2019: 95.0, 2020: 95.1,
                                             2021: 95.6}),
    "c_prefab_share": ("%", "B01", {2017: 8, 2018: 12, 2019: 16, 2020: 20, 2021: 25}),
    "q_city_quality_award": ("家", "B02", {2023: 6, 2018: 4, 2019: 5, 2020: 5, 2021: 6}),
}
BUREAU_SOURCES = """id,title,publisher,address,accessed,quote,note
B01,测试用市统计局内部报表,杭州市统计局,,,,synthetic test source
B02,测试用市市场监管局内部报表,杭州市市场监督管理局,,,,synthetic test source
"""


def input_error(call, *parts: str) -> str:
    """Run `call`, expect an InputError whose message contains every part; return the message."""
    from qanalysis.errors import InputError

    with pytest.raises(InputError) as info:
        call()
    message = str(info.value)
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"
    return message
