"""P(meet), status and the official cross-checks for every target, seeing only the years up to `as_of`.

The probability comes from the forecast's seeded sample paths, read the way each kind of target is defined:
`level` the value in the target year; `avg_growth` the geometric mean of observed and simulated growth over the
window (or the CAGR of a level series); `cumulative` observed plus simulated annual additions over the window.
`rank` and `milestone` targets are judged on observations only: a rank or a first-ever award is not something a
trend line can honestly forecast. Once the target year is observed the status is `met` or `missed`.
`insufficient data` always says why: no value; one value; a latest value more than STALE_YEARS before the as-of
year (too old to project from); a gap inside a growth or cumulative window (never filled); or a target year that
has passed without a published value (later values are never used to fill it).

Beside the probability, two official methods are computed as their owners do (METHODS.md §1): the Eurostat /
Open SDG ratio of observed to required growth (0.95 / 0.60 / 0, "target achieved" first) and the UNSD projected
share of the needed change (0.95 / 0.10), from the first and the latest visible values. For growth-rate and
cumulative targets they compare paces directly (observed mean growth, or additions a year, against the required
ones), as METHODS.md §1.8 advises. Where they disagree with P(meet), the row shows both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError
from .select import Forecast, forecast_series, transform_name
from .targets import Indicator, Registry, Target

STALE_YEARS = 5  # a latest value older than this before the as-of year is too old to project from
RECENT_YEARS = 5  # the "latest trend" quoted in reasons: Eurostat's short-term window
N_PATHS = 4000  # Monte Carlo error of P(meet) at most 0.8 points
CONTRACT = ["target", "as_of", "latest_year", "latest_value", "projected", "lo80", "hi80", "p_meet", "status",
            "method", "reason"]
EXTRAS = ["indicator", "kind", "n_obs", "eurostat_ratio", "eurostat_category", "unsd_share", "unsd_category",
          "proxies"]
INTERVAL = {"two points": "t interval from one change (1 df)", "short (3-5)": "t interval with drift uncertainty",
            "full (6+)": "interval calibrated on rolling origins"}
_UNIT = {"微克/立方米": " μg/m³", "%": "%", "分": " points", "个": "", "家": "", "项": "", "位": ""}
_NAN = float("nan")


@dataclass(frozen=True)
class Outlook:
    target: Target
    indicator: Indicator
    as_of: int
    history: pd.Series
    forecast: Forecast | None
    measure: str
    required_path: pd.Series | None
    row: dict


@dataclass(frozen=True)
class _Verdict:
    """What one kind-specific judgement found; `status` None means "from p via status_word"."""

    reason: str
    method: str = "none"
    status: str | None = "insufficient data"
    p: float = _NAN
    projected: float = _NAN
    lo80: float = _NAN
    hi80: float = _NAN
    forecast: Forecast | None = None
    required_path: pd.Series | None = None


def contract_columns() -> list[str]:
    return list(CONTRACT)


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


# --- numbers in words ----------------------------------------------------------------------------------------------

def _num(x: float) -> str:
    """Rounded for reading aloud: 1,979 / 140 / 28 / 29.8 / 4.33."""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _pct(p: float) -> str:
    return "<1%" if p < 0.005 else ">99%" if p > 0.995 else f"{100 * p:.0f}%"


def _years(years) -> str:
    """2019, 2020, 2021, 2023 -> "2019-2021, 2023"."""
    years, runs = sorted(int(y) for y in years), []
    for y in years:
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs)


def _rate(x: float, ind: Indicator) -> str:
    """A change per year, two significant digits, in points for percentages and scores."""
    return (f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2g}") + (" points" if ind.unit in ("%", "分") else "")


def _unit(ind: Indicator) -> str:
    return _UNIT.get(ind.unit, f" {ind.unit}")


def _goal(tg: Target, ind: Indicator) -> str:
    return f"{'≥' if tg.op == '>=' else '≤'} {_num(tg.value)}{_unit(ind)}"


def _meets(tg: Target, x):
    return np.asarray(x) >= tg.value if tg.op == ">=" else np.asarray(x) <= tg.value


def _trend_words(ind: Indicator, hist: pd.Series) -> str:
    """The recent movement (last RECENT_YEARS years when they hold two values, else the whole series)."""
    recent = hist[hist.index >= hist.index[-1] - RECENT_YEARS]
    recent = recent if len(recent) >= 2 else hist
    slope = (recent.iloc[-1] - recent.iloc[0]) / (recent.index[-1] - recent.index[0])
    if abs(slope) < 1e-9 * max(abs(recent.iloc[-1]), 1.0):
        return "flat"
    return f"{'rising' if slope > 0 else 'falling'} about {_rate(abs(slope), ind)} a year"


# --- the visible data ------------------------------------------------------------------------------------------------

def _visible(data: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """The one place where years after `as_of` are dropped; the rows kept are then checked."""
    missing = {"indicator", "year", "value"} - set(data.columns)
    if missing:
        raise InputError(f"indicator data: missing columns {sorted(missing)}; expected indicator,year,value,unit,source")
    years = pd.to_numeric(data["year"], errors="coerce")
    bad = years.isna() | (years != years.round())
    if bad.any():
        row = data[bad].iloc[0]
        raise InputError(f"indicator data, {row['indicator']}: expected a whole year, found {row['year']!r}")
    keep = years <= int(as_of)
    frame = pd.DataFrame({"indicator": data["indicator"][keep].astype(str), "year": years[keep].astype(int),
                          "value": pd.to_numeric(data["value"][keep], errors="coerce")})
    if frame["value"].isna().any():
        row = frame[frame["value"].isna()].iloc[0]
        raise InputError(f"indicator data, {row['indicator']} {row['year']}: expected a number, found {data.loc[row.name, 'value']!r}")
    twice = frame.duplicated(["indicator", "year"])
    if twice.any():
        row = frame[twice].iloc[0]
        raise InputError(f"indicator data, {row['indicator']} {row['year']}: given twice; expected one value a year")
    return frame


def _history(visible: pd.DataFrame, indicator: str, as_of: int, extra: dict | None) -> pd.Series:
    rows = visible[visible["indicator"] == indicator]
    values = dict(zip(rows["year"].astype(int), rows["value"].astype(float)))
    values.update({int(y): float(v) for y, v in (extra or {}).items() if int(y) <= as_of})
    years = sorted(values)
    return pd.Series([values[y] for y in years], index=pd.Index(years, dtype="int64", name="year"), name=indicator,
                     dtype=float)


# --- the five kinds ----------------------------------------------------------------------------------------------------

def _project(tg, ind, hist, as_of, seed, model) -> tuple[Forecast | None, str]:
    """A forecast to the target year, or the reason there can be none."""
    if hist.empty:
        return None, f"No value published up to {as_of}."
    last = int(hist.index[-1])
    if as_of - last > STALE_YEARS:
        return None, f"Latest value is from {last}, more than {STALE_YEARS} years before {as_of}; too old to project."
    if len(hist) == 1:
        return None, f"Only one value ({_num(hist.iloc[0])}{_unit(ind)} in {last}); a trend needs at least two."
    fc = forecast_series(hist.index.to_numpy(), hist.to_numpy(), tg.target_year - last, scale=ind.scale, seed=seed,
                         n_paths=N_PATHS, model=model)
    method = f"{fc.model} on {transform_name(ind.scale, hist.to_numpy())}, {len(hist)} points; {INTERVAL[fc.tier]}"
    return fc, method


def _from_paths(values: np.ndarray, tg: Target, fc: Forecast, method: str, reason, required=None) -> _Verdict:
    p = float(np.mean(_meets(tg, values)))
    lo, mid, hi = np.quantile(values, [0.1, 0.5, 0.9])
    return _Verdict(reason(p, mid), method, None, p, float(mid), float(lo), float(hi), fc, required)


def _observed(tg: Target, value: float, reason: str) -> _Verdict:
    met = bool(_meets(tg, value))
    return _Verdict(reason, "observed", "met" if met else "missed", float(met), float(value))


def _level(tg, ind, hist, as_of, seed, model) -> _Verdict:
    T = tg.target_year
    if T in hist.index:
        v = hist[T]
        return _observed(tg, v, f"{T} value {_num(v)}{_unit(ind)} {'meets' if _meets(tg, v) else 'misses'} the target of {_goal(tg, ind)}.")
    if as_of >= T:
        return _Verdict(f"The {T} value is not published; later values are not used to fill it.")
    fc, method = _project(tg, ind, hist, as_of, seed, model)
    if fc is None:
        return _Verdict(method)
    last, latest = int(hist.index[-1]), float(hist.iloc[-1])
    need = (tg.value - latest) / (T - last)
    if _meets(tg, latest):
        ask = f"{_num(tg.value)}{_unit(ind)} needs no further {'rise' if tg.op == '>=' else 'fall'}"
    else:
        ask = f"{_num(tg.value)}{_unit(ind)} needs a {'rise' if need > 0 else 'fall'} of about {_rate(abs(need), ind)} a year"
    required = pd.Series(np.linspace(latest, tg.value, T - last + 1), index=pd.RangeIndex(last, T + 1, name="year"))
    return _from_paths(fc.paths[:, -1], tg, fc, method, lambda p, mid: (
        f"Latest {_num(latest)}{_unit(ind)} ({last}); {_trend_words(ind, hist)}; {ask}; "
        f"{_pct(p)} chance of {_goal(tg, ind)} in {T}."), required)


def _window(tg: Target) -> list[int]:
    return list(range(tg.window_start, tg.target_year + 1))


def _gaps(tg, hist, as_of, what: str, note: str = "") -> _Verdict | None:
    """Insufficient data when a window year before the latest value, or any window year once the target year has
    passed, is unpublished: the value is unknown and is never filled."""
    missing = [y for y in _window(tg) if y not in hist.index]
    if as_of >= tg.target_year and missing:
        return _Verdict(f"No {what} published for {_years(missing)}; the {_years(_window(tg))} window is incomplete{note}.")
    inner = [y for y in missing if len(hist) and y < hist.index[-1]]
    if inner:
        return _Verdict(f"No {what} published for {_years(inner)}, a gap inside the {_years(_window(tg))} window; "
                        f"gaps are not filled{note}.")
    return None


def _geo(growth: np.ndarray) -> np.ndarray:
    """Average annual growth in % over the last axis: the geometric mean of (1 + g/100)."""
    factors = 1 + np.maximum(growth, -99.9) / 100
    return 100 * (np.exp(np.mean(np.log(factors), axis=-1)) - 1)


def _avg_growth(tg, ind, hist, as_of, seed, model) -> _Verdict:
    if ind.scale != "growth":
        return _cagr(tg, ind, hist, as_of, seed, model)
    window = _window(tg)
    seen = hist[hist.index.isin(window)]
    span = _years(window)
    if len(seen) == len(window):
        g = float(_geo(seen.to_numpy()))
        return _observed(tg, g, f"Average growth {span} was {_num(g)}%, {'meeting' if _meets(tg, g) else 'missing'} the target of {_goal(tg, ind)}.")
    gap = _gaps(tg, hist, as_of, "growth")
    if gap:
        return gap
    fc, method = _project(tg, ind, hist, as_of, seed, model)
    if fc is None:
        return _Verdict(method)
    cols = [y - int(fc.years[0]) for y in window if y > hist.index[-1]]
    growth = np.column_stack([np.full((len(fc.paths), len(seen)), seen.to_numpy()), fc.paths[:, cols]])
    so_far = f"{_years(seen.index)} average {_num(float(_geo(seen.to_numpy())))}%" if len(seen) else f"none of {span} published yet"
    return _from_paths(_geo(growth), tg, fc, method + "; geometric mean of observed and simulated growth", lambda p, mid: (
        f"Latest growth {_num(hist.iloc[-1])}% ({hist.index[-1]}); {so_far}; projected {span} average {_num(mid)}%; "
        f"{_pct(p)} chance of {_goal(tg, ind)} a year."))


def _cagr(tg, ind, hist, as_of, seed, model) -> _Verdict:
    """Average growth of a level series: (v_T / v_base) ** (1/N) - 1, base = the year before the window."""
    base_year, T = tg.window_start - 1, tg.target_year
    n = T - base_year
    if base_year not in hist.index or hist[base_year] <= 0:
        return _Verdict(f"No positive {base_year} value to measure growth from.")
    base = hist[base_year]
    if T in hist.index:
        g = 100 * ((hist[T] / base) ** (1 / n) - 1)
        return _observed(tg, g, f"Average growth {base_year}-{T} was {_num(g)}%, {'meeting' if _meets(tg, g) else 'missing'} the target of {_goal(tg, ind)}.")
    if as_of >= T:
        return _Verdict(f"The {T} value is not published; later values are not used to fill it.")
    fc, method = _project(tg, ind, hist, as_of, seed, model)
    if fc is None:
        return _Verdict(method)
    growth = 100 * ((np.maximum(fc.paths[:, -1], 0) / base) ** (1 / n) - 1)
    return _from_paths(growth, tg, fc, method + "; growth from the level paths", lambda p, mid: (
        f"Latest {_num(hist.iloc[-1])}{_unit(ind)} ({hist.index[-1]}) against {_num(base)} in {base_year}; "
        f"projected {base_year + 1}-{T} average growth {_num(mid)}%; {_pct(p)} chance of {_goal(tg, ind)} a year."))


def _cumulative(tg, ind, hist, as_of, seed, model) -> _Verdict:
    window, T = _window(tg), tg.target_year
    seen = hist[hist.index.isin(window)]
    total, span = float(seen.sum()), _years(window)
    if len(seen) and tg.op == ">=" and total >= tg.value:  # additions are never negative: a reached sum stays reached
        return _observed(tg, total, f"Already {_num(total)} added in {_years(seen.index)}, reaching the target of {_goal(tg, ind)} before the end of {T}.")
    if len(seen) == len(window):
        return _observed(tg, total, f"{_num(total)} added in {span}, {'meeting' if _meets(tg, total) else 'missing'} the target of {_goal(tg, ind)}.")
    gap = _gaps(tg, hist, as_of, "annual additions", f" ({_num(total)} counted so far)")
    if gap:
        return gap
    fc, method = _project(tg, ind, hist, as_of, seed, model)
    if fc is None:
        return _Verdict(method)
    last = int(hist.index[-1])
    cols = [y - int(fc.years[0]) for y in window if y > last]
    start = max([window[0] - 1, *seen.index])
    required = pd.Series(np.linspace(total, tg.value, T - start + 1), index=pd.RangeIndex(start, T + 1, name="year"))
    so_far = f"{_num(total)} so far in {_years(seen.index)}" if len(seen) else f"the window starts after {last}"
    return _from_paths(total + fc.paths[:, cols].sum(axis=1), tg, fc, method + "; observed plus simulated additions",
                       lambda p, mid: (f"Latest {_num(hist.iloc[-1])} added in {last}; {so_far}; about {_num(mid)} "
                                       f"expected over {span}; {_pct(p)} chance of a total {_goal(tg, ind)}."), required)


def _rank(tg, ind, hist, as_of, seed, model) -> _Verdict:
    T = tg.target_year
    if T in hist.index:
        r = hist[T]
        return _observed(tg, r, f"Rank {_num(r)} in {T}, {'meeting' if _meets(tg, r) else 'missing'} the target of {_goal(tg, ind)}.")
    if hist.empty:
        return _Verdict(f"No rank published up to {as_of}; ranks are not forecast.")
    return _Verdict(f"No rank published for {T}; latest rank {_num(hist.iloc[-1])} ({hist.index[-1]}); ranks are not forecast.")


def _milestone(tg, ind, hist, as_of, seed, model) -> _Verdict:
    """Achieved once is achieved for good: for a flow, the window's sum; for a stock, any value up to the target year."""
    T = tg.target_year
    start = tg.window_start if ind.flow and tg.window_start is not None else -10**9
    seen = hist[(hist.index >= start) & (hist.index <= T)]
    running = seen.cumsum() if ind.flow else seen
    hit = running[_meets(tg, running.to_numpy())] if len(running) else running
    if len(hit):
        return _observed(tg, float(hit.iloc[0]), f"Achieved in {hit.index[0]} ({_num(hit.iloc[0])}); a milestone once reached stays met.")
    complete = (T in hist.index) if not ind.flow else all(y in hist.index for y in _window(tg))
    if complete:
        return _observed(tg, float(running.iloc[-1]), f"Not achieved by {T}.")
    if as_of >= T:
        return _Verdict(f"Not achieved as far as published up to {T}; not every year is published.")
    return _Verdict(f"Not achieved as of {as_of}; milestones are not forecast.")


