"""Read bureau tables described by layout records -> one tidy frame with provenance.

One generic reader serves every table (the PUDL way): a layout record says which sheet, which header rows, whether
years run across or down, and where labels, codes, units and sources sit. Adding a yearbook table is adding a record.
The reader is strict because the numbers feed a public assessment: a cell it cannot read as a number, a header that
does not line up, an unknown unit or a label nobody mapped is an InputError naming file, sheet and cell. What it
deliberately does not read (blank and "-"/"…" cells, ignored labels and columns, heading and footnote rows) comes
back as `not_published` / `skipped` / `notes`, so the build report lists it: nothing is dropped silently.

xlsx goes through python-calamine, which gives values and merged ranges in one fast pass (benchmarks/build_speed.py
measures it against openpyxl); a zip check first refuses damaged archives, zip bombs and XML carrying a DTD (entity
expansion). openpyxl, which parses through defusedxml, stays available as `engine="openpyxl"`.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

import pandas as pd
import python_calamine
import yaml
from openpyxl.utils import column_index_from_string, get_column_letter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from . import paths, units
from .errors import InputError
from .targets import Registry

YEAR_MIN, YEAR_MAX = 1949, 2100
TIDY_COLUMNS = ["indicator", "year", "value", "unit", "source"]
PROVENANCE_COLUMNS = ["table", "file", "sheet", "cell", "where", "note"]
ENGINE = "calamine"
MAX_UNPACKED_BYTES = 256 * 2**20
MAX_MESSAGES = 30

# Footnote marks: circled and bracketed numbers, *, †, #. They must come off BEFORE NFKC folding, which turns
# "45.2①" into "45.21". Superscript digits are not marks here: units use them (μg/m³, m²).
_NUMBERED_MARKS = "".join(map(chr, [*range(0x2460, 0x249C), 0x24EA, *range(0x2776, 0x2794)]))
_TRAILING_MARKS = re.compile(f"[*＊†‡#＃{_NUMBERED_MARKS}]+$")
_ANY_NUMBERED_MARK = re.compile(f"[{_NUMBERED_MARKS}]")
_NOT_PUBLISHED = re.compile(r"-+|—+|–+|─+|\.{3,}|…+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_YEAR = re.compile(r"(\d{4})\s*年?度?")
_FOOTNOTE = re.compile(r"注\s*$|注\s*[:：\d①-⑳、.．(（]|资料来源|数据来源")


# ---------------------------------------------------------------- cell text

def display_path(path: Path) -> str:
    """The path as an analyst would type it: relative to the project when inside it."""
    try:
        return str(Path(path).resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def _text(value: object) -> str:
    """A cell as text ('' for blank; 2018.0 -> '2018')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def split_mark(text: str, anywhere: bool = False) -> tuple[str, str]:
    """("45.2①" -> "45.2", "①"): trailing footnote marks, and with `anywhere` numbered marks inside a label too."""
    text = text.strip()
    found = _TRAILING_MARKS.search(text)
    marks = ""
    if found:
        marks, text = found.group(), text[: found.start()].rstrip()
    if anywhere and _ANY_NUMBERED_MARK.search(text):
        marks = "".join(_ANY_NUMBERED_MARK.findall(text)) + marks
        text = _ANY_NUMBERED_MARK.sub("", text)
    return text, marks


def clean_label(value: object) -> tuple[str, str]:
    """A label folded for matching (marks off, NFKC, no whitespace) and the marks removed from it."""
    text, marks = split_mark(_text(value), anywhere=True)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)), marks


def label_key(text: str) -> str:
    return clean_label(text)[0]


