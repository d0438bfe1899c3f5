"""Attacking tests: whatever a file holds, reading it ends in a result or an InputError, never another exception.

Hypothesis writes csv files, registries and workbooks from strategies that mix the plausible (a valid header, years,
known units) with the hostile (NaN, 1e308, 20-digit years, superscript digits, formulas, quotes left open, paths,
control characters), and every reader an analyst's file reaches is run on them. Where a reader returns a result, the
result keeps the promises the rest of the pipeline relies on: finite values within units.MAX_MAGNITUDE, four-digit
years, safe ids. The settings make the runs deterministic (derandomize, no example database) and quick.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import math
import re
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import yaml
from conftest import REGISTRY, SOURCE_IDS, registry_block
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qanalysis.errors import InputError
from qanalysis.ingest import layouts, sheets
from qanalysis.ingest.processed import conform, load_sources, read_indicators, read_side_table
from qanalysis.ingest.series import read_series_csv
from qanalysis.ingest.tables import read_table
from qanalysis.ingest.values import check_values
from qanalysis.registry import RESERVED_IDS, Registry, load_registry
from qanalysis.units import MAX_MAGNITUDE

FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOWER = settings(FAST, max_examples=100)  # a registry or a workbook per example takes 10-100 ms
TIDY = ["indicator", "year", "value", "unit", "source"]


@functools.cache
def _toy() -> Registry:
    """The toy registry of conftest, loaded once for all examples."""
    folder = Path(tempfile.mkdtemp())
    (folder / "targets.yaml").write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    return load_registry(folder / "targets.yaml")


# --- strategies ---------------------------------------------------------------------------------------------------

HOSTILE_TEXT = st.sampled_from([
    "", " ", "-", "…", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e155", "9" * 400, "1_000", "0x10", "１２",
    "²⁰¹⁸", "٢٠١٨", "12345678901234567890", "2018.0", "2018年", "０", "=HYPERLINK(\"x\",\"y\")", "=1+1", "+1", "@SUM(1)",
    "'=1", "../../x", "/etc/passwd", "a\x00b", "\ufeff", "\u202e", "\"", "\"\"", "a,b", "a\nb", "\r", "\t",
])
NUMBERS_AS_TEXT = st.one_of(
    st.integers(-10**25, 10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-1e6, max_value=1e6).map(lambda x: f"{x:.3f}"),
)
YEARS_AS_TEXT = st.one_of(st.integers(0, 10**21).map(str), st.sampled_from(["2018", "2019", "2020", "2021", "2022"]))
FIELD = st.one_of(HOSTILE_TEXT, NUMBERS_AS_TEXT, YEARS_AS_TEXT, st.text(max_size=12))
UNITS = st.one_of(st.sampled_from(["亿元", "万元", "%", "微克/立方米", "ug/m3", "家", "位", "分", "万元/亩", "吨"]), FIELD)
INDICATORS = st.one_of(st.sampled_from(sorted(REGISTRY_IDS := {i["id"] for i in REGISTRY["indicators"]})), FIELD)


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@st.composite
def csv_bytes(draw, header: list[str], columns: list[st.SearchStrategy]) -> bytes:
    """A csv file: usually the right header and well-quoted rows of plausible-or-hostile fields; sometimes a header
    with a column twice or missing, raw text with quotes left open, or bytes in some other encoding."""
    kind = draw(st.sampled_from(["good", "good", "good", "header", "raw", "bytes"]))
    if kind == "raw":
        return draw(st.text(max_size=300)).encode("utf-8", "surrogatepass")
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    head = list(header)
    if kind == "header":
        head = draw(st.sampled_from([head + [head[-1]], head[:-1], [h.upper() for h in head], head[::-1]]))
    rows = draw(st.lists(st.tuples(*columns).map(list), max_size=8))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return _csv_text([head, *rows]).encode(encoding, "replace")


def _in_folder(name: str, data: bytes) -> Path:
    folder = Path(tempfile.mkdtemp())
    (folder / name).write_bytes(data)
    return folder / name


# --- csv readers -------------------------------------------------------------------------------------------------

@FAST
@given(csv_bytes(["series", "year", "value"], [FIELD, YEARS_AS_TEXT | FIELD, NUMBERS_AS_TEXT | FIELD]))
def test_the_series_reader_ends_in_a_frame_or_an_input_error(data):
    try:
        frame = read_series_csv(_in_folder("s.csv", data))
    except InputError:
        return
    values = frame["value"].dropna()
    assert all(math.isfinite(v) and abs(v) <= MAX_MAGNITUDE for v in values)
    assert frame["year"].between(1000, 9999).all()


@FAST
@given(csv_bytes(TIDY, [INDICATORS, YEARS_AS_TEXT | FIELD, NUMBERS_AS_TEXT | FIELD, UNITS, FIELD]))
def test_the_tidy_reader_and_conform_end_in_a_frame_or_an_input_error(data):
    try:
        frame = conform(read_indicators(_in_folder("d.csv", data), _toy().units), _toy())
    except InputError:
        return
    assert all(math.isfinite(v) and abs(v) <= MAX_MAGNITUDE for v in frame["value"])
    assert frame["year"].between(1000, 9999).all() and set(frame["indicator"]) <= REGISTRY_IDS


@FAST
@given(csv_bytes(["id", "title", "publisher", "address", "accessed", "quote", "note"], [FIELD] * 7))
def test_the_sources_and_side_table_readers_end_in_a_frame_or_an_input_error(data):
    path = _in_folder("sources.csv", data)
    for read in (load_sources, read_side_table):
        try:
            frame = read(path)
        except InputError:
            continue
        assert isinstance(frame, pd.DataFrame)


# --- the registry loader ---------------------------------------------------------------------------------------

YAML_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(), FIELD),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(FIELD, inner, max_size=3)),
    max_leaves=6,
)


@st.composite
def registry_docs(draw) -> str:
    """The toy registry with one to three fields replaced by hostile values, or YAML text of any shape."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=200))
    doc = copy.deepcopy(REGISTRY)
    doc["registry"] = registry_block()
    for _ in range(draw(st.integers(1, 3))):
        section = draw(st.sampled_from(["registry", "targets", "indicators", "top"]))
        if section == "top":
            doc[draw(st.sampled_from(["registry", "targets", "indicators", "extra"]))] = draw(YAML_VALUE)
            continue
        records = doc[section] if section == "registry" else doc[section]
        record = draw(st.sampled_from(records)) if isinstance(records, list) and records else records
        if not isinstance(record, dict) or not record:
            continue
        key = draw(st.sampled_from(sorted(record) + ["unknown"]))
        record[key] = draw(YAML_VALUE)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