_KINDS = {"level": _level, "avg_growth": _avg_growth, "cumulative": _cumulative, "rank": _rank,
          "milestone": _milestone}
_MEASURE = {"level": "{T} value", "avg_growth": "average annual growth {W}", "cumulative": "sum of annual additions {W}",
            "rank": "rank in {T}", "milestone": "achieved by {T}"}


# --- official cross-checks -------------------------------------------------------------------------------------------

def _eurostat_word(r: float) -> str:
    if not np.isfinite(r):
        return "not computable"
    return "on track" if r >= 0.95 else "acceleration needed" if r >= 0.60 else "limited progress" if r >= 0 else "deterioration"


def _unsd_word(share: float) -> str:
    if not np.isfinite(share):
        return "not computable"
    return "on track" if share >= 0.95 else "acceleration needed" if share >= 0.10 else "stagnation or regression"


_NO_CHECK = {"eurostat_ratio": _NAN, "eurostat_category": "insufficient data", "unsd_share": _NAN,
             "unsd_category": "insufficient data"}


def _checks(ratio: float, share: float, achieved: bool) -> dict:
    """The four cross-check columns; "target achieved" overrides both categories, as Open SDG and UNSD do."""
    return {"eurostat_ratio": ratio, "eurostat_category": "target achieved" if achieved else _eurostat_word(ratio),
            "unsd_share": share, "unsd_category": "target achieved" if achieved else _unsd_word(share)}


