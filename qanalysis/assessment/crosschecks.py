"""The official progress cross-checks, computed as their owners compute them (docs/method.md), beside P(meet).

Two methods, from the base year's value and the latest visible value: the Eurostat / Open SDG ratio of observed to
required growth (categories at 0.95 / 0.60 / 0, "target achieved" first) and the UNSD projected share of the needed
change (0.95 / 0.10). Both owners measure progress from the base year of the target, so the checks start there
(`base_point`) and not from the first value that happens to be published: a pace measured from years before the
policy describes those years, not the policy's. For growth-rate and cumulative targets they compare paces directly
(observed mean growth, or additions a year, in the window after the base year, against the required ones), as the
official methods advise for rates (docs/method.md). Rank and milestone targets are binary: achieved or not.

They live apart from `assess` because they answer a different question (is the observed pace enough?) with different
rules, and a reader checking them against the published methods should find them alone. Where a check's category
contradicts P(meet)'s status, `disagreement` gathers the facts that say why, for `wording` to put into words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..registry import Indicator, Kind, Target
from .rules import RECENT_YEARS, STALE_YEARS, mean_growth, milestone_running
from .status import CALLS_MET, FLAGGED, Status

COLUMNS = ["eurostat_ratio", "eurostat_category", "unsd_share", "unsd_category"]
_NAN = float("nan")
NO_CHECK = {"eurostat_ratio": _NAN, "eurostat_category": Status.INSUFFICIENT.value, "unsd_share": _NAN,
            "unsd_category": Status.INSUFFICIENT.value}
ON_TRACK = "on track"
SHORT_PACE = ("limited progress", "deterioration", "stagnation or regression")  # a pace the check calls too slow

BASE_LOOKBACK = 2
"""How many years before the base year the base value may come from when the base year's own value is unpublished.

The value of the latest year up to two years earlier still describes the state the policy started from; an older one
would measure mostly the years before the policy, which is the very error of starting from the first visible value.
A later year is never used (Open SDG moves the base forward to the next published year): the pace from a year inside
the policy's period leaves out its first years, and a later value never stands in for a missing one anywhere here.
Nothing is interpolated: without a value in that range there is no check."""


def categories(ratio: float, share: float, achieved: bool) -> dict:
    """The four cross-check columns; "target achieved" overrides both categories, as Open SDG and UNSD do."""
    eu = ("not computable" if not np.isfinite(ratio) else ON_TRACK if ratio >= 0.95 else
          "acceleration needed" if ratio >= 0.60 else "limited progress" if ratio >= 0 else "deterioration")
    un = ("not computable" if not np.isfinite(share) else ON_TRACK if share >= 0.95 else
          "acceleration needed" if share >= 0.10 else "stagnation or regression")
    return {"eurostat_ratio": ratio, "eurostat_category": "target achieved" if achieved else eu,
            "unsd_share": share, "unsd_category": "target achieved" if achieved else un}


def _word(achieved: bool, ratio: float = _NAN, share: float = _NAN) -> dict:
    """A decided target (a binary indicator, or a target year or window already observed): both categories say
    achieved or not, as Open SDG and EUSTAT do once the outcome is known, beside any computable ratio and share."""
    word = "target achieved" if achieved else "target not achieved"
    return {"eurostat_ratio": ratio, "eurostat_category": word, "unsd_share": share, "unsd_category": word}


# --- where the checks start --------------------------------------------------------------------------------------

def _paced(tg: Target, ind: Indicator) -> bool:
    """Growth-rate and cumulative targets: checked by comparing paces inside their window."""
    return tg.kind == Kind.CUMULATIVE or (tg.kind == Kind.AVG_GROWTH and ind.scale == "growth")


def _base_year(tg: Target, base_year: int | None) -> int | None:
    """The year a level-series check measures from: the registry's base year for a level target; for an
    average-growth target on a level series the year before its window, the base its own growth is defined from
    (kinds._cagr), which is the registry's base year whenever the windows open right after it."""
    return tg.window_start - 1 if tg.kind == Kind.AVG_GROWTH and tg.window_start is not None else base_year


def base_point(hist: pd.Series, base_year: int | None) -> tuple[int, float] | None:
    """The (year, value) a level-series check measures from: the base year's value, else the latest visible value
    up to BASE_LOOKBACK years before it, else None (no check). `base_year` None means the registry declares none (a
    registry built in code, without a `registry:` block): then, and only then, the first visible value."""
    if base_year is None:
        return (int(hist.index[0]), float(hist.iloc[0])) if len(hist) else None
    near = hist[(hist.index <= base_year) & (hist.index >= base_year - BASE_LOOKBACK)]
    return (int(near.index[-1]), float(near.iloc[-1])) if len(near) else None


def _pace_basis(tg: Target, hist: pd.Series, base_year: int | None) -> pd.Series:
    """The values a pace is measured on: the window years published so far. Before any is published nothing since
    the base year shows a pace, so there is none (empty), like a level target whose latest value is the base year's;
    only a registry without a base year falls back to the latest RECENT_YEARS values."""
    seen = hist[hist.index.isin(list(tg.window or ()))]
    return seen if len(seen) or base_year is not None else hist.iloc[-RECENT_YEARS:]


