"""The one range check: every value in its indicator's registry unit, inside what the indicator's scale allows.

`build` (`check_values`) and everything that reads tidy data back (`processed.conform`: `assess --data`, the
briefing, the notebooks) pass values through `in_registry_units` here, so a negative PM2.5 or a share above 100 is
refused the same way whichever door it came in by. `forecast --data` has no registry, so its series get only the
bound every number gets (finite, within units.MAX_MAGNITUDE), at reading.
"""

from __future__ import annotations

import pandas as pd

from ..registry import Registry
from ..units import UnitError, expected_bound
from .headers import Problems


def _expectation(scale: str, value: float) -> str:
    """What the indicator's scale allows, when `value` breaks it; "" when it fits."""
    whole = float(value).is_integer()
    rules = {"share": (0 <= value <= 100, "a share between 0 and 100"),
             "score": (0 <= value <= 100, "a score between 0 and 100"),
             "count": (value >= 0 and whole, "a whole count of 0 or more"),
             "rank": (value >= 1 and whole, "a whole rank of 1 or more"),
             "level": (value > 0, "a level above 0")}
    ok, expected = rules.get(scale, (True, ""))
    return "" if ok else expected


def check_values(frame: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """The build's check across all tables (`in_registry_units`), sorted by indicator and year."""
    out = in_registry_units(frame, registry)
    return out.sort_values(["indicator", "year"], kind="stable").reset_index(drop=True)


def in_registry_units(frame: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Convert every value to its indicator's registry unit, rows in their order; refuse unit mixes, values outside
    the indicator's scale (negative counts, shares above 100) or beyond units.MAX_MAGNITUDE once converted, and the
    same indicator-year twice, across rows and tables. `frame` has the tidy columns and `where` (file and cell, or
    line) for the messages; every indicator must be the registry's.

    Converted values are rounded to 12 significant digits so that 12345 万元 is 1.2345 亿元, not 1.2345000000000002.
    """
    problems, table = Problems(), registry.units
    rows = list(zip(frame["indicator"], frame["year"], frame["value"], frame["unit"], frame["where"]))
    kinds: dict[str, dict[str, tuple[str, str]]] = {}
    for indicator, _, _, unit, where in rows:
        kinds.setdefault(indicator, {}).setdefault(table.parse(unit).dimension, (unit, where))
    for indicator, seen in sorted(kinds.items()):
        if len(seen) > 1:
            (a, wa), (b, wb) = list(seen.values())[:2]
            problems.append(f"{indicator}: unit changes from {a} ({wa}) to {b} ({wb}); expected one kind of unit "
                            "per indicator (万元 and 亿元 mix, 亿元 and % do not)")
    values = []
    for indicator, year, value, unit, where in rows:
        spec = registry.indicators[indicator]
        if len(kinds[indicator]) > 1:
            continue
        try:
            values.append(float(f"{value * table.conversion_factor(unit, spec.unit):.12g}"))
        except UnitError as exc:
            problems.append(f'{where}: unit "{unit}" does not fit indicator {indicator}, measured in "{spec.unit}" ({exc})')
            continue
        expected = expected_bound(values[-1]) or _expectation(spec.scale, values[-1])
        if expected:
            problems.append(f"{where}: expected {expected} for {indicator} {year} ({spec.unit}), found {values[-1]:g}")
    out = frame.copy()
    twice = out[out.duplicated(["indicator", "year"], keep=False)]
    for (indicator, year), group in twice.groupby(["indicator", "year"], sort=True):
        places = " and ".join(group["where"])
        problems.append(f"{indicator} {year}: the same indicator-year appears twice: {places}; expected one value")
    problems.check()
    out["value"] = pd.Series(values, index=out.index, dtype="float64")
    out["unit"] = out["indicator"].map(lambda i: registry.indicators[i].unit)
    return out
