"""The records of an analyst's flat file: a csv, or the first sheet of an .xlsx, as (where, {column: text}) pairs.

`assess --data` and `forecast --data` take what analysts have, and analysts keep tables in Excel as often as in csv.
Both formats come through `sheets` (its safety checks and its GB18030 fallback) into the same records, each with
the place a message must name: "file, line 7" for a csv, "file, sheet S, row 7" for a workbook. A header with a
column twice is refused here, because a reader keyed on names would silently keep only one of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..units import expected_bound
from .cells import FOUR_DIGIT_YEARS, cell_text
from .sheets import display_path, read_grid, sheet_names, stream_csv

FLAT_SUFFIXES = (".csv", ".xlsx", ".xlsm")


def read_records(path: Path, expected: list[str], optional: Sequence[str] = ()) -> list[tuple[str, dict[str, str]]]:
    """(where, record) for every non-blank data row; InputError unless the header holds exactly `expected` (plus
    any of `optional`, read as "" when absent), and InputError naming every row with more cells than the header.
    The records of `stream_records`, held."""
    stream = stream_records(Path(path), expected, optional=optional)
    names = [*expected, *optional]
    out, problems = [], []
    for number, texts, problem in stream.rows:
        if problem:
            problems.append(f"{stream.where(number)}: {problem}")
        else:
            out.append((stream.where(number), dict(zip(names, texts))))
    if problems:
        raise InputError(capped(problems))
    return out


def _check_header(header: list[str], expected: list[str], at_header: str, optional: Sequence[str] = ()) -> None:
    """A reader keyed on column names needs each expected name exactly once, the optional ones at most once, and no
    other."""
    required = sorted(name for name in header if name not in optional)
    if required != sorted(expected) or len(header) != len(set(header)):
        also = f" (and optionally {','.join(optional)})" if optional else ""
        raise InputError(f"{at_header}: expected the columns {','.join(expected)}{also} (each once); found "
                         f"{','.join(header) or 'no header'}")


@dataclass(frozen=True)
class RecordStream:
    """The records of a flat file, one at a time, for inputs too large to hold as records (`forecast --data`).

    `rows` yields (number, texts, problem) for every non-blank data row: the line (csv) or row (workbook) number,
    the stripped texts of the `expected` columns in that order, and what is wrong with the row's shape ("" when
    nothing is), so the caller can report it together with its own checks, all at once."""

    shown: str
    sheet: str | None
    rows: Iterator[tuple[int, list[str], str]]

    @property
    def unit(self) -> str:
        """What a record's number counts: physical lines of a csv, rows of a sheet."""
        return "line" if self.sheet is None else "row"

    def where(self, number: int) -> str:
        """The place a message names: "file, line 7" or "file, sheet S, row 7"."""
        return f"{self.shown}, {self.unit} {number}" if self.sheet is None else \
            f"{self.shown}, sheet {self.sheet}, row {number}"


def stream_records(path: Path, expected: list[str], progress: Callable[[int], object] | None = None,
                   optional: Sequence[str] = ()) -> RecordStream:
    """`read_records` without holding the file: a csv is read lazily (`sheets.stream_csv`; `progress` hears the bytes
    read), a workbook whole (workbooks are small). The header is checked at once; InputError unless it holds exactly
    `expected`. A row with more cells than the header is reported through its problem, never dropped."""
    path, shown = Path(path), display_path(path)
    if not path.is_file():
        raise InputError(f"{shown}: file not found")
    if path.suffix.lower() not in FLAT_SUFFIXES:
        raise InputError(f"{shown}: expected a .csv or .xlsx file with the columns {','.join(expected)}")
    sheet = None if path.suffix.lower() == ".csv" else sheet_names(path)[0]
    if sheet is None:
        cells: Iterator[tuple[int, list]] = stream_csv(path, progress)
    else:
        cells = ((r, row) for r, row in enumerate(read_grid(path, sheet).rows, 1))
    first = next(cells, (1, []))
    header = [cell_text(c) for c in first[1]]
    while header and not header[-1]:
        header.pop()
    stream = RecordStream(shown, sheet, iter(()))
    _check_header(header, expected, stream.where(first[0]), optional)
    columns = [header.index(name) if name in header else None for name in [*expected, *optional]]
    return RecordStream(shown, sheet, _shaped(cells, columns, len(header), str.strip if sheet is None else cell_text))


def _shaped(cells: Iterator[tuple[int, list]], columns: list[int | None], width: int,
            text: Callable[[Any], str]) -> Iterator[tuple[int, list[str], str]]:
    """(number, texts of `columns`, shape problem) for every non-blank row: the records of `stream_records`. `text`
    is `cell_text` for workbook cells and plain `str.strip` for csv cells, which are always text: millions of rows
    pass through here."""
    in_order = columns == list(range(width))
    for number, row in cells:
        if len(row) == width:
            texts = list(map(text, row)) if in_order else [text(row[i]) if i is not None else "" for i in columns]
            extra = []
        else:
            texts = [text(row[i]) if i is not None and i < len(row) else "" for i in columns]
            extra = [shown for x in row[width:] if (shown := text(x))]
        if extra:
            yield number, texts, f"expected {width} columns, found more ({', '.join(extra)})"
        elif any(texts):
            yield number, texts, ""


def capped(problems: list[str], limit: int = 30, total: int | None = None) -> str:
    """Every problem, one per line, up to `limit` and a count of the rest: enough to fix a file in one pass. `total`
    is the number of problems found when only the first ones were kept."""
    total = len(problems) if total is None else total
    more = f"\n... and {total - limit} more" if total > limit else ""
    return "\n".join(problems[:limit]) + more


def record_year(text: str) -> int | None:
    """A record's year: four decimal digits, 1000 to 9999 (2018, or full-width ２０１８); None for anything else.

    `\\d` is Unicode's decimal digits, which int() reads; not str.isdigit(), which also passes superscripts (²⁰¹⁸)
    that int() refuses, and not a longer run, which would be a year no table has (a 20-digit "year" is a pasted ID).
    """
    return int(text) if re.fullmatch(r"\d{4}", text) and int(text) in FOUR_DIGIT_YEARS else None


def record_number(text: str) -> tuple[float, str]:
    """A record's number and "", or NaN and what was expected ("a number", "a finite number", "a number within ...").

    float() is the reader (1e5, -3.2, ４.５ all read) with two of its leniencies closed: "1_000" (Python syntax, not a
    number anyone types in a table) and numbers that are infinite, NaN or beyond units.MAX_MAGNITUDE, which no
    statistic is and which would break the forecast's arithmetic.
    """
    try:
        value = float(text)
    except ValueError:
        return float("nan"), "a number"
    if "_" in text:
        return float("nan"), "a number"
    expected = expected_bound(value)
    return (float("nan"), expected) if expected else (value, "")
