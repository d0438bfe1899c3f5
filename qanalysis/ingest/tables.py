"""Read bureau tables described by layout records -> one tidy frame with provenance, checked across tables.

One generic reader serves every table (the PUDL way): a layout record (ingest/layouts.py) says which sheet, which
header rows, whether years run across or down, and where labels, codes, units and sources sit; sheets.py opens the
file, headers.py finds the years and series, cells.py reads each value. Adding a yearbook table is adding a record.
The reader is strict because the numbers feed a public assessment: a cell it cannot read as a number, a header that
does not line up, an unknown unit or a label nobody mapped is an InputError naming file, sheet and cell. What it
deliberately does not read (blank and "-"/"…" cells, ignored labels and columns, heading and footnote rows) comes
back as `not_published` / `skipped` / `notes`, so the build report lists it: nothing is dropped silently.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl.utils import column_index_from_string

from ..errors import InputError
from ..registry import Registry
from ..text import did_you_mean
from ..units import UnitError
from . import headers
from .cells import cell_text, clean_label, label_key, parse_value, split_mark
from .headers import Line, Problems, Skipped
from .layouts import Layout, SourceSpec, UnitSpec
from .sheets import Grid, inside, read_grid

TIDY_COLUMNS = ["indicator", "year", "value", "unit", "source"]
PROVENANCE_COLUMNS = ["table", "file", "sheet", "cell", "where", "note"]


@dataclass(frozen=True)
class NotPublished:
    """A cell of a read series that holds no number (blank, "-", "…", "—"): the bureau did not publish it."""

    table: str
    indicator: str
    year: int
    cell: str
    shown: str


@dataclass
class TableRead:
    """What one table gave: values (tidy + provenance, units as written) and what was not read, with why."""

    layout: Layout
    frame: pd.DataFrame
    not_published: list[NotPublished] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # value-cell problems, with strict=False


@dataclass
class _Table:
    """One table being read: its grid and record, the lookups it needs, and what it collects."""

    grid: Grid
    layout: Layout
    registry: Registry
    source_ids: set[str]
    result: TableRead
    problems: Problems = field(default_factory=Problems)
    records: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.mapping = {label_key(k): v for k, v in self.layout.indicators.items()}
        self.ignore = {label_key(x) for x in self.layout.ignore}


def read_table(layout: Layout, raw_dir: Path, registry: Registry, source_ids: set[str],
               engine: str | None = None, strict: bool = True) -> TableRead:
    """Read one table into tidy rows (units as written) plus what was not read; InputError listing every problem.

    With `strict=False`, problems in value cells are returned in `TableRead.problems` with the values that did read,
    so the build can range-check those too and report everything in one pass; a table whose header cannot be read
    still raises, since no cell of it can be placed.
    """
    grid = read_grid(inside(raw_dir, layout.file), layout.sheet, engine)
    t = _Table(grid, layout, registry, source_ids, TableRead(layout, pd.DataFrame()))
    if grid.encoding == "gb18030":
        t.result.notes.append(f"{layout.id}: {layout.file} is GB18030 text (not UTF-8); read as GB18030")
    header = headers.read_header(grid, layout)
    rows = headers.data_rows(grid, layout, t.result.notes)
    if layout.years == "columns":
        years = headers.year_columns(grid, layout, header, rows, t.ignore, t.result.skipped, t.problems)
        series = headers.series_rows(grid, layout, rows)
    else:
        years = headers.year_rows(grid, layout, rows, t.problems)
        series = headers.series_columns(grid, layout, header, rows, t.problems)
    t.problems.check()
    if not rows or not years or not series:
        where = grid.shown if grid.sheet is None else f"{grid.shown}, sheet {grid.sheet}"
        missing = "data rows" if not rows else "year columns or rows" if not years else "labelled series"
        raise InputError(f"{where}: empty table {layout.id}: expected {missing} under header rows "
                         f"{layout.header_rows} from row {layout.data_start}, found none")
    for line in series:
        for qualifier, cells in _slots(layout, line, years).items():
            _read_series(t, line, qualifier, cells)
    if strict:
        t.problems.check()
    t.result.problems = list(dict.fromkeys(t.problems))
    t.result.skipped = list(dict.fromkeys(t.result.skipped))
    t.result.notes = list(dict.fromkeys(t.result.notes))
    t.result.frame = pd.DataFrame(t.records, columns=TIDY_COLUMNS + PROVENANCE_COLUMNS).astype(
        {"year": "int64", "value": "float64"})
    return t.result


def _slots(layout: Layout, line: Line, years: list[Line]) -> dict[str, list[tuple[int, int, int]]]:
    """The (year, row, column) cells of one series line, grouped by qualifier (绝对值 / 增速 are two series)."""
    groups: dict[str, list[tuple[int, int, int]]] = {}
    for y in years:
        if layout.years == "columns":
            groups.setdefault(y.qualifier, []).append((y.year, line.index, y.index))
        else:
            groups.setdefault(line.qualifier, []).append((y.year, y.index, line.index))
    return groups


def _resolve(t: _Table, line: Line, qualifier: str) -> tuple[str | None, str]:
    """(indicator id, "") or (None, why): a code cell wins; else the label (+ qualifier) through `indicators:`."""
    if line.code and line.code in t.ignore:
        return None, "ignored"
    if line.code:
        return (line.code, "") if line.code in t.registry.indicators else (None, "unknown code")
    in_label = t.registry.units.unit_in_label
    labels = dict.fromkeys([line.label, label_key(in_label(line.label)[0])])
    quals = dict.fromkeys([qualifier, label_key(in_label(qualifier)[0])] if qualifier else [])
    names = [f"{x}/{q}" for q in quals for x in labels] + list(labels)
    if any(name in t.ignore for name in names):
        return None, "ignored"
    return next(((t.mapping[n], "") for n in names if n in t.mapping), (None, ""))


def _read_series(t: _Table, line: Line, qualifier: str, cells: list[tuple[int, int, int]]) -> None:
    """Read one series' cells, or say why not: ignored and empty heading rows are skipped, unmapped values refused."""
    grid, layout = t.grid, t.layout
    filled = [(r, c) for _, r, c in cells if grid.get(r, c) is not None]
    indicator, why = _resolve(t, line, qualifier)
    name = "/".join(x for x in (line.raw_label or line.label, qualifier) if x)
    if why == "unknown code":
        t.problems.append(f'{grid.where(*line.code_ref)}: indicator code "{line.code}" is not in the registry'
                          + did_you_mean(line.code, t.registry.indicators))
        return
    if indicator is None:
        if why == "ignored":
            t.result.skipped.append(Skipped(layout.id, grid.ref(*line.ref), name, "label ignored by the layout record",
                                            len(filled)))
        elif filled and not line.label:
            t.problems.append(f"{grid.where(*filled[0])}: a value without a label or indicator code for its "
                              f"{'row' if layout.years == 'columns' else 'column'}")
        elif filled:
            t.problems.append(f'{grid.where(*line.ref)}: label "{name}" is not mapped to an indicator; add it to '
                              f"`indicators:` (label: indicator id) or to `ignore:` of table {layout.id} in layouts.yaml")
        elif name:
            t.result.skipped.append(Skipped(layout.id, grid.ref(*line.ref), line.raw_label or line.label,
                                            "no values and not mapped to an indicator (a heading row)"))
        return
    marks = clean_label(line.raw_label)[1]
    if marks:
        t.result.notes.append(f'{layout.id}: {grid.ref(*line.ref)} footnote mark "{marks}" removed from label '
                              f'"{line.raw_label}"')
    for year, r, c in cells:
        _read_cell(t, line, qualifier, indicator, year, r, c)