@SLOWER
@given(registry_docs())
def test_the_registry_loader_ends_in_a_registry_or_an_input_error(text):
    _loads_sound_or_refuses(text)


def _loads_sound_or_refuses(text: str) -> None:
    """A registry file ends in an InputError or in targets with finite bounded values, years in range and safe ids."""
    try:
        registry = load_registry(_in_folder("targets.yaml", text.encode("utf-8", "surrogatepass")))
    except InputError:
        return
    for target in registry.targets:
        assert math.isfinite(target.value) and abs(target.value) <= MAX_MAGNITUDE
        assert 1900 <= target.target_year <= 2100
        assert target.window_start is None or 1900 <= target.window_start <= 2100
        assert target.id.replace("_", "").replace("-", "").isascii() and "/" not in target.id
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", target.id) and target.id.lower() not in RESERVED_IDS


# --- workbooks -------------------------------------------------------------------------------------------------

CELL = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20),
    st.floats(allow_nan=False, allow_infinity=False), FIELD.filter(lambda s: not any(ord(c) < 32 and c not in "\t\n\r"
                                                                                      for c in s)),
    st.sampled_from(["=1+1", "=SUM(A1:A2)", "=B1", "2018年", "规上工业增加值", "亿元", "S01", "va_total", "pm25"]),
)


