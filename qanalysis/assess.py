"""The assessment: P(meet), status and reasons for every target, seeing only the years up to `as_of`.

Three steps, each in its own module: the visible data (here: the one place where years after `as_of` are dropped),
the judgement of each kind of target on it (`kinds`: P(meet) from the forecast's seeded sample paths, or a verdict
on observations), and the official cross-checks beside it (`crosschecks`: the Eurostat / Open SDG ratio and the UNSD
share, so that where they disagree with P(meet) the row shows both). This module puts them together into rows (the
contract columns, then the Chinese reason, the cross-checks and the proxies' verdicts), outlooks for the charts and
the vintage matrix. Reasons are worded in English (`reason`) and Chinese (`reason_zh`) by `wording`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import crosschecks
from .errors import InputError
from .kinds import Case, Verdict, judge, measure
from .select import Forecast
from .targets import Indicator, Registry, Target
from .wording import proxy_prefix, proxy_summary, say

CONTRACT = ["target", "as_of", "latest_year", "latest_value", "projected", "lo80", "hi80", "p_meet", "status",
            "method", "reason"]
EXTRAS = ["reason_zh", "indicator", "kind", "n_obs", *crosschecks.COLUMNS, "proxies"]
_NAN = float("nan")


@dataclass(frozen=True)
class Outlook:
    """One target's outlook: the row, and what a chart of it needs.

    `forecast` has its centre and bands read off the same sample paths as the row's projected, lo80, hi80 and P(meet)
    (see `_banded`), so a chart of a level target shows the row's numbers at the target year. `required_path` is the
    straight path from the latest value (or running sum) to the target, for level and cumulative targets.
    """

    target: Target
    indicator: Indicator
    as_of: int
    history: pd.Series
    forecast: Forecast | None
    measure: str
    required_path: pd.Series | None
    row: dict


def contract_columns() -> list[str]:
    return list(CONTRACT)


LIKELIHOOD = ("very unlikely", "unlikely", "about as likely as not", "likely", "very likely")  # IPCC, low to high
FLAGGED = LIKELIHOOD[:2]


def status_word(p: float) -> str:
    """IPCC calibrated language for P(meet); NaN means there was nothing honest to compute."""
    if p is None or not np.isfinite(p):
        return "insufficient data"
    if p >= 0.90:
        return "very likely"
    if p >= 0.66:
        return "likely"
    if p > 0.33:
        return "about as likely as not"
    return "unlikely" if p > 0.10 else "very unlikely"


# --- the visible data --------------------------------------------------------------------------------------------

def _visible(data: pd.DataFrame, as_of: int) -> dict[str, pd.Series]:
    """The one place where years after `as_of` are dropped. The rows kept are checked (numbers, one value an
    indicator-year) and split into one series per indicator with a sorted int year index."""
    missing = {"indicator", "year", "value"} - set(data.columns)
    if missing:
        raise InputError(f"indicator data: missing columns {sorted(missing)}; expected "
                         "indicator,year,value,unit,source")
    years = pd.to_numeric(data["year"], errors="coerce")
    bad = years.isna() | (years != years.round())
    if bad.any():
        first = data[bad].iloc[0]
        raise InputError(f"indicator data, {first['indicator']}: expected a whole year, found {first['year']!r}")
    keep = (years <= int(as_of)).to_numpy()
    frame = pd.DataFrame({"indicator": data["indicator"].to_numpy()[keep].astype(str),
                          "year": years.to_numpy()[keep].astype(int),
                          "value": pd.to_numeric(data["value"], errors="coerce").to_numpy()[keep]})
    for problem, mask in (("expected a number", frame["value"].isna()),
                          ("given twice; expected one value a year", frame.duplicated(["indicator", "year"]))):
        if mask.any():
            first = frame[mask].iloc[0]
            raise InputError(f"indicator data, {first['indicator']} {first['year']}: {problem}")
    frame = frame.sort_values(["indicator", "year"], kind="stable")
    return {ind: pd.Series(g["value"].to_numpy(float), index=pd.Index(g["year"].to_numpy(), dtype="int64",
                                                                       name="year"), name=ind)
            for ind, g in frame.groupby("indicator", sort=True)}


def _history(visible: dict[str, pd.Series], indicator: str, as_of: int, extra: dict | None) -> pd.Series:
    values = dict(visible[indicator].items()) if indicator in visible else {}
    values.update({int(y): float(v) for y, v in (extra or {}).items() if int(y) <= as_of})
    years = sorted(values)
    return pd.Series([values[y] for y in years], index=pd.Index(years, dtype="int64", name="year"), name=indicator,
                     dtype=float)


def required_growth(outlook) -> pd.Series | None:
    """The growth rate each remaining window year needs, for an average-growth target on a growth-rate series.

    ((1 + v)^N / prod(1 + g_seen))^(1/rest) - 1, the same for every remaining year: after a slump year it shows at a
    glance how much faster the rest of the window must grow. None for other targets, before the window starts (it
    would be the target itself), when nothing remains, or when a window year is missing. Takes an Outlook, or
    anything with its `target`, `indicator` and visible `history` (a chart draws it; nothing here re-derives it).
    """
    target, hist = outlook.target, outlook.history
    if target.kind != "avg_growth" or outlook.indicator.scale != "growth":
        return None
    window = range(target.window_start, target.target_year + 1)
    seen = hist[hist.index.isin(window)]
    rest = [y for y in window if y > (int(hist.index.max()) if len(hist) else 0)]
    if seen.empty or not rest or len(seen) + len(rest) != len(window):
        return None
    needed = (1 + target.value / 100) ** len(window) / np.prod(1 + seen.to_numpy(dtype=float) / 100)
    return pd.Series(100 * (needed ** (1 / len(rest)) - 1), index=pd.Index(rest, name="year"))


# --- entry points ------------------------------------------------------------------------------------------------

def _round(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}") if np.isfinite(x) else _NAN


def _banded(fc: Forecast | None) -> Forecast | None:
    """The forecast with its centre (median) and 80/95% bands read off its sample paths, the very draws the row's
    projected, lo80, hi80 and P(meet) come from: one source, so the chart and the row agree. select's exact t
    quantiles differ from these by Monte Carlo error only."""
    if fc is None:
        return None
    q = np.quantile(fc.paths, [0.5, 0.1, 0.9, 0.025, 0.975], axis=0)
    return dataclasses.replace(fc, mean=q[0], lo80=q[1], hi80=q[2], lo95=q[3], hi95=q[4])


def _row(c: Case, verdict: Verdict, checks: dict, proxy: bool) -> dict:
    """The assessment row: the contract columns, the Chinese reason, the cross-checks (proxies added by the caller)."""
    p = round(verdict.p, 3) if np.isfinite(verdict.p) else _NAN
    prefix = {lang: proxy_prefix(c.ind.name_en, c.ind.name_zh, lang) if proxy else "" for lang in ("en", "zh")}
    row = {"target": c.tg.id, "as_of": c.as_of, "latest_year": int(c.hist.index[-1]) if len(c.hist) else None,
           "latest_value": float(c.hist.iloc[-1]) if len(c.hist) else _NAN, "projected": _round(verdict.projected),
           "lo80": _round(verdict.lo80), "hi80": _round(verdict.hi80), "p_meet": p,
           "status": verdict.status or status_word(p),
           "method": (f"proxy {c.ind.id}: " if proxy else "") + verdict.method,
           "reason": prefix["en"] + say(verdict.why, "en"), "reason_zh": prefix["zh"] + say(verdict.why, "zh"),
           "indicator": c.ind.id, "kind": c.tg.kind, "n_obs": len(c.hist)}
    return row | {k: round(v, 3) if isinstance(v, float) and np.isfinite(v) else v
                  for k, v in (crosschecks.NO_CHECK | checks).items()}


def _outlook(registry: Registry, visible: dict[str, pd.Series], tg: Target, as_of: int, seed: int, model=None,
             indicator: str | None = None, extra_values: dict | None = None) -> Outlook:
    ind_id = indicator or tg.indicator
    if ind_id not in registry.indicators:
        raise InputError(f"no indicator {ind_id!r} in the registry")
    ind, proxy = registry.indicators[ind_id], ind_id != tg.indicator
    c = Case(tg, ind, _history(visible, ind_id, as_of, extra_values), int(as_of), seed, model)
    if proxy and ind.unit != tg.unit:
        verdict, checks = Verdict(c.why("units_differ", proxy_unit=ind.unit, target_unit=tg.unit)), {}
    else:
        verdict, checks = judge(c), crosschecks.official(tg, ind, c.hist, c.as_of)
    row = _row(c, verdict, checks, proxy)
    row["proxies"] = "" if proxy else "; ".join(
        proxy_summary(_outlook(registry, visible, tg, as_of, seed, indicator=p).row) for p in tg.proxies)
    return Outlook(tg, ind, int(as_of), c.hist, _banded(verdict.forecast), measure(tg), verdict.required_path, row)


def _table(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=columns)
    table["latest_year"] = table["latest_year"].astype("Int64")  # stays a whole number in csv, blank when none
    return table


def outlook_for(registry: Registry, data: pd.DataFrame, target_id: str, as_of: int, seed: int = 0, model=None,
                indicator: str | None = None, extra_values: dict | None = None) -> Outlook:
    """One target's outlook. `indicator` assesses a proxy instead (labelled as such); `extra_values` {year: value}
    adds an analyst's what-if values to the visible data (years after `as_of` are ignored like any other)."""
    try:
        tg = registry.target(target_id)
    except KeyError:
        raise InputError(f"no target {target_id!r} in the registry") from None
    return _outlook(registry, _visible(data, as_of), tg, as_of, seed, model, indicator, extra_values)