def measured_from(tg: Target, ind: Indicator, hist: pd.Series, base_year: int | None) -> int | None:
    """The year the checks measure progress from, as a reader is told it: the base value's year, or for a pace
    the year before the first year it counts (a growth rate or an addition is a change from the year before)."""
    if _paced(tg, ind):
        basis = _pace_basis(tg, hist, base_year)
        return int(basis.index[0]) - 1 if len(basis) else None
    base = base_point(hist, _base_year(tg, base_year))
    return base[0] if base else None


# --- the checks ----------------------------------------------------------------------------------------------------

def _level(tg: Target, hist: pd.Series, base: tuple[int, float] | None, rate: float | None = None) -> dict:
    """Open SDG's methodology_2 ratio R = sign * d * CAGR_obs / |CAGR_req| and the UNSD share
    (v_hat_T - v_b) / (v_T - v_b), v_hat_T extrapolating CAGR_obs, from the `base` point to the latest visible value.
    With `rate` (an average-growth target on a level series) the required value is the base grown at the rate.
    A visible target-year value decides the categories outright. Without a base point, or with nothing published
    after it (the latest value is the base), there is no pace to measure: "not computable", unless the latest value
    already meets a level target."""
    year = tg.target_year
    decided = len(hist) > 0 and hist.index[-1] == year
    if len(hist) < 2:
        return _word(tg.meets(float(hist.iloc[-1]))) if decided and rate is None else dict(NO_CHECK)
    ti, yi = int(hist.index[-1]), float(hist.iloc[-1])
    if base is None or base[0] >= ti:
        achieved = rate is None and tg.meets(yi)
        return _word(achieved) if decided and rate is None else categories(_NAN, _NAN, achieved)
    t0, y0 = base
    b0 = y0 if y0 != 0 else 0.001  # Open SDG: a zero base becomes 0.001
    goal = b0 * (1 + rate / 100) ** (year - t0) if rate is not None else (tg.value or 0.001)
    if rate is None:
        achieved = tg.meets(yi)
    else:
        achieved = decided and yi / b0 > 0 and tg.meets(100 * ((yi / b0) ** (1 / (year - t0)) - 1))
    if yi / b0 < 0 or goal / b0 < 0 or year <= t0:  # values of both signs: the growth ratio does not exist
        return _word(achieved) if decided else categories(_NAN, _NAN, achieved)
    cagr_o = (yi / b0) ** (1 / (ti - t0)) - 1
    cagr_r = (goal / b0) ** (1 / (year - t0)) - 1
    d, sign = (1 if tg.op == ">=" else -1), (-1 if b0 < 0 else 1)
    ratio = sign * d * cagr_o / abs(cagr_r) if cagr_r != 0 else _NAN
    share = (yi * (1 + cagr_o) ** (year - ti) - y0) / (goal - y0) if goal != y0 else _NAN
    return _word(achieved, ratio, share) if decided else categories(ratio, share, achieved)


def _pace(tg: Target, hist: pd.Series, basis: pd.Series, growth: bool) -> dict:
    """Growth-rate and cumulative targets: the observed pace (mean growth, or additions a year) on `basis`, against
    the required pace; the share extends that pace over the window's unpublished years. No basis: "not computable"."""
    if basis.empty:
        return categories(_NAN, _NAN, False)
    window = list(tg.window or ())
    seen = hist[hist.index.isin(window)]
    d, rest, n = (1 if tg.op == ">=" else -1), len(window) - len(seen), len(window)
    if growth:
        pace = float(mean_growth(basis.to_numpy()))
        achieved = rest == 0 and tg.meets(float(mean_growth(seen.to_numpy())))
        needed = (1 + tg.value / 100) ** n - 1
        got = float(np.prod(1 + seen.to_numpy() / 100)) * (1 + pace / 100) ** rest - 1
        return categories(d * pace / abs(tg.value) if tg.value else _NAN, got / needed if needed else _NAN, achieved)
    pace, total = float(basis.mean()), float(seen.sum())
    achieved = tg.meets(total) and (tg.op == ">=" or rest == 0)
    if not tg.value:
        return categories(_NAN, _NAN, achieved)
    return categories(d * pace / (tg.value / n), (total + pace * rest) / tg.value, achieved)


def _unjudgeable(tg: Target, ind: Indicator, hist: pd.Series, as_of: int) -> bool:
    """No cross-check, as kinds gives no P(meet): the target year has passed (as_of >= target year) with a value the
    check needs still unpublished (the target-year value, or any window year of a growth-rate or cumulative target),
    or the window is still open and the latest value is more than STALE_YEARS before the as-of year (too old to
    extrapolate a pace from). Later values are never used to stand in for a missing one."""
    needed = tg.window if _paced(tg, ind) and tg.window else [tg.target_year]
    if as_of >= tg.target_year:
        return any(y not in hist.index for y in needed)
    return as_of - int(hist.index[-1]) > STALE_YEARS


