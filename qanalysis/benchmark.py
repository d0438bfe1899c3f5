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


def section(name: str, headings: tuple[str, ...] = ()) -> str:
    """The `<!-- name:start -->` … `<!-- name:end -->` part of RESULTS.md, or only the sub-sections whose heading
    starts with one of `headings` (each up to the next heading of the same or a higher level)."""
    text = RESULTS.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}:start -->(.*?)<!-- {name}:end -->", text, re.S)
    if not match:
        raise InputError(f"{RESULTS.name}: no section '{name}' (markers <!-- {name}:start --> … <!-- {name}:end -->)")
    body = match.group(1).strip()
    if not headings:
        return body
    blocks = re.split(r"(?m)^(?=#{2,4} )", body)
    keep = [b for b in blocks if b.startswith("#") and b.lstrip("# ").startswith(headings)]
    return "\n".join(b.strip() + "\n" for b in keep)


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