def _official_level(tg: Target, hist: pd.Series, base_year: int | None = None, rate: float | None = None) -> dict:
    """CAGR ratio (Open SDG ProgressMeasure.methodology_2) and UNSD share from the base and the latest value.

    A level target's required value is the target; an average-growth target on a level series requires the base
    grown at the target rate (`rate`, %) to the target year."""
    if base_year is not None and base_year in hist.index:
        hist = hist[hist.index >= base_year]
    if len(hist) < 2:
        return dict(_NO_CHECK)
    t0, y0, ti, yi, T = hist.index[0], float(hist.iloc[0]), hist.index[-1], float(hist.iloc[-1]), tg.target_year
    b0 = y0 if y0 != 0 else 0.001  # Open SDG: a zero base becomes 0.001
    goal = b0 * (1 + rate / 100) ** (T - t0) if rate is not None else (tg.value if tg.value != 0 else 0.001)
    achieved = bool(_meets(tg, yi)) if rate is None else (ti == T and bool(_meets(tg, 100 * ((yi / b0) ** (1 / (T - t0)) - 1))))
    if yi / b0 < 0 or goal / b0 < 0 or T <= t0:
        return _checks(_NAN, _NAN, achieved)  # values of both signs: the growth ratio does not exist
    d, sign = (1 if tg.op == ">=" else -1), (-1 if b0 < 0 else 1)
    cagr_o = (yi / b0) ** (1 / (ti - t0)) - 1
    cagr_r = (goal / b0) ** (1 / (T - t0)) - 1
    ratio = sign * d * cagr_o / abs(cagr_r) if cagr_r != 0 else _NAN
    share = (yi * (1 + cagr_o) ** (T - ti) - y0) / (goal - y0) if goal != y0 else _NAN
    return _checks(ratio, share, achieved)


