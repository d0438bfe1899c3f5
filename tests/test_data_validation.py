"""Data-validation tier: the embedded public figures are traceable, in scope, in range and exactly as curated.

The raw workbook is read here with openpyxl directly, not through qanalysis.ingest, so a reader bug cannot hide a
data error (and a data error cannot hide behind a reader that silently skips it). The
processed output of build() is checked against the same workbook. The curation rules are in data/raw/README.md.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from qanalysis import settings as paths
from qanalysis.ingest.build import build
from qanalysis.registry import load_registry

WORKBOOK = paths.RAW / "bureau" / "hangzhou-public-figures.xlsx"
SHEETS = ["产业", "产品服务工程", "生态环境", "代理指标"]
HEADER = ["指标代码", "指标名称", "单位", "来源"]
SOURCE_COLUMNS = ["id", "title", "publisher", "address", "accessed", "quote", "note", "publisher_en"]
# Words in a quoted line that mark a scope other than the target's own (province, wider section set, other survey).
PROXY_MARKERS = ("市控以上", "省控", "设区城市", "设区市", "設區", "浙江省", "全省平均", "中消协", "百城", "高端装备", "抽查")
# A count of named items: the quote names the one winning project instead of printing the number 1.
NAMED_COUNTS = {("c_dayu_award", 2022)}

# Every (indicator, year) the curation let in; every other registry indicator has no value (data/raw/README.md).
EXPECTED_YEARS = {
    "ind_new_product_rate": [2022],
    "q_zhejiang_made_standards": [2018, 2022],
    "q_pinzibiao_firms": [2018, 2022],
    "q_city_quality_award": [2011, 2012, 2023],
    "c_prefab_share": [2017, 2022],
    "c_dayu_award": [2022],
    "c_qianjiang_cup": [2022],
    "c_xihu_cup": [2022],
    "e_pm25": [2018, 2019, 2020, 2021, 2024],
    "ind_hi_end_equip_va_growth": [2016, 2024],
    "q_spot_check_pass_rate": [2014, 2015, 2016],
    "q_service_satisfaction_zj": [2015],
    "q_consumer_satisfaction_cca": [2021, 2022],
    "e_pm25_zj": [2016, 2017, 2018, 2019, 2020, 2021, 2022],
    "e_surface_water_iii_city": [2013, 2018, 2019, 2021, 2022, 2023, 2024],
    "e_surface_water_iii_zj": [2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022],
    "e_eco_satisfaction_zj": [2018, 2020, 2021, 2022],
}

ANCHORS = [
    ("e_pm25", 2018, 40), ("e_pm25", 2019, 38), ("e_pm25", 2020, 29.8), ("e_pm25", 2021, 28), ("e_pm25", 2024, 30),
    ("ind_new_product_rate", 2022, 41.2), ("q_zhejiang_made_standards", 2018, 64),
    ("q_zhejiang_made_standards", 2022, 458), ("q_pinzibiao_firms", 2018, 26), ("q_pinzibiao_firms", 2022, 579),
    ("q_city_quality_award", 2011, 3), ("q_city_quality_award", 2023, 5), ("c_prefab_share", 2022, 33),
    ("c_xihu_cup", 2022, 118), ("c_qianjiang_cup", 2022, 38), ("c_dayu_award", 2022, 1),
    ("e_surface_water_iii_city", 2018, 92.3), ("e_surface_water_iii_zj", 2018, 84.6),
    ("e_pm25_zj", 2016, 38), ("e_pm25_zj", 2018, 34), ("e_eco_satisfaction_zj", 2022, 86.02),
]


@dataclass(frozen=True)
class Value:
    indicator: str
    year: int
    value: float
    unit: str
    source: str
    sheet: str
    row: int
    cell: str


def read_workbook(path: Path) -> tuple[dict[str, list[tuple]], list[Value]]:
    """Sheet -> data rows (code, label, unit, source, row number), and every filled year cell as a Value."""
    wb = load_workbook(path, read_only=True)
    rows, values = {}, []
    for ws in wb.worksheets:
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        years = {col: int(str(text)[:-1]) for col, text in enumerate(grid[2]) if col >= 4 and text is not None}
        rows[ws.title] = []
        for number, row in enumerate(grid[3:], start=4):
            if row[0] is None or str(row[0]).startswith(("注", "资料来源")):
                continue
            rows[ws.title].append((*row[:4], number))
            for col, year in years.items():
                if col < len(row) and row[col] is not None:
                    cell = f"{get_column_letter(col + 1)}{number}"
                    values.append(Value(row[0], year, row[col], row[2], row[3], ws.title, number, cell))
    wb.close()
    return rows, values


@pytest.fixture(scope="module")
def registry():
    return load_registry(paths.REGISTRY)


@pytest.fixture(scope="module")
def workbook():
    return read_workbook(WORKBOOK)


@pytest.fixture(scope="module")
def values(workbook):
    return workbook[1]


@pytest.fixture(scope="module")
def sources():
    with paths.SOURCES.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == SOURCE_COLUMNS
        return {row["id"]: row for row in reader}


def number_in(text: str, value: float) -> bool:
    """The value printed as a whole number in the text: 40 matches "40微克" but not "405" or "40.5"."""
    shown = str(int(value)) if float(value).is_integer() else repr(float(value))
    return re.search(rf"(?<![\d.]){re.escape(shown)}(?![\d]|\.\d)", text) is not None


def test_workbook_has_the_template_layout():
    wb = load_workbook(WORKBOOK)
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        header = [c.value for c in ws[3]]
        assert header[:4] == HEADER, ws.title
        assert header[4:] == [f"{y}年" for y in range(2011, 2025)], ws.title
        assert ws["A1"].value and ws["A2"].value and ws["B1"].value is None
        footnote_seen = False
        for row in ws.iter_rows(min_row=4):
            first = row[0].value
            is_note = str(first).startswith("注")
            assert not (footnote_seen and not is_note), f"{ws.title}!A{row[0].row}: data row after the footnotes"
            footnote_seen |= is_note
            for cell in row[4:]:
                ok = cell.value is None or (isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool))
                assert ok, f"{ws.title}!{cell.coordinate}: expected a number or blank, found {cell.value!r}"
        assert footnote_seen, f"{ws.title}: the caveats belong in 注 rows"


def test_layout_records_describe_every_sheet():
    doc = yaml.safe_load(paths.LAYOUTS.read_text(encoding="utf-8"))
    tables = doc["tables"]
    assert [t["sheet"] for t in tables] == SHEETS
    assert len({t["id"] for t in tables}) == len(tables)
    for t in tables:
        assert (paths.RAW / t["file"]).resolve() == WORKBOOK.resolve()
        assert t["header_rows"] == [3] and t["data_start"] == 4 and t["years"] == "columns"
        assert (t["code"], t["label"], t["unit"], t["source"]) == ("A", "B", {"column": "C"}, {"column": "D"})


def test_sources_table_is_one_row_per_document(sources):
    ids = list(sources)
    assert ids == [f"S{i:02d}" for i in range(1, len(ids) + 1)]
    addresses = [s["address"] for s in sources.values()]
    assert len(set(addresses)) == len(addresses), "same URL = same source"
    for sid, s in sources.items():
        assert s["address"].startswith(("http://", "https://")), sid
        assert s["title"] and s["publisher"] and s["quote"], sid
        assert s["note"].startswith(("Scope: ", "Scope (proxy only): ")), sid
        assert s["accessed"] == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", s["accessed"]), sid


def test_every_value_cites_a_known_source_and_every_source_is_used(values, sources):
    unknown = [f"{v.sheet}!{v.cell}: {v.source!r}" for v in values if v.source not in sources]
    assert not unknown
    assert set(sources) == {v.source for v in values}


def test_a_row_names_one_source_exactly_when_it_holds_values(workbook):
    rows, values = workbook
    filled = {(v.sheet, v.row) for v in values}
    for sheet, sheet_rows in rows.items():
        for _code, _label, _unit, source, number in sheet_rows:
            if (sheet, number) in filled:
                assert re.fullmatch(r"S\d{2}", str(source)), f"{sheet}!D{number}: expected one source id"
            else:
                assert source is None, f"{sheet}!D{number}: a source on a row without values"


def test_workbook_indicators_are_exactly_the_registry(workbook, registry):
    rows = workbook[0]
    codes = [r[0] for sheet_rows in rows.values() for r in sheet_rows]
    assert set(codes) == set(registry.indicators)
    named = {t.indicator for t in registry.targets} | {p for t in registry.targets for p in t.proxies}
    assert named <= set(codes), "every target's indicator and proxy has a row"
    for sheet, sheet_rows in rows.items():
        for code, label, unit, _source, number in sheet_rows:
            ind = registry.indicators[code]
            assert unit == ind.unit, f"{sheet}!C{number}: {unit!r} != registry {ind.unit!r}"
            assert label == ind.name_zh, f"{sheet}!B{number}"


def test_no_indicator_year_twice(values):
    doubled = [key for key, n in Counter((v.indicator, v.year) for v in values).items() if n > 1]
    assert not doubled


def test_values_lie_in_the_range_of_their_scale(values, registry):
    for v in values:
        scale = registry.indicators[v.indicator].scale
        where = f"{v.sheet}!{v.cell} ({v.indicator} {v.year})"
        if scale in ("share", "score"):
            assert 0 <= v.value <= 100, where
        if scale == "count":
            assert v.value >= 0 and float(v.value).is_integer(), where
        if scale == "level":
            assert v.value > 0, where


def test_proxies_sit_only_under_proxy_ids(workbook, values, registry, sources):
    for sheet, sheet_rows in workbook[0].items():
        for code, *_ in sheet_rows:
            assert (registry.indicators[code].proxy_for is not None) == (sheet == "代理指标"), code
    for v in values:
        ind = registry.indicators[v.indicator]
        note, quote = sources[v.source]["note"], sources[v.source]["quote"]
        segments = [s for s in quote.split(" / ") if number_in(s, v.value)]
        marked = [s for s in segments if any(m in s for m in PROXY_MARKERS)]
        where = f"{v.indicator} {v.year} ({v.source})"
        if ind.proxy_for is None:
            assert not note.startswith("Scope (proxy only)"), f"{where}: an own measure citing a proxy-only source"
            assert len(marked) < len(segments) or (v.indicator, v.year) in NAMED_COUNTS, f"{where}: proxy scope"
        else:
            assert note.startswith("Scope (proxy only)") or marked, f"{where}: no sign of the proxy's scope"


def test_each_value_is_printed_in_its_source_quote(values, sources):
    missing = [
        f"{v.indicator} {v.year} = {v.value} ({v.source})"
        for v in values
        if (v.indicator, v.year) not in NAMED_COUNTS and not number_in(sources[v.source]["quote"], v.value)
    ]
    assert not missing


def test_coverage_is_exactly_the_curated_set(values, registry):
    found: dict[str, list[int]] = {}
    for v in values:
        found.setdefault(v.indicator, []).append(v.year)
    assert {k: sorted(y) for k, y in found.items()} == EXPECTED_YEARS
    assert len(values) == 52
    assert not found.get("e_surface_water_iii"), "only the wider 市控以上 proxy exists for Hangzhou"


@pytest.mark.parametrize(("indicator", "year", "expected"), ANCHORS)
def test_anchor_values(values, indicator, year, expected):
    (value,) = [v.value for v in values if (v.indicator, v.year) == (indicator, year)]
    assert value == expected


def test_script_remakes_the_workbook_identically(tmp_path, workbook):
    path = paths.ROOT / "scripts" / "make_public_figures.py"
    spec = importlib.util.spec_from_file_location("make_public_figures", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    first = script.main(["--out", str(tmp_path / "a.xlsx")])
    second = script.main(["--out", str(tmp_path / "b.xlsx")])
    assert first.read_bytes() == second.read_bytes()
    assert read_workbook(first) == workbook, "the committed workbook differs from what the script makes"


# ---- processed output of build() -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    out = tmp_path_factory.mktemp("processed")
    build(raw_dir=paths.RAW, out_dir=out, registry_path=paths.REGISTRY)
    with (out / "indicators.csv").open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["indicator", "year", "value", "unit", "source"]
        return list(reader)


def test_build_carries_every_value_unchanged(processed, values):
    got = sorted((r["indicator"], int(r["year"]), float(r["value"]), r["unit"], r["source"]) for r in processed)
    want = sorted((v.indicator, v.year, float(v.value), v.unit, v.source) for v in values)
    assert got == want


def test_build_output_keeps_anchors_and_sources(processed, sources):
    by_key = {(r["indicator"], int(r["year"])): float(r["value"]) for r in processed}
    for indicator, year, expected in ANCHORS:
        assert by_key[(indicator, year)] == pytest.approx(expected, abs=1e-9)
    assert not [k for k in by_key if k[0] == "e_surface_water_iii"]
    assert {r["source"] for r in processed} == set(sources)
