"""The engine's measured accuracy, for the method notebook: tables from benchmarks/RESULTS.md and one worked series.

The benchmark scripts (benchmarks/accuracy.py, speed.py) take minutes, so the notebook reads their committed results
instead of re-running them; `example` re-runs one small case live so a reader can see a forecast against the truth.
"""

from __future__ import annotations

import re

import pandas as pd

from . import paths
from .errors import InputError
from .select import forecast_series

RESULTS = paths.BENCHMARKS / "RESULTS.md"


def section(name: str) -> str:
    """The `<!-- name:start -->` … `<!-- name:end -->` part of RESULTS.md, as the script wrote it."""
    text = RESULTS.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}:start -->(.*?)<!-- {name}:end -->", text, re.S)
    if not match:
        raise InputError(f"{RESULTS.name}: no section '{name}' (markers <!-- {name}:start --> … <!-- {name}:end -->)")
    return match.group(1).strip()


def tables(name: str, labels: tuple[str, ...], after: str = "") -> str:
    """Only the tables introduced by a line starting with one of `labels` ("Point accuracy", …), taking the first
    such table after the line starting with `after` (e.g. the "### Main set" heading): the notebook's short view."""
    lines = section(name).splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(after)), 0)
    out = []
    for label in labels:
        at = next((i for i in range(start, len(lines)) if lines[i].startswith(label)), None)
        if at is None:
            raise InputError(f"{RESULTS.name}: section '{name}' has no table '{label}' after '{after}'")
        table = [line for line in lines[at + 1:at + 60] if line.strip()]
        end = next((i for i, line in enumerate(table) if not line.startswith("|")), len(table))
        out += [f"**{lines[at].rstrip(':')}**", "", *table[:end], ""]
    return "\n".join(out)


def example(country: str, train: range, horizon: int = 4, seed: int = 0) -> pd.DataFrame:
    """Forecast one World Bank fertility series (statsmodels' offline `fertility` data) from `train` years and set the
    forecast beside what happened: year, actual, median, 80 % and 95 % bounds, and whether the 80 % band held it."""
    from statsmodels.datasets import fertility

    table = fertility.load_pandas().data.set_index("Country Name")
    if country not in table.index:
        raise InputError(f"statsmodels fertility data: no country {country!r}")
    row = table.loc[country]
    years = list(train)
    values = [float(row[str(y)]) for y in years]
    fc = forecast_series(years, values, horizon, scale="level", seed=seed)
    actual = [float(row[str(y)]) for y in fc.years]
    out = pd.DataFrame({"year": fc.years, "actual": actual, "median": fc.mean, "lo80": fc.lo80, "hi80": fc.hi80,
                        "lo95": fc.lo95, "hi95": fc.hi95}).round(3)
    out["in 80%"] = (out["actual"] >= out["lo80"]) & (out["actual"] <= out["hi80"])
    out["model"] = fc.model
    return out