def parse_year(value: object) -> int | None:
    """2018, 2018.0, "2018", "2018年", "２０１８年", "2018年度", "2018年①" -> 2018; anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and 1000 <= value <= 9999 else None
    text = unicodedata.normalize("NFKC", split_mark(_text(value))[0]).strip()
    match = _YEAR.fullmatch(text)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Value:
    """A parsed value cell: a number, or None for "not published" (blank, "-", "…", "—")."""

    number: float | None
    mark: str = ""
    shown: str = ""


def parse_value(value: object, percent_ok: bool = False) -> Value:
    """Read a cell as a number the way yearbooks write them; ValueError('found "…"') when it is not one.

    Accepted: numbers, numbers stored as text, full-width digits and punctuation, thousands separators ("1,234.5",
    "1，234"), "−3.2", trailing footnote marks ("38*", "45.2①"), "12.5%" in a % row. Not published: blank, "-",
    "…", "—", "－". Anything else ("十四", "约40", ">4400", dates, TRUE) is refused, never guessed.
    """
    if value is None:
        return Value(None)
    if isinstance(value, bool):
        raise ValueError(f"found {str(value).upper()}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"found {value}")
        return Value(float(value))
    if isinstance(value, (date, time, timedelta)):
        raise ValueError(f'found a date "{value}" (Excel may have turned the entry into a date)')
    raw = str(value).strip()
    text, mark = split_mark(raw)
    text = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    if not text or _NOT_PUBLISHED.fullmatch(text):
        return Value(None, mark, raw)
    if percent_ok and text.endswith("%"):
        text = text[:-1].rstrip()
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        raise ValueError(f'found "{raw}"')
    return Value(float(text), mark, raw)


# ---------------------------------------------------------------- layout records

Letter = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,3}$")]
Row = Annotated[int, Field(ge=1)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _exactly_one(record: BaseModel, names: tuple[str, ...]) -> None:
    given = [n for n in names if getattr(record, n) is not None]
    if len(given) != 1:
        raise ValueError(f"give exactly one of {', '.join(names)}; found {', '.join(given) or 'none'}")


class UnitSpec(_Record):
    """Where the units are: a column (per row), a row (per column), inside the labels, or one fixed unit."""

    column: Letter | None = None
    row: Row | None = None
    in_label: Literal[True] | None = None
    fixed: str | None = None

    @model_validator(mode="after")
    def _check(self) -> UnitSpec:
        _exactly_one(self, ("column", "row", "in_label", "fixed"))
        if self.fixed is not None:
            units.parse(self.fixed)
        return self


class SourceSpec(_Record):
    """Where the source ids are: a column (per row), a row (per column), or one fixed id for the table."""

    column: Letter | None = None
    row: Row | None = None
    fixed: str | None = None

    @model_validator(mode="after")
    def _check(self) -> SourceSpec:
        _exactly_one(self, ("column", "row", "fixed"))
        return self


class Layout(_Record):
    """One table: where it is and how it is laid out. `file` is relative to the raw folder.

    years: columns -> `label` (and optional `code`) are column letters, header rows hold the years (plus optional
    qualifier rows such as 绝对值 / 增速). years: rows -> `year` is the column of years, `label` is the header row of
    the series labels (other header rows are qualifiers), optional `code` is a row of indicator ids.
    """

    id: str = Field(min_length=1)
    file: str
    sheet: str | None = None
    header_rows: list[Row]
    data_start: Row
    years: Literal["columns", "rows"]
    label: Letter | Row
    code: Letter | Row | None = None
    year: Letter | None = None
    unit: UnitSpec
    source: SourceSpec
    indicators: dict[str, str] = {}
    ignore: list[str] = []

    @field_validator("file")
    @classmethod
    def _inside_raw(cls, value: str) -> str:
        path = PurePosixPath(value)
        if not value or path.is_absolute() or ".." in path.parts:
            raise ValueError(f"expected a path inside the raw folder, like bureau/x.xlsx; found {value!r}")
        if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".csv"):
            raise ValueError(f"expected an .xlsx, .xls or .csv file; found {value!r}")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Layout:
        rows = self.header_rows
        if not 1 <= len(rows) <= 3 or any(b != a + 1 for a, b in zip(rows, rows[1:])):
            raise ValueError(f"header_rows: expected 1 to 3 consecutive rows like [3] or [3, 4]; found {rows}")
        if rows[-1] >= self.data_start:
            raise ValueError(f"header_rows {rows} must come before data_start {self.data_start}")
        is_csv = self.file.lower().endswith(".csv")
        if is_csv != (self.sheet is None):
            raise ValueError("sheet: required for a workbook, not allowed for a csv file")
        across = self.years == "columns"
        if across and (not isinstance(self.label, str) or isinstance(self.code, int) or self.year is not None):
            raise ValueError("years: columns needs label (and code) as column letters and no `year` column")
        if not across and (self.label not in rows or isinstance(self.code, str) or self.year is None):
            raise ValueError("years: rows needs `year` (a column letter), label as one of header_rows, code as a row")
        for name, spec in (("unit", self.unit), ("source", self.source)):
            if spec.row is not None and spec.row >= self.data_start:
                raise ValueError(f"{name}.row {spec.row} must come before data_start {self.data_start}")
        return self

    def key_columns(self) -> set[int]:
        """0-based columns holding labels, codes, years, units or sources: never read as values."""
        letters = [self.label if isinstance(self.label, str) else None, self.code if isinstance(self.code, str) else None,
                   self.year, self.unit.column, self.source.column]
        return {column_index_from_string(x) - 1 for x in letters if x}


def load_layouts(path: Path, registry: Registry, source_ids: set[str]) -> list[Layout]:
    """Read layouts.yaml (`tables:` list) and check every record against the registry and the sources table."""
    shown = display_path(path)
    try:
        doc = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        raise InputError(f"{shown}: layouts file not found; expected a `tables:` list of layout records") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{shown}: not valid UTF-8 YAML ({exc})") from None
    if not isinstance(doc, dict) or set(doc) != {"tables"} or not isinstance(doc["tables"], list):
        raise InputError(f"{shown}: expected a mapping with one key, `tables:`, holding a list of layout records")
    return parse_layouts(doc["tables"], shown, registry, source_ids)


def parse_layouts(records: list, origin: str, registry: Registry, source_ids: set[str]) -> list[Layout]:
    """Validate layout records; every problem of every record in one InputError naming `origin`, record and field."""
    layouts, problems = [], []
    for number, record in enumerate(records, 1):
        name = record.get("id", f"#{number}") if isinstance(record, dict) else f"#{number}"
        try:
            layout = Layout(**record) if isinstance(record, dict) else None
        except ValidationError as exc:
            problems += [f"{origin}, table {name}, field {'.'.join(map(str, e['loc'])) or '(record)'}: {e['msg']}"
                         for e in exc.errors()]
            continue
        if layout is None:
            problems.append(f"{origin}, table {name}: expected a mapping of fields, found {type(record).__name__}")
            continue
        if layout.id in {x.id for x in layouts}:
            problems.append(f"{origin}, table {layout.id}: the id is used by another record too")
        for label, ind in sorted(layout.indicators.items()):
            if ind not in registry.indicators:
                problems.append(f'{origin}, table {layout.id}, field indicators: "{label}" -> "{ind}" is not an '
                                "indicator of the registry")
        if layout.source.fixed is not None and layout.source.fixed not in source_ids:
            problems.append(f'{origin}, table {layout.id}, field source.fixed: "{layout.source.fixed}" is not in '
                            "sources.csv")
        layouts.append(layout)
    if problems:
        raise InputError("\n".join(problems))
    return layouts


# ---------------------------------------------------------------- grids

@dataclass(frozen=True)
class Grid:
    """A sheet (or csv) as rows of raw values, 0-based, with merged ranges (r0, c0, r1, c1) inclusive."""

    shown: str
    sheet: str | None
    rows: list[list]
    merges: tuple[tuple[int, int, int, int], ...] = ()
    lines: tuple[int, ...] = ()
    encoding: str = ""

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def get(self, r: int, c: int) -> object:
        row = self.rows[r] if 0 <= r < len(self.rows) else ()
        value = row[c] if 0 <= c < len(row) else None
        return None if isinstance(value, str) and not value.strip() else value

    def ref(self, r: int, c: int) -> str:
        if self.sheet is None:
            return f"line {self.lines[r] if r < len(self.lines) else r + 1}, column {get_column_letter(c + 1)}"
        return f"{get_column_letter(c + 1)}{r + 1}"

    def where(self, r: int, c: int) -> str:
        if self.sheet is None:
            return f"{self.shown}, {self.ref(r, c)}"
        return f"{self.shown}, sheet {self.sheet}, cell {self.ref(r, c)}"


def decode_text(data: bytes, shown: str) -> tuple[str, str]:
    """UTF-8 (BOM or not) first, then GB18030, which is what Chinese Excel writes when saving as CSV."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding.replace("-sig", "")
        except UnicodeDecodeError as exc:
            failure = exc
    raise InputError(f"{shown}: not UTF-8 or GB18030 text (undecodable byte at offset {failure.start}); "
                     "save it as CSV UTF-8")