def _read_cell(t: _Table, line: Line, qualifier: str, indicator: str, year: int, r: int, c: int) -> None:
    """One value cell -> a tidy record with provenance, a NotPublished entry, or a problem naming the cell."""
    grid, raw = t.grid, t.grid.get(r, c)
    try:
        value = parse_value(raw, percent_ok=True)
    except ValueError as exc:
        t.problems.append(f"{grid.where(r, c)}: expected a number for {year}, {exc}")
        return
    if value.number is None:
        t.result.not_published.append(NotPublished(t.layout.id, indicator, year, grid.ref(r, c), value.shown))
        return
    unit = _unit(t, line, qualifier, r, c)
    if unit and unit != "%" and "%" in unicodedata.normalize("NFKC", cell_text(raw)):
        t.problems.append(f'{grid.where(r, c)}: expected a number for {year}, found "{value.shown}" '
                          f"(a percent sign, but the unit is {unit})")
        return
    source = _source(t, r, c)
    if not unit or not source:
        return
    note = f'footnote mark "{value.mark}" removed from "{value.shown}"' if value.mark else ""
    if note:
        t.result.notes.append(f"{t.layout.id}: {grid.ref(r, c)} {note}")
    t.records.append(dict(indicator=indicator, year=year, value=value.number, unit=unit, source=source,
                          table=t.layout.id, file=t.layout.file, sheet=t.layout.sheet or "", cell=grid.ref(r, c),
                          where=grid.where(r, c), note=note))


def _spec_cell(spec: UnitSpec | SourceSpec, r: int, c: int) -> tuple[int, int]:
    """The cell holding the unit or source of value cell (r, c): in its row's spec column, or its column's spec row."""
    return (r, column_index_from_string(spec.column) - 1) if spec.column else (int(spec.row or 1) - 1, c)


def _unit(t: _Table, line: Line, qualifier: str, r: int, c: int) -> str:
    """The canonical unit of a value cell, or "" after recording why there is none. Units are the registry's
    (built-in plus declared), so a table in 吨 reads under a registry that declares 吨 and is refused under others."""
    spec, grid, table = t.layout.unit, t.grid, t.registry.units
    if spec.fixed is not None:
        return table.parse(spec.fixed).symbol
    if spec.in_label:
        found = [u for part in (line.label, qualifier) if part and (u := table.unit_in_label(part)[1])]
        if not found:
            t.problems.append(f'{grid.where(*line.ref)}: expected a unit in the label, like 规上工业增加值(亿元), '
                              f'found "{line.raw_label}"')
        return found[0] if found else ""
    at = _spec_cell(spec, r, c)
    text = split_mark(cell_text(grid.get(*at)))[0]
    if not text:
        t.problems.append(f"{grid.where(*at)}: expected a unit (like 亿元 or %), found a blank cell")
        return ""
    try:
        return table.parse(text).symbol
    except UnitError as exc:
        t.problems.append(f"{grid.where(*at)}: {exc}")
        return ""


def _source(t: _Table, r: int, c: int) -> str:
    """The source id of a value cell, or "" after recording why there is none."""
    spec, grid = t.layout.source, t.grid
    if spec.fixed is not None:
        return spec.fixed
    at = _spec_cell(spec, r, c)
    text = unicodedata.normalize("NFKC", cell_text(grid.get(*at))).strip()
    if not text:
        t.problems.append(f"{grid.where(*at)}: expected a source id of sources.csv (like S01), found a blank cell")
    elif text not in t.source_ids:
        known = ", ".join(sorted(t.source_ids)[:12]) + (", ..." if len(t.source_ids) > 12 else "")
        t.problems.append(f'{grid.where(*at)}: source "{text}" is not in sources.csv; expected one of: {known}')
    else:
        return text
    return ""
