"""Read one sheet of a workbook, or one csv file, into a Grid of raw cell values with its merged ranges.

This is the only module that opens data files, so the safety checks live here: a zip check first refuses damaged
archives, zip bombs and XML carrying a DTD (entity expansion) before any parser sees the file. xlsx goes through
python-calamine, which gives values and merged ranges in one fast pass (benchmarks/build_speed.py measures it against
openpyxl); openpyxl, which parses through defusedxml, stays available as `engine="openpyxl"`. csv is read as UTF-8
(with or without BOM) or GB18030, which is what Chinese Excel writes when saving as CSV.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import python_calamine
from openpyxl.utils import get_column_letter

from .. import settings
from ..errors import InputError

ENGINE = "calamine"
MAX_UNPACKED_BYTES = 256 * 2**20


def display_path(path: Path) -> str:
    """The path as an analyst would type it: relative to the project when inside it (messages carry no home dirs)."""
    try:
        return str(Path(path).resolve().relative_to(settings.ROOT))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Grid:
    """A sheet (or csv) as rows of raw values, 0-based, with merged ranges (r0, c0, r1, c1) inclusive.

    It also knows how to name a cell in messages: "sheet 工业, cell D7" for a workbook, "line 3, column D" for a csv
    (`lines` maps rows to physical lines, since a quoted csv field may span several).
    """

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
        """The value at (r, c); None outside the grid and for whitespace-only text, which is a blank to a reader."""
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
    path, shown = Path(path), display_path(path)
    if not path.is_file():
        raise InputError(f"{shown}: file not found")
    if path.suffix.lower() == ".csv":
        return _read_csv(path, shown)
    _check_zip(path, shown)
    return (_read_openpyxl if (engine or ENGINE) == "openpyxl" else _read_calamine)(path, shown, sheet)


def sheet_names(path: Path) -> list[str]:
    """The sheet names of a workbook (hidden ones too), read from its index only."""
    shown = display_path(path)
    _check_zip(Path(path), shown)
    book = _open_calamine(Path(path), shown)
    names = list(book.sheet_names)
    book.close()
    return names


CHUNK_BYTES = 2**18  # bytes of a csv decoded at a time when its encoding is checked: memory stays flat


def csv_encoding(path: Path) -> str:
    """The encoding `read_grid` would pick for this csv (UTF-8, BOM or not, else GB18030), found without holding the
    file in memory: a forecast input may be hundreds of MB. Chunks end at a newline byte, which is never part of a
    UTF-8 or GB18030 multi-byte character, so each decodes alone and an undecodable byte's file offset is exact."""
    shown, failure = display_path(path), None
    for encoding in ("utf-8", "gb18030"):
        failure = _undecodable_at(Path(path), encoding)
        if failure is None:
            return "utf-8-sig" if encoding == "utf-8" else encoding
    raise InputError(f"{shown}: not UTF-8 or GB18030 text (undecodable byte at offset {failure}); save it as CSV UTF-8")


def _undecodable_at(path: Path, encoding: str) -> int | None:
    """File offset of the first byte that does not decode, or None when the whole file does."""
    base, rest = 0, b""
    with path.open("rb") as stream:
        while True:
            block = stream.read(CHUNK_BYTES)
            data = rest + block
            cut = data.rfind(b"\n") + 1 if block else len(data)  # at the end, whatever is left
            piece, rest = data[:cut], data[cut:]
            try:
                piece.decode(encoding)
            except UnicodeDecodeError as exc:
                return base + exc.start
            base += len(piece)
            if not block:
                return None


PROGRESS_ROWS = 2**16  # rows between two progress reports of `stream_csv`


def stream_csv(path: Path, progress: Callable[[int], object] | None = None) -> Iterator[tuple[int, list[str]]]:
    """(physical line, cells) for every row of a csv, read lazily in the encoding `read_grid` would use and with the
    same csv dialect: the streaming twin of `read_grid` for inputs too large to hold as a Grid. Cells are the text as
    written (`read_grid` turns whitespace-only cells into None; the caller strips). `progress` is told the bytes read
    so far every PROGRESS_ROWS rows and at the end, for a progress bar."""
    encoding = csv_encoding(path)
    with Path(path).open("rb") as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        try:
            for count, row in enumerate(reader, 1):
                yield reader.line_num, row
                if progress is not None and count % PROGRESS_ROWS == 0:
                    progress(raw.tell())
        except csv.Error as exc:  # a field over csv's limit (an unclosed quote swallows the rest of the file)
            raise InputError(f"{display_path(path)}, line {reader.line_num}: not a readable csv row ({exc}); "
                             "check for an unclosed quote") from None
        if progress is not None:
            progress(raw.tell())


def _read_csv(path: Path, shown: str) -> Grid:
    """A csv as a Grid without a sheet, remembering each row's physical line for messages."""
    text, encoding = decode_text(path.read_bytes(), shown)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, lines = [], []
    for row in reader:
        rows.append([cell if cell.strip() else None for cell in row])
        lines.append(reader.line_num)
    return Grid(shown, None, rows, lines=tuple(lines), encoding=encoding)


def _check_zip(path: Path, shown: str) -> None:
    """Refuse what would hurt to open: damaged archives, zip bombs, XML declaring a DTD (entity expansion).

    Only .xlsx/.xlsm are zip archives; an old binary .xls passes untouched to calamine.
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
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


def _open_calamine(path: Path, shown: str) -> python_calamine.CalamineWorkbook:
    """Open a workbook with calamine; a file it cannot parse is bad input, named, not a traceback."""
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.CalamineError as exc:
        raise InputError(f"{shown}: not a readable workbook ({exc})") from None


def _read_calamine(path: Path, shown: str, sheet: str | None) -> Grid:
    """Values and merged ranges in one pass (the default engine; benchmarks/build_speed.py compares it with openpyxl)."""
    book = _open_calamine(path, shown)
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
    """The pure-Python engine, kept to cross-check calamine; it refuses to run unless it parses via defusedxml."""
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
