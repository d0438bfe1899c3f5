"""Find the shape of a table in its grid: the header (merged cells filled), the data rows, the years and the series.

A yearbook table has two axes, years and series, and a layout record says which runs across. This module turns the
header rows and key columns into `Line`s along each axis (a year with its qualifier such as 增速, or a series with its
label and code), so the reader in tables.py only pairs them up. It is strict about structure, because a header that
is read wrongly shifts every value to the wrong year without any number looking odd: merges that do not line up,
two columns claiming the same year, or values under no year are errors naming the cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import column_index_from_string, get_column_letter

from ..errors import InputError
from .cells import cell_text, clean_label, is_footnote, label_key, parse_year
from .layouts import Layout
from .sheets import Grid

YEAR_MIN, YEAR_MAX = 1949, 2100
MAX_MESSAGES = 30


class Problems(list):
    """Cell-level problems of one table, raised together so the analyst fixes them in one pass."""

    def check(self) -> None:
        unique = list(dict.fromkeys(self))
        if unique:
            more = f"\n... and {len(unique) - MAX_MESSAGES} more problems" if len(unique) > MAX_MESSAGES else ""
            raise InputError("\n".join(unique[:MAX_MESSAGES]) + more)


@dataclass(frozen=True)
class Skipped:
    """Something deliberately not read, for the build report: where, what, why and how many non-blank cells."""

    table: str
    where: str
    what: str
    why: str
    cells: int = 0


@dataclass(frozen=True)
class Line:
    """One year or one series along an axis: its row or column index and what its header or label says."""

    index: int
    ref: tuple[int, int]
    year: int = 0
    label: str = ""
    raw_label: str = ""
    qualifier: str = ""
    code: str = ""
    code_ref: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Header:
    """The header texts, folded, per part row (header rows other than a unit row) and column."""

    rows: list[int]
    texts: list[list[str]]

    def parts(self, c: int) -> list[str]:
        """Non-empty header texts of a column, top to bottom, a vertical merge counted once."""
        out: list[str] = []
        for row in self.texts:
            if row[c] and (not out or out[-1] != row[c]):
                out.append(row[c])
        return out


def _range(grid: Grid, r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{grid.shown}, sheet {grid.sheet}, cells {grid.ref(r0, c0)}:{grid.ref(r1, c1)}"


def read_header(grid: Grid, layout: Layout) -> Header:
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
    problems, spans = Problems(), []
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
    return Header(part_rows, [texts[r] for r in part_rows])


def data_rows(grid: Grid, layout: Layout, notes: list[str]) -> list[int]:
    """Rows from data_start that hold anything, minus footnote rows ("注:…", "资料来源…"), which go to the notes."""
    rows = []
    for r in range(layout.data_start - 1, len(grid.rows)):
        filled = [c for c in range(len(grid.rows[r])) if grid.get(r, c) is not None]
        if not filled:
            continue
        first = cell_text(grid.get(r, filled[0]))
        if len(filled) == 1 and is_footnote(first):
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


def year_columns(grid: Grid, layout: Layout, header: Header, rows: list[int], ignore: set[str],
                 skipped: list[Skipped], problems: list[str]) -> list[Line]:
    """years: columns -> one line per value column: its year and qualifier (e.g. 增速) from the header rows.

    Columns whose header (or any part of it) is in `ignore` (folded labels) go to `skipped`, not read.
    """
    lines: list[Line] = []
    seen: dict[tuple[int, str], Line] = {}
    texts = header.texts
    for c in sorted(set(range(grid.width)) - layout.key_columns()):
        parts, data = header.parts(c), [r for r in rows if grid.get(r, c) is not None]
        if not parts:
            if data:
                problems.append(f"{grid.where(data[0], c)}: column {get_column_letter(c + 1)} has values but no "
                                f"year in header rows {layout.header_rows}")
            continue
        if label_key("/".join(parts)) in ignore or any(label_key(p) in ignore for p in parts):
            skipped.append(Skipped(layout.id, f"column {get_column_letter(c + 1)}", "/".join(parts),
                                   "column ignored by the layout record", len(data)))
            continue
        found = [(k, y) for k, t in enumerate(texts) if t[c] and (y := parse_year(t[c])) is not None]
        years = {y for _, y in found}
        if len(years) > 1:
            problems.append(f"{grid.where(header.rows[0], c)}: two different years {sorted(years)} head one column")
            continue
        row = header.rows[found[0][0] if found else next(k for k, t in enumerate(texts) if t[c])]
        if not _check_year(grid.where(row, c), "/".join(parts), years.pop() if years else None, problems):
            continue
        line = Line(c, (row, c), year=found[0][1], qualifier="/".join(p for p in parts if parse_year(p) is None))
        previous = seen.setdefault((line.year, line.qualifier), line)
        if previous is not line:
            name = " ".join(str(x) for x in (line.year, line.qualifier) if x)
            problems.append(f"{grid.where(row, c)}: duplicate year column: {name} is also column "
                            f"{get_column_letter(previous.index + 1)}")
            continue
        lines.append(line)
    return lines


def series_rows(grid: Grid, layout: Layout, rows: list[int]) -> list[Line]:
    """years: columns -> one line per data row: its label and (template layout) its indicator code."""
    label_col = column_index_from_string(layout.label) - 1
    code_col = column_index_from_string(layout.code) - 1 if layout.code else None
    return [Line(r, (r, label_col), label=clean_label(grid.get(r, label_col))[0],
                 raw_label=cell_text(grid.get(r, label_col)),
                 code=cell_text(grid.get(r, code_col)) if code_col is not None else "",
                 code_ref=(r, code_col or 0)) for r in rows]


def year_rows(grid: Grid, layout: Layout, rows: list[int], problems: list[str]) -> list[Line]:
    """years: rows -> one line per data row: the year in the `year` column."""
    col = column_index_from_string(str(layout.year)) - 1
    lines: list[Line] = []
    seen: dict[int, int] = {}
    for r in rows:
        year = parse_year(grid.get(r, col))
        if not _check_year(grid.where(r, col), cell_text(grid.get(r, col)), year, problems) or year is None:
            continue
        if year in seen:
            problems.append(f"{grid.where(r, col)}: duplicate year row: {year} is also row {seen[year] + 1}")
            continue
        seen[year] = r
        lines.append(Line(r, (r, col), year=year))
    return lines


def series_columns(grid: Grid, layout: Layout, header: Header, rows: list[int], problems: list[str]) -> list[Line]:
    """years: rows -> one line per value column: label from the label row, qualifiers from the other header rows."""
    label_row, lines = int(layout.label) - 1, []
    for c in sorted(set(range(grid.width)) - layout.key_columns()):
        label = header.texts[header.rows.index(label_row)][c] if label_row in header.rows else ""
        quals = [p for p in header.parts(c) if p != label]
        code = cell_text(grid.get(int(layout.code) - 1, c)) if layout.code else ""
        if not label and not code:
            if any(grid.get(r, c) is not None for r in rows):
                problems.append(f"{grid.where(label_row, c)}: column {get_column_letter(c + 1)} has values but no "
                                f"label in row {layout.label}")
            continue
        raw = cell_text(grid.get(label_row, c)) or label
        lines.append(Line(c, (label_row, c), label=label, raw_label=raw, qualifier="/".join(quals), code=code,
                          code_ref=(int(layout.code or 1) - 1, c)))
    return lines