def outlooks(registry: Registry, data: pd.DataFrame, as_of: int, seed: int = 0) -> list[Outlook]:
    """Every target's outlook, in registry order."""
    visible = _visible(data, as_of)
    return [_outlook(registry, visible, tg, as_of, seed) for tg in registry.targets]


def assess(registry: Registry, data: pd.DataFrame, as_of: int, seed: int = 0) -> pd.DataFrame:
    """One row per target in registry order: the contract columns, then the Chinese reason, the cross-checks and
    the proxies."""
    return table(outlooks(registry, data, as_of, seed))


def table(outlooks_: list[Outlook]) -> pd.DataFrame:
    """The assessment table of outlooks already made (so a chart and its table come from one computation)."""
    return _table([o.row for o in outlooks_], CONTRACT + EXTRAS)


def assess_proxies(registry: Registry, data: pd.DataFrame, as_of: int, seed: int = 0) -> pd.DataFrame:
    """One row per (target, proxy indicator), labelled as proxies: shown beside a target, never in its place."""
    visible = _visible(data, as_of)
    rows = [_outlook(registry, visible, tg, as_of, seed, indicator=p).row | {"proxy": p}
            for tg in registry.targets for p in tg.proxies]
    return _table(rows, CONTRACT + EXTRAS + ["proxy"])


def vintage_matrix(registry: Registry, data: pd.DataFrame, as_of_years=(2018, 2019, 2020, 2021),
                   seed: int = 0) -> pd.DataFrame:
    """P(meet) with targets as rows and as-of years as columns (NaN where there is none); the matching status words
    are in `.attrs["status"]`, a frame of the same shape."""
    p, words = {}, {}
    for year in as_of_years:
        table = assess(registry, data, int(year), seed).set_index("target")
        p[int(year)], words[int(year)] = table["p_meet"], table["status"]
    matrix = pd.DataFrame(p, dtype=float).rename_axis(index="target", columns="as_of")
    matrix.attrs["status"] = pd.DataFrame(words).rename_axis(index="target", columns="as_of")
    return matrix