def read_grid(path: Path, sheet: str | None, engine: str | None = None) -> Grid:
    """Read one sheet (or a csv) into a Grid; InputError for a missing, damaged or unsafe file or a missing sheet."""
    shown = display_path(path)
    if not Path(path).is_file():
        raise InputError(f"{shown}: file not found")
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        text, encoding = decode_text(Path(path).read_bytes(), shown)
        reader = csv.reader(io.StringIO(text, newline=""))
        rows, lines = [], []
        for row in reader:
            rows.append([cell if cell.strip() else None for cell in row])
            lines.append(reader.line_num)
        return Grid(shown, None, rows, lines=tuple(lines), encoding=encoding)
    if suffix in (".xlsx", ".xlsm"):
        _check_zip(Path(path), shown)
    return (_read_openpyxl if (engine or ENGINE) == "openpyxl" else _read_calamine)(Path(path), shown, sheet)


def sheet_names(path: Path) -> list[str]:
    """The sheet names of a workbook (hidden ones too), read from its index only."""
    shown = display_path(path)
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        _check_zip(Path(path), shown)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.CalamineError as exc:
        raise InputError(f"{shown}: not a readable workbook ({exc})") from None
    names = list(book.sheet_names)
    book.close()
    return names


def _check_zip(path: Path, shown: str) -> None:
    """Refuse what would hurt to open: damaged archives, zip bombs, XML declaring a DTD (entity expansion)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                raise InputError(f"{shown}: refused: unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB")
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    with archive.open(member) as stream:
                        head = stream.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise InputError(f"{shown}: refused: {member.filename} declares an XML DTD (entity expansion "
                                         "attacks use it; Excel never writes one)")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, OSError) as exc:
        raise InputError(f"{shown}: not a readable .xlsx workbook (damaged or not an Excel file: {exc})") from None


def _read_calamine(path: Path, shown: str, sheet: str | None) -> Grid:
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.CalamineError as exc:
        raise InputError(f"{shown}: not a readable workbook ({exc})") from None
    try:
        if sheet not in book.sheet_names:
            raise InputError(f"{shown}: no sheet {sheet!r}; the sheets are: {', '.join(book.sheet_names)}")
        data = book.get_sheet_by_name(sheet)
        rows = [list(row) for row in data.to_python(skip_empty_area=False)]
        merges = tuple((a, b, c, d) for (a, b), (c, d) in (data.merged_cell_ranges or []))
    except python_calamine.CalamineError as exc:
        raise InputError(f"{shown}, sheet {sheet}: cannot read the sheet ({exc})") from None
    finally:
        book.close()
    return Grid(shown, sheet, rows, merges)


def _read_openpyxl(path: Path, shown: str, sheet: str | None) -> Grid:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not openpyxl.DEFUSEDXML:
        raise RuntimeError("openpyxl is not parsing through defusedxml; refusing to open untrusted workbooks")
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, InvalidFileException) as exc:
        raise InputError(f"{shown}: not a readable workbook ({exc})") from None
    if sheet not in book.sheetnames:
        raise InputError(f"{shown}: no sheet {sheet!r}; the sheets are: {', '.join(book.sheetnames)}")
    ws = book[sheet]
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    merges = tuple((m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges)
    return Grid(shown, sheet, rows, merges)


# ---------------------------------------------------------------- tables

@dataclass(frozen=True)
class Skipped:
    """Something deliberately not read, for the build report: where, what, why and how many non-blank cells."""

    table: str
    where: str
    what: str
    why: str
    cells: int = 0


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


@dataclass(frozen=True)
class _Line:
    """One year or one series along an axis: its row or column index and what its header or label says."""

    index: int
    ref: tuple[int, int]
    year: int = 0
    label: str = ""
    raw_label: str = ""
    qualifier: str = ""
    code: str = ""
    code_ref: tuple[int, int] = (0, 0)


class _Problems(list):
    """Cell-level problems of one table, raised together so the analyst fixes them in one pass."""

    def check(self) -> None:
        unique = list(dict.fromkeys(self))
        if unique:
            more = f"\n... and {len(unique) - MAX_MESSAGES} more problems" if len(unique) > MAX_MESSAGES else ""
            raise InputError("\n".join(unique[:MAX_MESSAGES]) + more)


def _range(grid: Grid, r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{grid.shown}, sheet {grid.sheet}, cells {grid.ref(r0, c0)}:{grid.ref(r1, c1)}"


def _header(grid: Grid, layout: Layout) -> tuple[list[int], list[list[str]]]:
    """Header texts per (part row, column): merged cells filled across their span once the merges line up.

    A merge must stay inside the header rows and must not span both key columns (label, unit, ...) and value
    columns; a lower merge must not cross the boundary of an upper one; and a merge spanning several value columns
    needs header rows below it that tell those columns apart (else two columns would claim the same year).
    """
    top, bottom = layout.header_rows[0] - 1, layout.header_rows[-1] - 1
    unit_row = layout.unit.row - 1 if layout.unit.row else None
    keys = layout.key_columns()
    width = max([grid.width] + [c1 + 1 for r0, _, r1, c1 in grid.merges if r0 <= bottom and r1 >= top])
    texts = {r: [clean_label(grid.get(r, c))[0] for c in range(width)] for r in range(top, bottom + 1)}
    groups: dict[int, list[object]] = {r: [("cell", c) if texts[r][c] else None for c in range(width)] for r in texts}
    problems, spans = _Problems(), []
    for number, (r0, c0, r1, c1) in enumerate(grid.merges):
        if r1 < top or r0 > bottom:
            continue
        inside = set(range(c0, c1 + 1))
        if r0 < top or r1 > bottom:
            problems.append(f"{_range(grid, r0, c0, r1, c1)}: merged cell reaches outside the header rows "
                            f"{layout.header_rows}; expected header merges to stay within them")
        elif inside & keys and inside - keys:
            problems.append(f"{_range(grid, r0, c0, r1, c1)}: merged header spans a label/code/unit/source column "
                            "and value columns; expected them apart")
        for r in range(max(r0, top), min(r1, bottom) + 1):
            for c in range(c0, c1 + 1):
                texts[r][c], groups[r][c] = clean_label(grid.get(r0, c0))[0], number
        spans.append((number, r0, c0, r1, c1))
    problems.check()
    for number, r0, c0, r1, c1 in spans:
        for upper in range(top, max(r0, top)):
            crossed = {groups[upper][c] for c in range(c0, c1 + 1)} - {None, number}
            if len(crossed) > 1:
                problems.append(f"{_range(grid, r0, c0, r1, c1)}: merged header \"{texts[r0][c0]}\" crosses the "
                                f"boundary between header cells of row {upper + 1}; expected it under one of them")
        below = [r for r in range(min(r1, bottom) + 1, bottom + 1) if r != unit_row]
        cols = [c for c in range(c0, c1 + 1) if c not in keys]
        tags = [tuple(texts[r][c] for r in below) for c in cols]
        if len(cols) > 1 and (any(not any(t) for t in tags) or len(set(tags)) < len(tags)):
            seen = ", ".join(f'{get_column_letter(c + 1)} "{"/".join(t)}"' for c, t in zip(cols, tags))
            problems.append(f"{_range(grid, r0, c0, r1, c1)}: merged header \"{texts[r0][c0]}\" spans columns that do "
                            f"not belong together: the header rows below do not tell them apart ({seen}); expected "
                            "one value column per year and qualifier")
    problems.check()
    part_rows = [r for r in range(top, bottom + 1) if r != unit_row]
    return part_rows, [texts[r] for r in part_rows]


def _parts(texts: list[list[str]], c: int) -> list[str]:
    """Non-empty header texts of a column, top to bottom, a vertical merge counted once."""
    out: list[str] = []
    for row in texts:
        if row[c] and (not out or out[-1] != row[c]):
            out.append(row[c])
    return out


def _data_rows(grid: Grid, layout: Layout, notes: list[str]) -> list[int]:
    """Rows from data_start that hold anything, minus footnote rows ("注:…", "资料来源…"), which go to the notes."""
    rows = []
    for r in range(layout.data_start - 1, len(grid.rows)):
        filled = [c for c in range(len(grid.rows[r])) if grid.get(r, c) is not None]
        if not filled:
            continue
        first = _text(grid.get(r, filled[0]))
        if len(filled) == 1 and _FOOTNOTE.match(unicodedata.normalize("NFKC", first)):
            notes.append(f"{layout.id}: footnote {grid.ref(r, filled[0])}: {first}")
            continue
        rows.append(r)
    return rows


def _check_year(where: str, text: str, year: int | None, problems: list[str]) -> bool:
    if year is None:
        problems.append(f'{where}: expected a year like 2018 or 2018年, found "{text}"')
    elif not YEAR_MIN <= year <= YEAR_MAX:
        problems.append(f"{where}: year {year} is outside {YEAR_MIN}-{YEAR_MAX}")
    else:
        return True
    return False


def _year_columns(grid: Grid, layout: Layout, part_rows: list[int], texts: list[list[str]], data_rows: list[int],
                  skipped: list[Skipped], problems: list[str]) -> list[_Line]:
    """years: columns -> one line per value column: its year and qualifier (e.g. 增速) from the header rows."""
    lines, seen, ignore = [], {}, {label_key(x) for x in layout.ignore}
    for c in sorted(set(range(grid.width)) - layout.key_columns()):
        parts, data = _parts(texts, c), [r for r in data_rows if grid.get(r, c) is not None]
        if not parts:
            if data:
                problems.append(f"{grid.where(data[0], c)}: column {get_column_letter(c + 1)} has values but no "
                                f"year in header rows {layout.header_rows}")
            continue
        if label_key("/".join(parts)) in ignore or any(label_key(p) in ignore for p in parts):
            skipped.append(Skipped(layout.id, f"column {get_column_letter(c + 1)}", "/".join(parts),
                                   "column ignored by the layout record", len(data)))
            continue
        found = [(k, parse_year(t[c])) for k, t in enumerate(texts) if t[c] and parse_year(t[c]) is not None]
        years = {y for _, y in found}
        if len(years) > 1:
            problems.append(f"{grid.where(part_rows[0], c)}: two different years {sorted(years)} head one column")
            continue
        row = part_rows[found[0][0] if found else next(k for k, t in enumerate(texts) if t[c])]
        if not _check_year(grid.where(row, c), "/".join(parts), years.pop() if years else None, problems):
            continue
        line = _Line(c, (row, c), year=found[0][1], qualifier="/".join(p for p in parts if parse_year(p) is None))
        previous = seen.setdefault((line.year, line.qualifier), line)
        if previous is not line:
            name = " ".join(str(x) for x in (line.year, line.qualifier) if x)
            problems.append(f"{grid.where(row, c)}: duplicate year column: {name} is also column "
                            f"{get_column_letter(previous.index + 1)}")
            continue
        lines.append(line)
    return lines


def _series_rows(grid: Grid, layout: Layout, data_rows: list[int]) -> list[_Line]:
    """years: columns -> one line per data row: its label and (template layout) its indicator code."""
    label_col = column_index_from_string(layout.label) - 1
    code_col = column_index_from_string(layout.code) - 1 if layout.code else None
    return [_Line(r, (r, label_col), label=clean_label(grid.get(r, label_col))[0],
                  raw_label=_text(grid.get(r, label_col)),
                  code=_text(grid.get(r, code_col)) if code_col is not None else "",
                  code_ref=(r, code_col or 0)) for r in data_rows]


def _year_rows(grid: Grid, layout: Layout, data_rows: list[int], problems: list[str]) -> list[_Line]:
    """years: rows -> one line per data row: the year in the `year` column."""
    col, lines, seen = column_index_from_string(layout.year) - 1, [], {}
    for r in data_rows:
        year = parse_year(grid.get(r, col))
        if not _check_year(grid.where(r, col), _text(grid.get(r, col)), year, problems):
            continue
        if year in seen:
            problems.append(f"{grid.where(r, col)}: duplicate year row: {year} is also row {seen[year] + 1}")
            continue
        seen[year] = r
        lines.append(_Line(r, (r, col), year=year))
    return lines


def _series_columns(grid: Grid, layout: Layout, part_rows: list[int], texts: list[list[str]], data_rows: list[int],
                    problems: list[str]) -> list[_Line]:
    """years: rows -> one line per value column: label from the label row, qualifiers from the other header rows."""
    label_row, lines = layout.label - 1, []
    for c in sorted(set(range(grid.width)) - layout.key_columns()):
        label = texts[part_rows.index(label_row)][c] if label_row in part_rows else ""
        quals = [p for p in _parts(texts, c) if p != label]
        code = _text(grid.get(layout.code - 1, c)) if layout.code else ""
        if not label and not code:
            if any(grid.get(r, c) is not None for r in data_rows):
                problems.append(f"{grid.where(label_row, c)}: column {get_column_letter(c + 1)} has values but no "
                                f"label in row {layout.label}")
            continue
        raw = _text(grid.get(label_row, c)) or label
        lines.append(_Line(c, (label_row, c), label=label, raw_label=raw, qualifier="/".join(quals), code=code,
                           code_ref=((layout.code or 1) - 1, c)))
    return lines


@dataclass
class _Table:
    """One table being read: its grid and record, the lookups it needs, and what it collects."""

    grid: Grid
    layout: Layout
    registry: Registry
    source_ids: set[str]
    result: TableRead
    problems: _Problems = field(default_factory=_Problems)
    records: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.mapping = {label_key(k): v for k, v in self.layout.indicators.items()}
        self.ignore = {label_key(x) for x in self.layout.ignore}


def read_table(layout: Layout, raw_dir: Path, registry: Registry, source_ids: set[str],
               engine: str | None = None) -> TableRead:
    """Read one table into tidy rows (units as written) plus what was not read; InputError listing every problem."""
    grid = read_grid(Path(raw_dir) / layout.file, layout.sheet, engine)
    t = _Table(grid, layout, registry, source_ids, TableRead(layout, pd.DataFrame()))
    if grid.encoding == "gb18030":
        t.result.notes.append(f"{layout.id}: {layout.file} is GB18030 text (not UTF-8); read as GB18030")
    part_rows, texts = _header(grid, layout)
    data_rows = _data_rows(grid, layout, t.result.notes)
    if layout.years == "columns":
        years = _year_columns(grid, layout, part_rows, texts, data_rows, t.result.skipped, t.problems)
        series = _series_rows(grid, layout, data_rows)
    else:
        years = _year_rows(grid, layout, data_rows, t.problems)
        series = _series_columns(grid, layout, part_rows, texts, data_rows, t.problems)
    t.problems.check()
    if not data_rows or not years or not series:
        where = grid.shown if grid.sheet is None else f"{grid.shown}, sheet {grid.sheet}"
        missing = "data rows" if not data_rows else "year columns or rows" if not years else "labelled series"
        raise InputError(f"{where}: empty table {layout.id}: expected {missing} under header rows "
                         f"{layout.header_rows} from row {layout.data_start}, found none")
    for line in series:
        for qualifier, cells in _slots(layout, line, years).items():
            _read_series(t, line, qualifier, cells)
    t.problems.check()
    t.result.skipped = list(dict.fromkeys(t.result.skipped))
    t.result.notes = list(dict.fromkeys(t.result.notes))
    t.result.frame = pd.DataFrame(t.records, columns=TIDY_COLUMNS + PROVENANCE_COLUMNS).astype(
        {"year": "int64", "value": "float64"})
    return t.result


def _slots(layout: Layout, line: _Line, years: list[_Line]) -> dict[str, list[tuple[int, int, int]]]:
    """The (year, row, column) cells of one series line, grouped by qualifier (绝对值 / 增速 are two series)."""
    groups: dict[str, list[tuple[int, int, int]]] = {}
    for y in years:
        if layout.years == "columns":
            groups.setdefault(y.qualifier, []).append((y.year, line.index, y.index))
        else:
            groups.setdefault(line.qualifier, []).append((y.year, y.index, line.index))
    return groups


def _resolve(t: _Table, line: _Line, qualifier: str) -> tuple[str | None, str]:
    """(indicator id, "") or (None, why): a code cell wins; else the label (+ qualifier) through `indicators:`."""
    if line.code and line.code in t.ignore:
        return None, "ignored"
    if line.code:
        return (line.code, "") if line.code in t.registry.indicators else (None, "unknown code")
    labels = dict.fromkeys([line.label, label_key(units.unit_in_label(line.label)[0])])
    quals = dict.fromkeys([qualifier, label_key(units.unit_in_label(qualifier)[0])] if qualifier else [])
    names = [f"{x}/{q}" for q in quals for x in labels] + list(labels)
    if any(name in t.ignore for name in names):
        return None, "ignored"
    return next(((t.mapping[n], "") for n in names if n in t.mapping), (None, ""))


def _read_series(t: _Table, line: _Line, qualifier: str, cells: list[tuple[int, int, int]]) -> None:
    grid, layout = t.grid, t.layout
    filled = [(r, c) for _, r, c in cells if grid.get(r, c) is not None]
    indicator, why = _resolve(t, line, qualifier)
    name = "/".join(x for x in (line.raw_label or line.label, qualifier) if x)
    if why == "unknown code":
        t.problems.append(f'{grid.where(*line.code_ref)}: indicator code "{line.code}" is not in the registry')
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


def _read_cell(t: _Table, line: _Line, qualifier: str, indicator: str, year: int, r: int, c: int) -> None:
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
    if unit and unit != "%" and "%" in unicodedata.normalize("NFKC", _text(raw)):
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


def _unit(t: _Table, line: _Line, qualifier: str, r: int, c: int) -> str:
    """The canonical unit of a value cell, or "" after recording why there is none."""
    spec, grid = t.layout.unit, t.grid
    if spec.fixed is not None:
        return units.parse(spec.fixed).symbol
    if spec.in_label:
        found = [u for part in (line.label, qualifier) if part and (u := units.unit_in_label(part)[1])]
        if not found:
            t.problems.append(f'{grid.where(*line.ref)}: expected a unit in the label, like 规上工业增加值(亿元), '
                              f'found "{line.raw_label}"')
        return found[0] if found else ""
    at = (r, column_index_from_string(spec.column) - 1) if spec.column else (spec.row - 1, c)
    text = split_mark(_text(grid.get(*at)))[0]
    if not text:
        t.problems.append(f"{grid.where(*at)}: expected a unit (like 亿元 or %), found a blank cell")
        return ""
    try:
        return units.parse(text).symbol
    except ValueError as exc:
        t.problems.append(f"{grid.where(*at)}: {exc}")
        return ""


def _source(t: _Table, r: int, c: int) -> str:
    """The source id of a value cell, or "" after recording why there is none."""
    spec, grid = t.layout.source, t.grid
    if spec.fixed is not None:
        return spec.fixed
    at = (r, column_index_from_string(spec.column) - 1) if spec.column else (spec.row - 1, c)
    text = unicodedata.normalize("NFKC", _text(grid.get(*at))).strip()
    if not text:
        t.problems.append(f"{grid.where(*at)}: expected a source id of sources.csv (like S01), found a blank cell")
    elif text not in t.source_ids:
        known = ", ".join(sorted(t.source_ids)[:12]) + (", ..." if len(t.source_ids) > 12 else "")
        t.problems.append(f'{grid.where(*at)}: source "{text}" is not in sources.csv; expected one of: {known}')
    else:
        return text
    return ""


# ---------------------------------------------------------------- checks across tables

def _expectation(scale: str, value: float) -> str:
    """What the indicator's scale allows, when `value` breaks it; "" when it fits."""
    whole = float(value).is_integer()
    rules = {"share": (0 <= value <= 100, "a share between 0 and 100"),
             "score": (0 <= value <= 100, "a score between 0 and 100"),
             "count": (value >= 0 and whole, "a whole count of 0 or more"),
             "rank": (value >= 1 and whole, "a whole rank of 1 or more"),
             "level": (value > 0, "a level above 0")}
    ok, expected = rules.get(scale, (True, ""))
    return "" if ok else expected


