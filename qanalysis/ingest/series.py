"""Read the forecast command's input, a series,year,value CSV, checking every line.

Kept out of `select` (which re-exports `read_series_csv`) because reading an analyst's file is a different job from
forecasting: every problem must end as one InputError naming the file, the line and what was expected, and Chinese
Excel saves csv as GB18030, so the bytes are decoded the way `sheets` decodes any text file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .sheets import decode_text


def _series_row(path: Path, line: int, record: dict) -> tuple[str, int, float]:
    """One data line of a series csv, or InputError naming the file, the line and what was expected."""
    series, year, value = ((record.get(k) or "").strip() for k in ("series", "year", "value"))
    where = f"{path}, line {line}"
    if not series:
        raise InputError(f"{where}: expected a series name, found an empty cell")
    if not year.isdigit():
        raise InputError(f"{where}: expected a whole year in column year, found {year!r}")
    try:
        number = float(value) if value else np.nan
    except ValueError:
        number = None
    if number is None or (value and not np.isfinite(number)):
        raise InputError(f"{where}: expected a number (or an empty cell) in column value, found {value!r}")
    return series, int(year), number


def read_series_csv(path) -> pd.DataFrame:
    """Read a series,year,value csv (blank values are missing); InputError names the file, the line and what was
    expected."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    text, _ = decode_text(path.read_bytes(), str(path))  # UTF-8, or GB18030 as Chinese Excel saves csv
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"series", "year", "value"} - {h.strip() for h in reader.fieldnames or []}
    if missing:
        raise InputError(f"{path}, line 1: expected a header with columns series,year,value; missing "
                         f"{', '.join(sorted(missing))}")
    reader.fieldnames = [h.strip() for h in reader.fieldnames or []]
    rows: list[tuple[str, int, float]] = []
    seen: dict[tuple[str, int], int] = {}
    for record in reader:
        series, year, value = _series_row(path, reader.line_num, record)
        if (series, year) in seen:
            raise InputError(f"{path}, line {reader.line_num}: {series} {year} already given on line "
                             f"{seen[series, year]}")
        seen[series, year] = reader.line_num
        rows.append((series, year, value))
    return pd.DataFrame(rows, columns=["series", "year", "value"])
