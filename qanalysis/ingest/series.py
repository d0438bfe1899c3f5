"""Read the forecast command's input, a series,year,value table (csv or xlsx), checking every record.

Kept apart from the forecast engine because reading an analyst's file is a different job from forecasting: every bad
record must be named in one InputError (file, line or row, and what was expected), all at once, and the file may
be a csv saved by Chinese Excel (GB18030) or a workbook, both read through `records`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .records import capped, read_records, record_number, record_year
from .sheets import display_path

COLUMNS = ["series", "year", "value"]


def _series_problem(series: str, year: str, value: str) -> str:
    """What is wrong with one record, in the analyst's words; "" when nothing is."""
    if not series:
        return "expected a series name, found an empty cell"
    if record_year(year) is None:
        return f"expected a whole year like 2018 in column year, found {year!r}"
    expected = record_number(value)[1] if value else ""
    if expected:
        return f"expected {expected} or an empty cell in column value, found {value!r}"
    return ""


def read_series_csv(path) -> pd.DataFrame:
    """Read a series,year,value table (blank values are missing); InputError naming every bad record."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{display_path(path)}: file not found")
    rows: list[tuple[str, int, float]] = []
    problems: list[str] = []
    seen: dict[tuple[str, int], str] = {}
    for where, record in read_records(path, COLUMNS):
        series, year, value = (record[k].strip() for k in COLUMNS)
        problem = _series_problem(series, year, value)
        if not problem and (series, int(year)) in seen:
            problem = f"{series} {year} already given on {seen[series, int(year)].rsplit(', ', 1)[1]}"
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        seen[series, int(year)] = where
        rows.append((series, int(year), float(value) if value else np.nan))
    if problems:
        raise InputError(capped(problems))
    return pd.DataFrame(rows, columns=COLUMNS)