def _official_pace(tg: Target, hist: pd.Series, growth: bool) -> dict:
    """Growth-rate and cumulative targets: the observed pace (mean growth, or additions a year) in the window so far,
    or over the latest RECENT_YEARS values before it, against the required pace."""
    window = _window(tg)
    seen = hist[hist.index.isin(window)]
    basis = seen if len(seen) else hist.iloc[-RECENT_YEARS:]
    if basis.empty:
        return dict(_NO_CHECK)
    d, rest = (1 if tg.op == ">=" else -1), len(window) - len(seen)
    if growth:
        pace = float(_geo(basis.to_numpy()))
        achieved = rest == 0 and bool(_meets(tg, float(_geo(seen.to_numpy()))))
        needed = (1 + tg.value / 100) ** len(window) - 1
        got = np.prod(1 + seen.to_numpy() / 100) * (1 + pace / 100) ** rest - 1
        return _checks(d * pace / abs(tg.value) if tg.value else _NAN, got / needed if needed else _NAN, achieved)
    pace, total = float(basis.mean()), float(seen.sum())
    achieved = bool(_meets(tg, total)) and (tg.op == ">=" or rest == 0)
    needed = tg.value / len(window)
    return _checks(d * pace / needed if needed else _NAN, (total + pace * rest) / tg.value if tg.value else _NAN, achieved)


