"""Read the forecast command's input, a series,year,value table (csv or xlsx), checking every record.

Kept apart from the forecast engine because reading an analyst's file is a different job from forecasting: every bad
record must be named in one InputError (file, line or row, and what was expected), all at once, and the file may
be a csv saved by Chinese Excel (GB18030) or a workbook, both read through `records`.

Inputs can be large (a whole yearbook export runs to hundreds of MB), and rows need not be sorted by series. So a
csv is streamed, and each valid record is kept as three numbers in compact arrays (series code, year, value) plus
its line number, about 24 bytes a record instead of a Python tuple and dict entry (a 200 MB file once took 4 GB).
Repeated series-year pairs are found afterwards by sorting those arrays, not with a dictionary of every pair; the
records are then grouped by series with one stable sort.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .records import RecordStream, capped, record_number, record_year, stream_records

COLUMNS = ["series", "year", "value"]
SHOWN = 30  # problems named in the message (records.capped); the rest are counted


def _series_problem(series: str, year: str, value: str) -> str:
    """What is wrong with one record, in the analyst's words; "" when nothing is. Years and numbers follow the rules
    every reader shares (records.record_year, record_number: four-digit years, finite numbers within the bound)."""
    if not series:
        return "expected a series name, found an empty cell"
    if record_year(year) is None:
        return f"expected a whole year like 2018 in column year, found {year!r}"
    expected = record_number(value)[1] if value else ""
    if expected:
        return f"expected {expected} or an empty cell in column value, found {value!r}"
    return ""


@dataclass(frozen=True)
class SeriesSet:
    """Every series of a series,year,value table, grouped: series i is `names[i]` with the years and values
    `years[starts[i]:starts[i + 1]]` (blank values are NaN), in the order the file gave them. Names are sorted, so
    the forecast file's order does not depend on the input's row order. Slices (`part`) are small to pickle, which
    is how the forecast pool hands out work."""

    names: list[str]
    starts: np.ndarray
    years: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        for i, name in enumerate(self.names):
            a, b = self.starts[i], self.starts[i + 1]
            yield name, self.years[a:b], self.values[a:b]

    def part(self, i: int, j: int) -> SeriesSet:
        """Series i to j - 1 as a SeriesSet of their own."""
        a, b = int(self.starts[i]), int(self.starts[j])
        return SeriesSet(self.names[i:j], self.starts[i:j + 1] - a, self.years[a:b], self.values[a:b])

    def frame(self) -> pd.DataFrame:
        """The records as a series,year,value frame, grouped by series."""
        counts = np.diff(self.starts)
        return pd.DataFrame({"series": np.repeat(np.array(self.names, dtype=object), counts),
                             "year": self.years.astype(np.int64), "value": self.values}, columns=COLUMNS)


class _Columns:
    """The valid records read so far, as compact arrays (no Python object per record): series code (index into
    `names`), year, value (NaN for blank) and the record's line or row number."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.codes, self.years, self.numbers = array("i"), array("i"), array("q")
        self.values = array("d")

    def adder(self) -> Callable[[int, str, str, str], None]:
        """The function that adds one valid record. A closure over bound methods, because it runs once per record:
        millions of times for a large file, where attribute look-ups add up."""
        index, codes, years, values, numbers = self.index, self.codes.append, self.years.append, \
            self.values.append, self.numbers.append
        nan = float("nan")

        def add(number: int, series: str, year: str, value: str) -> None:
            code = index.get(series)
            if code is None:
                code = index[series] = len(index)
            codes(code)
            years(int(year))
            values(float(value) if value else nan)
            numbers(number)

        return add


class _Problems:
    """The first SHOWN problems in file order and a count of all, so a file that is bad on every line costs no more
    memory than a good one."""

    def __init__(self) -> None:
        self.first: list[tuple[int, str]] = []
        self.count = 0

    def add(self, number: int, text: str) -> None:
        self.count += 1
        if len(self.first) < SHOWN:
            self.first.append((number, text))


def read_series(path, progress: Callable[[int], object] | None = None) -> SeriesSet:
    """Read a series,year,value table (blank values are missing) into a SeriesSet; InputError naming every bad
    record (the first SHOWN of them, and how many more). `progress` hears the bytes of a csv read so far."""
    stream = stream_records(Path(path), COLUMNS, progress)
    columns, problems = _Columns(), _Problems()
    add = columns.adder()
    for number, (series, year, value), shape in stream.rows:
        problem = shape or _series_problem(series, year, value)
        if problem:
            problems.add(number, f"{stream.where(number)}: {problem}")
        else:
            add(number, series, year, value)
    codes, years = np.frombuffer(columns.codes, dtype=np.int32), np.frombuffer(columns.years, dtype=np.int32)
    numbers = np.frombuffer(columns.numbers, dtype=np.int64)
    names = list(columns.index)
    repeats = _repeated(stream, names, codes, years, numbers)
    if problems.count or repeats[1]:
        shown = list(heapq.merge(problems.first, repeats[0]))[:SHOWN]
        raise InputError(capped([text for _, text in shown], SHOWN, problems.count + repeats[1]))
    return _grouped(names, codes, years, np.frombuffer(columns.values, dtype=np.float64))


def _repeated(stream: RecordStream, names: list[str], codes: np.ndarray, years: np.ndarray,
              numbers: np.ndarray) -> tuple[list[tuple[int, str]], int]:
    """The first SHOWN records that repeat a series-year pair given earlier (number, message naming where it was
    first given), and how many there are. Sorting by (series, year, number) puts each repeat right after the pair's
    first record."""
    order = np.lexsort((numbers, years, codes))
    c, y, n = codes[order], years[order], numbers[order]
    again = np.flatnonzero((c[1:] == c[:-1]) & (y[1:] == y[:-1])) + 1
    if not len(again):
        return [], 0
    first_of_run = np.maximum.accumulate(np.where(np.r_[True, (c[1:] != c[:-1]) | (y[1:] != y[:-1])],
                                                  np.arange(len(c)), 0))
    earliest = again[np.argsort(n[again], kind="stable")[:SHOWN]]
    return [(int(n[k]), f"{stream.where(int(n[k]))}: {names[c[k]]} {y[k]} already given on "
                        f"{stream.unit} {n[first_of_run[k]]}") for k in earliest], len(again)


def _grouped(names: list[str], codes: np.ndarray, years: np.ndarray, values: np.ndarray) -> SeriesSet:
    """Group the records by series, series in sorted name order, each series' records in file order."""
    by_name = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(names), dtype=np.int32)
    rank[by_name] = np.arange(len(names), dtype=np.int32)
    row_rank = rank[codes]
    order = np.argsort(row_rank, kind="stable")
    starts = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_rank, minlength=len(names)), out=starts[1:])
    return SeriesSet([names[i] for i in by_name], starts, years[order], values[order])


def read_series_csv(path) -> pd.DataFrame:
    """Read a series,year,value table (blank values are missing); InputError naming every bad record. The frame
    is grouped by series (sorted names), each series' records in file order."""
    return read_series(path).frame()