def check_values(frame: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Convert every value to its indicator's registry unit; refuse unit mixes, values outside the indicator's
    scale (negative counts, shares above 100) and the same indicator-year twice, across rows and tables.

    Converted values are rounded to 12 significant digits so that 12345 万元 is 1.2345 亿元, not 1.2345000000000002.
    """
    problems = _Problems()
    rows = list(zip(frame["indicator"], frame["year"], frame["value"], frame["unit"], frame["where"]))
    kinds: dict[str, dict[str, tuple[str, str]]] = {}
    for indicator, _, _, unit, where in rows:
        kinds.setdefault(indicator, {}).setdefault(units.parse(unit).dimension, (unit, where))
    for indicator, seen in sorted(kinds.items()):
        if len(seen) > 1:
            (a, wa), (b, wb) = list(seen.values())[:2]
            problems.append(f"{indicator}: unit changes from {a} ({wa}) to {b} ({wb}); expected one kind of unit "
                            "per indicator (万元 and 亿元 mix, 亿元 and % do not)")
    values = []
    for indicator, year, value, unit, where in rows:
        spec = registry.indicators[indicator]
        if len(kinds[indicator]) > 1:
            continue
        try:
            values.append(float(f"{value * units.conversion_factor(unit, spec.unit):.12g}"))
        except ValueError as exc:
            problems.append(f'{where}: unit "{unit}" does not fit indicator {indicator}, measured in "{spec.unit}" ({exc})')
            continue
        expected = _expectation(spec.scale, values[-1])
        if expected:
            problems.append(f"{where}: expected {expected} for {indicator} {year} ({spec.unit}), found {values[-1]:g}")
    out = frame.copy()
    twice = out[out.duplicated(["indicator", "year"], keep=False)]
    for (indicator, year), group in twice.groupby(["indicator", "year"], sort=True):
        places = " and ".join(group["where"])
        problems.append(f"{indicator} {year}: the same indicator-year appears twice: {places}; expected one value")
    problems.check()
    out["value"] = pd.Series(values, index=out.index, dtype="float64")
    out["unit"] = out["indicator"].map(lambda i: registry.indicators[i].unit)
    return out.sort_values(["indicator", "year"], kind="stable").reset_index(drop=True)