@st.composite
def grids(draw, header: list | None = None) -> dict:
    """A small sheet as {"rows": cells, "merges": ranges}: formulas never calculated among the cells."""
    rows = draw(st.lists(st.lists(CELL, max_size=6), max_size=8))
    merges = [f"{c1}{r}:{c2}{r + dr}" for r, dr, c1, c2 in
              draw(st.lists(st.tuples(st.integers(1, 6), st.integers(0, 1), st.sampled_from("ABC"),
                                      st.sampled_from("DE")), max_size=2))]
    return {"rows": [header, *rows] if header is not None else rows, "merges": merges}


def _xlsx(grid: dict) -> bytes:
    """The sheet 产业 of a workbook written by openpyxl, as an analyst's tool would write it."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "产业"
    for r, row in enumerate(grid["rows"], 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for merge in grid["merges"]:
        ws.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@SLOWER
@given(grids(header=TIDY), st.sampled_from(["calamine", "openpyxl"]))
def test_tidy_and_series_workbooks_end_in_a_frame_or_an_input_error(grid, engine):
    path = _in_folder("d.xlsx", _xlsx(grid))
    try:
        sheets.read_grid(path, "产业", engine=engine)
    except InputError:
        pass
    for read in (lambda p: conform(read_indicators(p, _toy().units), _toy()), read_series_csv):
        try:
            read(path)
        except InputError:
            pass


TEMPLATE_LAYOUT = dict(id="t", file="bureau/t.xlsx", sheet="产业", header_rows=[3], data_start=4, years="columns",
                       label="B", code="A", unit={"column": "C"}, source={"column": "D"})
YEARBOOK_LAYOUT = dict(id="y", file="bureau/t.xlsx", sheet="产业", header_rows=[2, 3], data_start=4, years="columns",
                       label="A", unit={"in_label": True}, source={"fixed": "S01"},
                       indicators={"规上工业增加值/绝对值": "va_total", "规上工业增加值": "va_total"})


@SLOWER
@given(grids(), st.sampled_from([TEMPLATE_LAYOUT, YEARBOOK_LAYOUT]))
def test_a_bureau_table_ends_in_checked_values_or_an_input_error(grid, record):
    raw = Path(tempfile.mkdtemp())
    (raw / "bureau").mkdir()
    (raw / "bureau" / "t.xlsx").write_bytes(_xlsx(grid))
    layout = layouts.parse_layouts([record], "layouts.yaml", _toy(), SOURCE_IDS)[0]
    try:
        frame = check_values(read_table(layout, raw, _toy(), SOURCE_IDS).frame, _toy())
    except InputError:
        return
    assert all(math.isfinite(v) and abs(v) <= MAX_MAGNITUDE for v in frame["value"])


# --- plausible files with one hostile field: what reads must keep the pipeline's promises -------------------------

SCALE_OK = {"share": lambda v: 0 <= v <= 100, "score": lambda v: 0 <= v <= 100, "level": lambda v: v > 0,
            "count": lambda v: v >= 0 and float(v).is_integer(), "rank": lambda v: v >= 1 and float(v).is_integer(),
            "growth": lambda v: True}
ANY_FLOAT = st.one_of(st.floats(), st.floats(-200, 200), st.integers(-5, 120).map(float))


@st.composite
def plausible_tidy(draw) -> bytes:
    """Rows a registry would accept except for their values, which range over every float (NaN, inf, 1e308)."""
    keys = draw(st.lists(st.tuples(st.sampled_from(sorted(REGISTRY_IDS)), st.integers(2013, 2024)), max_size=6,
                         unique=True))
    units = {i["id"]: i["unit"] for i in REGISTRY["indicators"]}
    rows = [[ind, str(year), repr(draw(ANY_FLOAT)), units[ind], "S01"] for ind, year in keys]
    return _csv_text([TIDY, *rows]).encode("utf-8")


@FAST
@given(plausible_tidy())
def test_tidy_data_that_reads_is_finite_bounded_and_inside_each_indicators_scale(data):
    """A negative PM2.5 was assessed "very likely", and 1e308 went on to the engine, through `assess --data`."""
    try:
        frame = conform(read_indicators(_in_folder("d.csv", data), _toy().units), _toy())
    except InputError:
        return
    for indicator, value in zip(frame["indicator"], frame["value"]):
        assert math.isfinite(value) and abs(value) <= MAX_MAGNITUDE
        assert SCALE_OK[_toy().indicators[indicator].scale](value), (indicator, value)


@FAST
@given(st.lists(st.tuples(st.sampled_from(["产值", "a", "PM2.5"]), st.integers(1990, 2030), ANY_FLOAT), max_size=8,
                unique_by=lambda r: r[:2]))
def test_series_that_read_are_finite_and_bounded(rows):
    data = _csv_text([["series", "year", "value"], *[[s, str(y), repr(v)] for s, y, v in rows]]).encode()
    try:
        frame = read_series_csv(_in_folder("s.csv", data))
    except InputError:
        return
    assert all(math.isfinite(v) and abs(v) <= MAX_MAGNITUDE for v in frame["value"])


TARGET_FIELDS = {
    "value": st.one_of(st.floats(), st.integers(-10**30, 10**30), st.sampled_from([".nan", ".inf", "1e400"])),
    "target_year": st.one_of(st.integers(-10**20, 10**20), st.sampled_from([2022, 20222, 1899])),
    "window_start": st.one_of(st.none(), st.integers(-10**20, 10**20), st.integers(1890, 2030)),
    "id": st.one_of(HOSTILE_TEXT, st.sampled_from(["scorecard", "Coverage", "con", "a" * 80, "ok_id", "x-1"]),
                    st.text(max_size=10)),
}


@st.composite
def targeted_registry_docs(draw) -> str:
    """The toy registry with one field of one target (value, years, id) set to a hostile value of its own type."""
    doc = copy.deepcopy(REGISTRY)
    target = draw(st.sampled_from(doc["targets"]))
    field = draw(st.sampled_from(sorted(TARGET_FIELDS)))
    target[field] = draw(TARGET_FIELDS[field])
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    return text.replace("'.nan'", ".nan").replace("'.inf'", ".inf")


@SLOWER
@given(targeted_registry_docs())
def test_a_registry_that_loads_has_finite_values_bounded_years_and_safe_ids(text):
    _loads_sound_or_refuses(text)


VALUE_CELL = st.one_of(st.none(), st.floats(-1e3, 1e3), st.sampled_from(["-", "…", "=1+1", "=SUM(E4:F4)", "12.5"]))


@st.composite
def filled_templates(draw) -> dict:
    """A template-layout sheet with values, "not published" marks and formulas never calculated."""
    rows = [["测试数据表"], ["填写说明"], ["指标代码", "指标名称", "单位", "来源", "2019年", "2020年", "2021年"]]
    units = {"va_total": "亿元", "pm25": "微克/立方米", "awards": "家"}
    for ind in draw(st.lists(st.sampled_from(sorted(units)), min_size=1, max_size=3, unique=True)):
        rows.append([ind, ind, units[ind], "S01", *draw(st.lists(VALUE_CELL, min_size=3, max_size=3))])
    return {"rows": rows, "merges": []}


def _formula_cells(grid: dict) -> set[str]:
    from openpyxl.utils import get_column_letter

    return {f"{get_column_letter(c)}{r}" for r, row in enumerate(grid["rows"], 1) for c, v in enumerate(row, 1)
            if isinstance(v, str) and v.startswith("=")}


@SLOWER
@given(filled_templates(), st.sampled_from(["calamine", "openpyxl"]))
def test_a_formula_cell_is_never_read_as_not_published(grid, engine):
    """Both engines give a blank for a formula nobody calculated; the reader must not call that "not published"."""
    formulas = _formula_cells(grid)
    raw = Path(tempfile.mkdtemp())
    (raw / "bureau").mkdir()
    (raw / "bureau" / "t.xlsx").write_bytes(_xlsx(grid))
    layout = layouts.parse_layouts([TEMPLATE_LAYOUT], "layouts.yaml", _toy(), SOURCE_IDS)[0]
    try:
        read = read_table(layout, raw, _toy(), SOURCE_IDS, engine=engine)
    except InputError as exc:
        assert formulas or "formula" not in str(exc)
        return
    assert not formulas & {gap.cell for gap in read.not_published}
    assert not formulas
