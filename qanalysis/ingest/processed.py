"""Access to processed data and to the analyst's tidy csv files: read, check line by line, conform to the registry.

Everything downstream of the build (`assess --data`, the briefing, the notebooks) reads tidy data through here, so a
hand-made file gets the same scrutiny as a built one: the contract columns, whole years, finite numbers, known units,
one value per indicator-year, and values expressed in the registry's units. Errors name the file and the line.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..registry import Registry
from ..units import BUILTIN, UnitError, UnitTable
from .sheets import decode_text, display_path
from .tables import TIDY_COLUMNS

SOURCE_COLUMNS = ["id", "title", "publisher", "address", "accessed", "quote", "note"]


def _csv_rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and (line number, record) pairs of a UTF-8 or GB18030 csv."""
    shown = display_path(path)
    if not path.is_file():
        raise InputError(f"{shown}: file not found")
    text, _ = decode_text(path.read_bytes(), shown)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    return header, [(reader.line_num, row) for row in reader]


def _check_header(path: Path, header: list[str], expected: list[str]) -> None:
    missing, extra = [c for c in expected if c not in header], [c for c in header if c not in expected]
    if missing or extra or len(set(header)) != len(header):
        raise InputError(f"{display_path(path)}, line 1: expected the columns {','.join(expected)}; found "
                         f"{','.join(header) or 'no header'}")


def load_sources(path: Path) -> pd.DataFrame:
    """The sources table (id,title,publisher,address,accessed,quote,note): ids unique and non-empty, titles given."""
    header, rows = _csv_rows(path)
    _check_header(path, header, SOURCE_COLUMNS)
    problems: list[str] = []
    seen: dict[str, int] = {}
    records: list[dict] = []
    for line, row in rows:
        record = {c: (row.get(c) or "").strip() for c in SOURCE_COLUMNS}
        if not record["id"] or not record["title"]:
            problems.append(f"{display_path(path)}, line {line}: expected an id and a title, found "
                            f'id "{record["id"]}", title "{record["title"]}"')
        elif record["id"] in seen:
            problems.append(f'{display_path(path)}, line {line}: source id "{record["id"]}" is also on line '
                            f'{seen[record["id"]]}')
        seen.setdefault(record["id"], line)
        records.append(record)
    if problems:
        raise InputError("\n".join(problems))
    return pd.DataFrame(records, columns=SOURCE_COLUMNS, dtype=str)


def read_indicators(path: Path, unit_table: UnitTable = BUILTIN) -> pd.DataFrame:
    """Read any tidy csv in the contract format (`indicator,year,value,unit,source`), checked line by line.

    Used by `qanalysis assess --data`, so a hand-made file gets the same scrutiny as a built one: the contract
    columns, whole years, finite numbers, known units, and no indicator-year twice; errors name the line. Known
    units are `unit_table`'s: pass the registry's (`registry.units`) when it declares units of its own, else a csv
    in 吨 is refused before `conform` could convert it.
    """
    path = Path(path)
    header, rows = _csv_rows(path)
    _check_header(path, header, TIDY_COLUMNS)
    problems: list[str] = []
    seen: dict[tuple[str, int], int] = {}
    records: list[dict] = []
    lines: list[int] = []
    for line, row in rows:
        record, where = {c: (row.get(c) or "").strip() for c in TIDY_COLUMNS}, f"{display_path(path)}, line {line}"
        problem = _tidy_problem(record, unit_table)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        key = (record["indicator"], int(record["year"]))
        if key in seen:
            problems.append(f"{where}: {key[0]} {key[1]} is also on line {seen[key]}; expected one value per "
                            "indicator-year")
        seen.setdefault(key, line)
        records.append(dict(record, year=int(record["year"]), value=float(record["value"]),
                            unit=unit_table.parse(record["unit"]).symbol))
        lines.append(line)
    if problems:
        raise InputError("\n".join(problems[:30]) + (f"\n... and {len(problems) - 30} more" if len(problems) > 30 else ""))
    frame = pd.DataFrame(records, columns=TIDY_COLUMNS)
    frame = frame.astype({"indicator": "str", "year": "int64", "value": "float64", "unit": "str", "source": "str"})
    frame.attrs.update(path=display_path(path), lines=lines)  # so `conform` can name the csv line of a record
    return frame


def _tidy_problem(record: dict, unit_table: UnitTable) -> str:
    """What is wrong with one record of a tidy csv, in the analyst's words; "" when nothing is."""
    if not record["indicator"]:
        return "expected an indicator id, found a blank cell"
    if not re.fullmatch(r"\d{4}", record["year"]):
        return f'expected a whole year like 2018, found "{record["year"]}"'
    try:
        value = float(record["value"])
    except ValueError:
        return f'expected a number in value, found "{record["value"]}"'
    if not math.isfinite(value):
        return f'expected a finite number in value, found "{record["value"]}"'
    try:
        unit_table.parse(record["unit"])
    except UnitError as exc:
        return str(exc)
    return ""


def conform(data: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Express every value of a tidy frame in its indicator's registry unit, refusing ids the registry lacks.

    Units are the registry's (built-in plus declared). `read_indicators` only checks that each unit is a known
    spelling; a hand-made csv may still hold 万元 where the
    registry says 亿元, or 万元 for a PM2.5 concentration. Assessing such a file unconverted would compare numbers
    10 000 times off, and dropping unknown ids would hide a typo, so both are errors naming the record: the file
    and csv line when the frame came from `read_indicators`, else its row number.
    """
    problems, factors = [], []
    lines, where = data.attrs.get("lines"), data.attrs.get("path", "indicators")
    for i, (indicator, year, unit) in enumerate(zip(data["indicator"], data["year"], data["unit"])):
        at = f"line {lines[i]}" if lines is not None and len(lines) == len(data) else f"row {i + 1}"
        record = f"{where}, {at} ({indicator} {int(year)})"
        ind = registry.indicators.get(indicator)
        if ind is None:
            problems.append(f'{record}: indicator "{indicator}" is not in the target registry; expected one of its '
                            "indicator ids")
            factors.append(np.nan)
            continue
        try:
            factors.append(registry.units.conversion_factor(unit, ind.unit))
        except UnitError as exc:
            problems.append(f'{record}: unit "{unit}" cannot be expressed in the registry unit "{ind.unit}" ({exc})')
            factors.append(np.nan)
    if problems:
        raise InputError("\n".join(problems[:30]) + (f"\n... and {len(problems) - 30} more" if len(problems) > 30 else ""))
    out = data.copy()
    out.attrs = {}
    out["value"] = out["value"].to_numpy(dtype=float) * np.asarray(factors, dtype=float)
    out["unit"] = [registry.indicators[i].unit for i in out["indicator"]]
    return out.reset_index(drop=True)