def _official(tg: Target, ind: Indicator, hist: pd.Series) -> dict:
    if tg.kind in ("rank", "milestone"):
        if hist.empty:
            return dict(_NO_CHECK)
        latest = hist[hist.index <= tg.target_year]
        running = latest.cumsum() if (ind.flow and tg.kind == "milestone") else latest
        word = "target achieved" if len(running) and bool(_meets(tg, running.to_numpy()).any() if tg.kind == "milestone" else _meets(tg, running.iloc[-1])) else "target not achieved"
        return {"eurostat_ratio": _NAN, "eurostat_category": word, "unsd_share": _NAN, "unsd_category": word}
    if tg.kind == "level":
        return _official_level(tg, hist)
    if tg.kind == "avg_growth" and ind.scale != "growth":
        return _official_level(tg, hist, base_year=tg.window_start - 1, rate=tg.value)
    return _official_pace(tg, hist, growth=tg.kind == "avg_growth")


# --- entry points ----------------------------------------------------------------------------------------------------

def _round(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}") if np.isfinite(x) else _NAN


def _outlook(registry: Registry, visible: pd.DataFrame, tg: Target, as_of: int, seed: int, model=None,
             indicator: str | None = None, extra_values: dict | None = None) -> Outlook:
    ind_id = indicator or tg.indicator
    if ind_id not in registry.indicators:
        raise InputError(f"no indicator {ind_id!r} in the registry")
    ind = registry.indicators[ind_id]
    proxy = ind_id != tg.indicator
    hist = _history(visible, ind_id, as_of, extra_values)
    if proxy and ind.unit != tg.unit:
        verdict = _Verdict(f"The proxy is in {ind.unit}, the target in {tg.unit}; they cannot be compared.")
    else:
        verdict = _KINDS[tg.kind](tg, ind, hist, as_of, seed, model)
    p = round(verdict.p, 3) if np.isfinite(verdict.p) else _NAN
    row = {
        "target": tg.id, "as_of": int(as_of),
        "latest_year": int(hist.index[-1]) if len(hist) else None,
        "latest_value": float(hist.iloc[-1]) if len(hist) else _NAN,
        "projected": _round(verdict.projected), "lo80": _round(verdict.lo80), "hi80": _round(verdict.hi80),
        "p_meet": p, "status": verdict.status or status_word(p),
        "method": (f"proxy {ind_id}: " if proxy else "") + verdict.method,
        "reason": (f"Proxy ({ind.name_en}): " if proxy else "") + verdict.reason,
        "indicator": ind_id, "kind": tg.kind, "n_obs": len(hist),
    }
    checks = _official(tg, ind, hist) if not (proxy and ind.unit != tg.unit) else dict(_NO_CHECK)
    row |= {k: (round(v, 3) if isinstance(v, float) and np.isfinite(v) else v) for k, v in checks.items()}
    row["proxies"] = "" if proxy else "; ".join(
        _proxy_words(_outlook(registry, visible, tg, as_of, seed, indicator=p).row) for p in tg.proxies)
    measure = _MEASURE[tg.kind].format(T=tg.target_year, W=_years(_window(tg)) if tg.window_start else "")
    return Outlook(tg, ind, int(as_of), hist, verdict.forecast, measure, verdict.required_path, row)


