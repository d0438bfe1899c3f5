"""The records of an analyst's flat file: a csv, or the first sheet of an .xlsx, as (where, {column: text}) pairs.

`assess --data` and `forecast --data` take what analysts have, and analysts keep tables in Excel as often as in csv.
Both formats come through `sheets` (its safety checks and its GB18030 fallback) into the same records, each with
the place a message must name: "file, line 7" for a csv, "file, sheet S, row 7" for a workbook. A header with a
column twice is refused here, because a reader keyed on names would silently keep only one of them.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..units import expected_bound
from .cells import FOUR_DIGIT_YEARS, cell_text
from .sheets import display_path, read_grid, sheet_names

FLAT_SUFFIXES = (".csv", ".xlsx", ".xlsm")


def read_records(path: Path, expected: list[str]) -> list[tuple[str, dict[str, str]]]:
    """(where, record) for every non-blank data row; InputError unless the header holds exactly `expected`."""
    path, shown = Path(path), display_path(path)
    if path.suffix.lower() not in FLAT_SUFFIXES:
        raise InputError(f"{shown}: expected a .csv or .xlsx file with the columns {','.join(expected)}")
    sheet = None if path.suffix.lower() == ".csv" else sheet_names(path)[0]
    grid = read_grid(path, sheet)
    rows = grid.rows
    header = [cell_text(c) for c in (rows[0] if rows else [])]
    while header and not header[-1]:
        header.pop()
    at_header = f"{shown}, line 1" if sheet is None else f"{shown}, sheet {sheet}, row 1"
    if sorted(header) != sorted(expected):
        raise InputError(f"{at_header}: expected the columns {','.join(expected)} (each once); found "
                         f"{','.join(header) or 'no header'}")
    out, problems = [], []
    for r, row in enumerate(rows[1:], 1):
        where = f"{shown}, line {grid.lines[r]}" if sheet is None else f"{shown}, sheet {sheet}, row {r + 1}"
        texts = [cell_text(row[i]) if i < len(row) else "" for i in range(len(header))]
        extra = [cell_text(x) for x in row[len(header):] if cell_text(x)]
        if extra:
            problems.append(f"{where}: expected {len(header)} columns, found more ({', '.join(extra)})")
        elif any(texts):
            out.append((where, dict(zip(header, texts))))
    if problems:
        raise InputError(capped(problems))
    return out


def capped(problems: list[str], limit: int = 30) -> str:
    """Every problem, one per line, up to `limit` and a count of the rest: enough to fix a file in one pass."""
    more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
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
