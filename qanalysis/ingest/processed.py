"""Access to processed data and to the analyst's tidy csv files: read, check line by line, conform to the registry.

Everything downstream of the build (`assess --data`, the briefing, the notebooks) reads tidy data through here, so a
hand-made file gets the same scrutiny as a built one: the contract columns, whole years, finite numbers, known units,
one value per indicator-year, and values expressed in the registry's units. Errors name the file and the line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..registry import Registry
from ..text import did_you_mean
from ..units import BUILTIN, UnitError, UnitTable
from .cells import cell_text
from .records import capped, read_records, record_number, record_year
from .sheets import display_path, read_grid
from .tables import TIDY_COLUMNS
from .values import in_registry_units

SOURCE_COLUMNS = ["id", "title", "publisher", "address", "accessed", "quote", "note"]
# Optional: the publisher's name as an English chart cites it ("Hangzhou Ecology and Environment Bureau"); without
# it an English chart cites the publisher as written.
OPTIONAL_SOURCE_COLUMNS = ["publisher_en"]


def load_sources(path: Path) -> pd.DataFrame:
    """The sources table (id,title,publisher,address,accessed,quote,note[,publisher_en]): ids unique and non-empty,
    titles given. The processed table always carries every column, blank where the file had none."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    records: list[dict] = []
    columns = SOURCE_COLUMNS + OPTIONAL_SOURCE_COLUMNS
    for where, row in read_records(path, SOURCE_COLUMNS, OPTIONAL_SOURCE_COLUMNS):
        record = {c: row.get(c, "").strip() for c in columns}
        if not record["id"] or not record["title"]:
            problems.append(f'{where}: expected an id and a title, found id "{record["id"]}", title "{record["title"]}"')
        elif record["id"] in seen:
            problems.append(f'{where}: source id "{record["id"]}" is also on {seen[record["id"]].rsplit(", ", 1)[1]}')
        seen.setdefault(record["id"], where)
        records.append(record)
    if problems:
        raise InputError(capped(problems))
    return pd.DataFrame(records, columns=columns, dtype=str)


def read_side_table(path: Path) -> pd.DataFrame | None:
    """A processed side table beside the data (sources.csv, coverage_targets.csv, conflicts.csv) as text, every cell
    a str ("" for blank), or None when the folder has none.

    Read through `sheets` like every input, so a side table saved as GB18030 reads, and one that is damaged, not
    text, or has a row longer than its header is an InputError naming the file and line, never a pandas traceback
    without a file name.
    """
    path = Path(path)
    if not path.exists():
        return None
    if path.suffix.lower() != ".csv":
        raise InputError(f"{display_path(path)}: expected a .csv file")
    grid = read_grid(path, None)
    header = [cell_text(c) for c in (grid.rows[0] if grid.rows else [])]
    body = []
    for r, row in enumerate(grid.rows[1:], 1):
        if any(cell is not None for cell in row[len(header):]):
            raise InputError(f"{grid.where(r, len(header))}: expected {len(header)} columns as in the header, found more")
        if row:
            body.append([("" if c is None else str(c)) for c in row[:len(header)]] + [""] * (len(header) - len(row)))
    return pd.DataFrame(body, columns=header, dtype=str)


def read_indicators(path: Path, unit_table: UnitTable = BUILTIN) -> pd.DataFrame:
    """Read any tidy table in the contract format (`indicator,year,value,unit,source`), csv or xlsx, checked record
    by record.

    Used by `qanalysis assess --data`, so a hand-made file gets the same scrutiny as a built one: the contract
    columns, whole years, finite numbers, known units, and no indicator-year twice; every bad record is named. Known
    units are `unit_table`'s: pass the registry's (`registry.units`) when it declares units of its own, else a file
    in 吨 is refused before `conform` could convert it.
    """
    problems: list[str] = []
    seen: dict[tuple[str, int], str] = {}
    records: list[dict] = []
    places: list[str] = []
    for where, row in read_records(path, TIDY_COLUMNS):
        record = {c: row.get(c, "").strip() for c in TIDY_COLUMNS}
        problem = _tidy_problem(record, unit_table)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        key = (record["indicator"], int(record["year"]))  # four digits (record_year)
        if key in seen:
            problems.append(f"{where}: {key[0]} {key[1]} is also on {seen[key].rsplit(', ', 1)[1]}; expected one "
                            "value per indicator-year")
        seen.setdefault(key, where)
        records.append(dict(record, year=int(record["year"]), value=float(record["value"]),
                            unit=unit_table.parse(record["unit"]).symbol))
        places.append(where)
    if problems:
        raise InputError(capped(problems))
    frame = pd.DataFrame(records, columns=TIDY_COLUMNS)
    frame = frame.astype({"indicator": "str", "year": "int64", "value": "float64", "unit": "str", "source": "str"})
    frame.attrs.update(places=places)  # so `conform` can name the record's file and line
    return frame


def _tidy_problem(record: dict, unit_table: UnitTable) -> str:
    """What is wrong with one record of a tidy csv, in the analyst's words; "" when nothing is."""
    if not record["indicator"]:
        return "expected an indicator id, found a blank cell"
    if record_year(record["year"]) is None:
        return f'expected a whole year like 2018, found "{record["year"]}"'
    expected = record_number(record["value"])[1]
    if expected:
        return f'expected {expected} in value, found "{record["value"]}"'
    try:
        unit_table.parse(record["unit"])
    except UnitError as exc:
        return str(exc)
    return ""


def conform(data: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Express every value of a tidy frame in its indicator's registry unit and range-check it, refusing ids the
    registry lacks.

    Units are the registry's (built-in plus declared). `read_indicators` only checks that each unit is a known
    spelling; a hand-made csv may still hold 万元 where the registry says 亿元, or 万元 for a PM2.5 concentration.
    Assessing such a file unconverted would compare numbers 10 000 times off, and dropping unknown ids would hide a
    typo, so both are errors naming the record: the file and csv line when the frame came from `read_indicators`,
    else its row number. The converted values then pass the build's own range check (`values.in_registry_units`),
    so a negative PM2.5 is refused by `assess --data` and the briefing exactly as by `build`.
    """
    problems = []
    places = data.attrs.get("places")
    if places is None or len(places) != len(data):
        places = [f"indicators, row {i + 1}" for i in range(len(data))]
    records = [f"{place} ({indicator} {int(year)})" for place, indicator, year in zip(places, data["indicator"],
                                                                                       data["year"])]
    for record, indicator, unit in zip(records, data["indicator"], data["unit"]):
        ind = registry.indicators.get(indicator)
        if ind is None:
            problems.append(f'{record}: indicator "{indicator}" is not in the target registry; expected one of its '
                            "indicator ids" + did_you_mean(indicator, registry.indicators))
            continue
        try:
            registry.units.conversion_factor(unit, ind.unit)
        except UnitError as exc:
            problems.append(f'{record}: unit "{unit}" cannot be expressed in the registry unit "{ind.unit}" ({exc})')
    if problems:
        raise InputError(capped(problems))
    out = in_registry_units(data.assign(where=records), registry).drop(columns="where")
    out.attrs = {}
    return out.reset_index(drop=True)