def official(tg: Target, ind: Indicator, hist: pd.Series, as_of: int | None = None, *,
             base_year: int | None) -> dict:
    """The four cross-check columns for one target judged on one indicator's visible history (years <= as_of).

    `base_year` is the registry's (`Registry.base_year`), the year progress is measured from; None only for a
    registry that declares none, and then the checks start from the first visible value (`base_point`). Values
    after the target year are dropped first: the checks judge the target year, never a later one. `as_of` defaults
    to the latest visible year when the caller does not pass it."""
    as_of = int(hist.index.max()) if as_of is None and len(hist) else as_of
    hist = hist[hist.index <= tg.target_year]
    if hist.empty or as_of is None:
        return dict(NO_CHECK)
    if tg.kind == Kind.RANK:  # binary indicators: achieved or not (Open SDG, EUSTAT)
        return _word(tg.meets(float(hist.iloc[-1])))
    if tg.kind == Kind.MILESTONE:
        return _word(bool(tg.meets(milestone_running(tg, ind, hist).to_numpy()).any()))
    if _unjudgeable(tg, ind, hist, as_of):
        return dict(NO_CHECK)
    if _paced(tg, ind):
        return _pace(tg, hist, _pace_basis(tg, hist, base_year), growth=tg.kind == Kind.AVG_GROWTH)
    rate = tg.value if tg.kind == Kind.AVG_GROWTH else None
    return _level(tg, hist, base_point(hist, _base_year(tg, base_year)), rate)


# --- where a check and P(meet) disagree -------------------------------------------------------------------------

def disagreeing(checks: dict, status: Status) -> list[tuple[str, str]]:
    """The checks ("ratio", "share") whose category contradicts P(meet)'s status, with the category: "on track"
    beside a flag (unlikely, very unlikely), or a pace the check calls too slow (SHORT_PACE) beside likely or very
    likely. "acceleration needed" and "about as likely as not" contradict nothing."""
    found = []
    for check, column in (("ratio", "eurostat_category"), ("share", "unsd_category")):
        category = checks.get(column)
        if (category == ON_TRACK and status in FLAGGED) or (category in SHORT_PACE and status in CALLS_MET):
            found.append((check, str(category)))
    return found


def _because(tg: Target, ind: Indicator, hist: pd.Series, checks: dict, start: int, lower: bool,
             projected: float) -> dict:
    """The first fact that accounts for the difference, as {"because": key, ...facts}:

    - "pace": P(meet) is lower though a check says on track, because that check's number is under 1: the pace falls
      short of the target, within the official 5 % tolerance;
    - "forecast" with `earlier`: the forecast behind P(meet) also counts the values before the checks' start year,
      and its median misses (or meets) the target;
    - "latest": the latest change on a level series moved away from the target (P lower) or towards it (P higher);
    - "forecast": otherwise the forecast's median itself, which misses (or meets) the target.

    The width of the 80 % interval is never the reason: a wider interval pulls P(meet) towards 50 %, so it cannot
    put P(meet) on the other side of a check's call."""
    if lower:
        for check, column, number in (("ratio", "eurostat_category", "eurostat_ratio"),
                                      ("share", "unsd_category", "unsd_share")):
            if checks.get(column) == ON_TRACK and checks[number] < 1:
                return {"because": "pace", "check": check, "value": float(checks[number])}
    first = int(hist.index[0])
    forecast = {"because": "forecast", "first": first, "n": len(hist), "mid": float(projected),
                "meets": bool(tg.meets(projected)), "earlier": first < start}
    if first >= start and not _paced(tg, ind) and len(hist) >= 2:
        step = (float(hist.iloc[-1]) - float(hist.iloc[-2])) * (1 if tg.op == ">=" else -1)
        if (step < 0) if lower else (step > 0):
            return {"because": "latest", "y1": int(hist.index[-2]), "v1": float(hist.iloc[-2]),
                    "y2": int(hist.index[-1]), "v2": float(hist.iloc[-1]), "toward": not lower}
    return forecast


def disagreement(tg: Target, ind: Indicator, hist: pd.Series, base_year: int | None, checks: dict, status: Status,
                 projected: float) -> dict | None:
    """The facts of the sentence that says why a cross-check and P(meet) disagree (`disagreeing`), or None when
    they do not: which checks say what, measured from which year to which, whether P(meet) is lower or higher than
    they suggest, and why (`_because`). Facts only, for `wording` to put into words."""
    found = disagreeing(checks, status)
    start = measured_from(tg, ind, hist, base_year)
    if not found or start is None or not np.isfinite(projected):
        return None
    lower = status in FLAGGED
    return {"checks": [c for c, _ in found], "said": list(dict.fromkeys(w for _, w in found)), "start": start,
            "end": int(hist.index[-1]), "lower": lower, "year": tg.target_year,
            **_because(tg, ind, hist, checks, start, lower, projected)}
