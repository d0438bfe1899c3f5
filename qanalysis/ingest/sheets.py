"""Read one sheet of a workbook, or one csv file, into a Grid of raw cell values with its merged ranges.

This is the only module that opens data files, so the safety checks live here: a zip check first refuses damaged
archives, zip bombs and XML carrying a DTD (entity expansion) before any parser sees the file; an encrypted workbook is named
as such; a formula whose value was never saved is refused, because every reader would see a blank there and call
the figure unpublished. xlsx goes through python-calamine, which gives values and merged ranges in one fast pass
(benchmarks/build_speed.py measures it against openpyxl); openpyxl, which parses through defusedxml, stays available
as `engine="openpyxl"`. csv is read as UTF-8 (with or without BOM) or GB18030, which is what Chinese Excel writes
when saving as CSV, with the csv module's strict quoting, so an unclosed quote is an error at its line rather than a
field that swallows the rest of the file. No file is read past MAX_FILE_BYTES, packed or unpacked.

`inside` is how files named relative to an input folder are opened: links are followed, and a file they lead to
outside the folder is refused, so a link dropped into raw/ cannot make the build read /etc or another user's data.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import defusedxml.ElementTree as safe_xml
import python_calamine
from openpyxl.utils import get_column_letter

from .. import settings
from ..errors import InputError
from ..text import from_spreadsheet_safe

ENGINE = "calamine"
MAX_FILE_BYTES = 256 * 2**20  # a csv or .xls as stored, a workbook as stored and once unpacked: far above any
MAX_UNPACKED_BYTES = MAX_FILE_BYTES  # bureau table (the reference workbook unpacks to 50 kB), far below memory
CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE compound file: .xls, or an encrypted .xlsx
CHUNK = 2**20
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")  # a <f> (formula) element, with or without a prefix


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


def inside(root: Path, relative: str | Path) -> Path:
    """root/relative, checked: links are followed, and unless the file they lead to is a regular file inside root,
    InputError. Every file named relative to an input folder (layouts.yaml's `file:`, a template found in raw/) is
    opened through here, so a link in raw/ pointing at /etc/passwd or another workspace is refused, not read."""
    path = Path(root) / relative
    try:
        real, base = path.resolve(strict=True), Path(root).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a loop of links
        raise InputError(f"{display_path(path)}: file not found") from None
    if not real.is_relative_to(base):
        raise InputError(f"{display_path(path)}: refused: a link leading outside the folder {display_path(root)}; "
                         "copy the file into the folder instead")
    if not real.is_file():
        raise InputError(f"{display_path(path)}: expected a data file, found a folder or a device")
    return path


def read_grid(path: Path, sheet: str | None, engine: str | None = None) -> Grid:
    """Read one sheet (or a csv) into a Grid; InputError for a missing, damaged or unsafe file or a missing sheet."""
    path, shown = Path(path), display_path(path)
    if not path.is_file():
        raise InputError(f"{shown}: file not found")
    if path.suffix.lower() == ".csv":
        return _read_csv(path, shown)
    _check_size(path, shown)
    with_formulas = _check_zip(path, shown)
    grid = (_read_openpyxl if (engine or ENGINE) == "openpyxl" else _read_calamine)(path, shown, sheet)
    if with_formulas:
        _check_formulas(path, grid, with_formulas)
    return grid


def sheet_names(path: Path) -> list[str]:
    """The sheet names of a workbook (hidden ones too), read from its index only."""
    shown = display_path(path)
    _check_size(Path(path), shown)
    _check_zip(Path(path), shown)
    book = _open_calamine(Path(path), shown)
    names = list(book.sheet_names)
    book.close()
    return names


def _check_size(path: Path, shown: str) -> None:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"{shown}: refused: larger than {MAX_FILE_BYTES // 2**20} MB")


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
    shown = display_path(path)
    _check_size(Path(path), shown)
    encoding = csv_encoding(path)
    with Path(path).open("rb") as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        reader = csv.reader(text, strict=True)  # the dialect of `_read_csv`: one rule for every csv we read
        try:
            for count, row in enumerate(reader, 1):
                yield reader.line_num, [from_spreadsheet_safe(cell) for cell in row]
                if progress is not None and count % PROGRESS_ROWS == 0:
                    progress(raw.tell())
        except csv.Error as exc:
            raise InputError(f"{shown}, line {reader.line_num}: not readable as csv ({_csv_problem(exc)})") from None
        if progress is not None:
            progress(raw.tell())


def _read_csv(path: Path, shown: str) -> Grid:
    """A csv as a Grid without a sheet, remembering each row's physical line for messages. Strict quoting: a quote
    left open is an error at its line, not a field that silently takes in the lines below it. A field we wrote as
    '=... (text.spreadsheet_safe) reads back as the text it was."""
    _check_size(path, shown)
    text, encoding = decode_text(path.read_bytes(), shown)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines = [], []
    try:
        for row in reader:
            rows.append([from_spreadsheet_safe(cell) if cell.strip() else None for cell in row])
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise InputError(f"{shown}, line {reader.line_num}: not readable as csv ({_csv_problem(exc)})") from None
    return Grid(shown, None, rows, lines=tuple(lines), encoding=encoding)


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's complaint in the analyst's words."""
    text = str(exc)
    if "field larger than field limit" in text:
        return (f"a field longer than {csv.field_size_limit() // 1024} KiB; usually a quote mark left open, which "
                "runs the lines below into one field")
    if "unexpected end of data" in text:
        return "a quote mark is left open at the end of the file"
    return f"{text}; expected each quoted field to be closed by a quote mark followed by a comma or the line's end"


def _check_zip(path: Path, shown: str) -> set[str]:
    """Refuse what would hurt to open: damaged or encrypted archives, zip bombs, XML declaring a DTD (entity
    expansion); return the worksheet parts that hold formulas (for `_check_formulas`).

    The bomb check adds up the sizes the archive's index declares. That is a true cap because both readers hold a
    member to its declared size: zipfile fails its CRC and calamine stops with "File is larger than its declared
    uncompressed size" (tests/test_hostile_files.py checks both). Only .xlsx/.xlsm are zip archives; an old binary
    .xls passes untouched to calamine.
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return set()
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(m.file_size for m in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise InputError(f"{shown}: refused: unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB")
            return _scan_members(archive, shown)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, OSError, NotImplementedError) as exc:
        if _encrypted(path):
            raise InputError(_ENCRYPTED.format(shown=shown)) from None
        raise InputError(f"{shown}: not a readable .xlsx workbook (damaged or not an Excel file: {exc})") from None


def _scan_members(archive: zipfile.ZipFile, shown: str) -> set[str]:
    """Look for a DTD at the head of every XML part, and for formulas through every worksheet (streamed)."""
    with_formulas = set()
    for member in archive.infolist():
        is_sheet = member.filename.startswith("xl/worksheets/")
        with archive.open(member) as stream:
            head = stream.read(4096)
            chunk, tail = head, b""
            while is_sheet and chunk:
                if _FORMULA.search(tail + chunk):
                    with_formulas.add(member.filename)
                    break
                tail, chunk = chunk[-64:], stream.read(CHUNK)
        if member.filename.endswith((".xml", ".rels")) and (b"<!DOCTYPE" in head or b"<!ENTITY" in head):
            raise InputError(f"{shown}: refused: {member.filename} declares an XML DTD (entity expansion attacks use "
                             "it; Excel never writes one)")
    return with_formulas


_ENCRYPTED = ("{shown}: refused: the workbook is encrypted (password-protected); open it in Excel, remove the "
              "password (File > Info > Protect Workbook > Encrypt with Password) and save it again")


def _encrypted(path: Path) -> bool:
    """An encrypted .xlsx is an OLE compound file holding an EncryptedPackage stream, not a zip archive."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_FILE_BYTES)
    except OSError:
        return False
    return data.startswith(CFB_MAGIC) and "EncryptedPackage".encode("utf-16-le") in data


def _check_formulas(path: Path, grid: Grid, with_formulas: set[str]) -> None:
    """Refuse a sheet with formulas whose value was never saved (files written by scripts, not by Excel): every
    reader sees a blank there, so a computed figure would pass as "not published". Names the cells."""
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, grid.sheet)
        if part not in with_formulas:
            return
        cells = _unsaved_formulas(archive, part)
    if cells:
        more = f" and {len(cells) - 10} more" if len(cells) > 10 else ""
        raise InputError(f"{grid.shown}, sheet {grid.sheet}, cell{'s' if len(cells) > 1 else ''} "
                         f"{', '.join(cells[:10])}{more}: formula without a saved value: save the workbook in Excel, "
                         "or paste values")


_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheet_part(archive: zipfile.ZipFile, sheet: str | None) -> str | None:
    """The archive member holding a sheet (xl/worksheets/sheet1.xml), from the workbook's index and its links."""
    try:
        book = safe_xml.fromstring(archive.read("xl/workbook.xml"))
        links = safe_xml.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, safe_xml.ParseError):
        return None
    rel = next((el.get(_REL) for el in book.iter() if el.tag.endswith("}sheet") and el.get("name") == sheet), None)
    target = next((el.get("Target") for el in links if el.get("Id") == rel), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


def _unsaved_formulas(archive: zipfile.ZipFile, part: str) -> list[str]:
    """The cells of a worksheet part holding a formula (<f>) with no saved value (<v> missing, or empty for a
    cell that is not text), streamed so a large sheet is never held whole."""
    found = []
    with archive.open(part) as stream:
        for _, el in safe_xml.iterparse(stream, events=("end",)):
            if el.tag.endswith("}c") or el.tag == "c":
                children = {child.tag.rsplit("}", 1)[-1]: child for child in el}
                value = children.get("v")
                if "f" in children and (value is None or (not value.text and el.get("t") != "str")):
                    found.append(el.get("r", "?"))
                el.clear()
            elif el.tag.endswith("}row") or el.tag == "row":
                el.clear()
    return found


def _open_calamine(path: Path, shown: str) -> python_calamine.CalamineWorkbook:
    """Open a workbook with calamine; a file it cannot parse is bad input, named, not a traceback."""
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise InputError(_ENCRYPTED.format(shown=shown)) from None
    except python_calamine.CalamineError as exc:
        if _encrypted(path):
            raise InputError(_ENCRYPTED.format(shown=shown)) from None
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