def _proxy_words(row: dict) -> str:
    p = row["p_meet"]
    return f"{row['indicator']}: {row['status']}" + (f" ({p:.2f})" if np.isfinite(p) and row["status"] not in ("met", "missed") else "")


def _table(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=columns)
    table["latest_year"] = table["latest_year"].astype("Int64")
    return table


def outlook_for(registry: Registry, data: pd.DataFrame, target_id: str, as_of: int, seed: int = 0, model=None,
                indicator: str | None = None, extra_values: dict | None = None) -> Outlook:
    """One target's outlook; `indicator` assesses a proxy instead (labelled), `extra_values` {year: value} adds an
    analyst's what-if values to the visible data (years after `as_of` are ignored like any other)."""
    try:
        tg = registry.target(target_id)
    except KeyError:
        raise InputError(f"no target {target_id!r} in the registry") from None
    return _outlook(registry, _visible(data, as_of), tg, as_of, seed, model, indicator, extra_values)


def outlooks(registry: Registry, data: pd.DataFrame, as_of: int, seed: int = 0) -> list[Outlook]:
    visible = _visible(data, as_of)
    return [_outlook(registry, visible, tg, as_of, seed) for tg in registry.targets]


def assess(registry: Registry, data: pd.DataFrame, as_of: int, seed: int = 0) -> pd.DataFrame:
    """One row per target in registry order: the contract columns, then the cross-checks and proxies."""
    return _table([o.row for o in outlooks(registry, data, as_of, seed)], CONTRACT + EXTRAS)


def assess_proxies(registry: Registry, data: pd.DataFrame, as_of: int, seed: int = 0) -> pd.DataFrame:
    """One row per (target, proxy indicator), labelled as proxies: shown beside a target, never in its place."""
    visible = _visible(data, as_of)
    rows = [_outlook(registry, visible, tg, as_of, seed, indicator=p).row | {"proxy": p}
            for tg in registry.targets for p in tg.proxies]
    return _table(rows, CONTRACT + EXTRAS + ["proxy"])


def vintage_matrix(registry: Registry, data: pd.DataFrame, as_of_years=(2018, 2019, 2020, 2021),
                   seed: int = 0) -> pd.DataFrame:
    """P(meet) with targets as rows and as-of years as columns (NaN where there is none); the matching status
    words are in `.attrs["status"]`, a frame of the same shape."""
    p, words = {}, {}
    for year in as_of_years:
        table = assess(registry, data, int(year), seed).set_index("target")
        p[int(year)], words[int(year)] = table["p_meet"], table["status"]
    status = pd.DataFrame(words).rename_axis(index="target", columns="as_of")
    matrix = pd.DataFrame(p, dtype=float).rename_axis(index="target", columns="as_of")
    matrix.attrs["status"] = status
    return matrix
