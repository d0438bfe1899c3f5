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
RECENT_YEARS = 5  # the "recent trend" quoted in reasons and the pace of the cross-checks: Eurostat's short term
N_PATHS = 4000  # Monte Carlo error of P(meet) at most 0.8 points
CONTRACT = ["target", "as_of", "latest_year", "latest_value", "projected", "lo80", "hi80", "p_meet", "status",
            "method", "reason"]
EXTRAS = ["indicator", "kind", "n_obs", "eurostat_ratio", "eurostat_category", "unsd_share", "unsd_category",
          "proxies"]
INTERVAL = {"two points": "t interval from one change (1 df)", "short (3-5)": "t interval with drift uncertainty",
            "full (6+)": "interval calibrated on rolling origins"}
_UNIT = {"微克/立方米": " μg/m³", "%": "%", "分": " points", "个": "", "家": "", "项": "", "位": ""}
_NAN = float("nan")
_NO_CHECK = {"eurostat_ratio": _NAN, "eurostat_category": "insufficient data", "unsd_share": _NAN,
             "unsd_category": "insufficient data"}


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


@dataclass(frozen=True)
class _Case:
    """One target judged on one indicator's visible history."""

    tg: Target
    ind: Indicator
    hist: pd.Series
    as_of: int
    seed: int = 0
    model: str | None = None

    @property
    def year(self) -> int:
        return self.tg.target_year

    @property
    def window(self) -> list[int]:
        return list(range(self.tg.window_start, self.tg.target_year + 1))

    @property
    def seen(self) -> pd.Series:
        """The visible values inside the window."""
        return self.hist[self.hist.index.isin(self.window)]

    def meets(self, x):
        return np.asarray(x) >= self.tg.value if self.tg.op == ">=" else np.asarray(x) <= self.tg.value

    def show(self, x: float) -> str:
        return f"{_num(x)}{_UNIT.get(self.ind.unit, ' ' + self.ind.unit)}"

    @property
    def goal(self) -> str:
        return f"{'≥' if self.tg.op == '>=' else '≤'} {self.show(self.tg.value)}"


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


# --- numbers in words --------------------------------------------------------------------------------------------

def _num(x: float) -> str:
    """Rounded for reading aloud: 1,979 / 140 / 28 / 29.8 / 4.33."""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _pct(p: float) -> str:
    return "<1%" if p < 0.005 else ">99%" if p > 0.995 else f"{100 * p:.0f}%"


def _years(years) -> str:
    """2019, 2020, 2021, 2023 -> "2019-2021, 2023"."""
    runs: list[list[int]] = []
    for y in sorted(int(y) for y in years):
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs)


def _rate(x: float, ind: Indicator) -> str:
    """A change per year, two significant digits, in points for percentages and scores."""
    text = f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2g}"
    return text + ((" point" if text == "1" else " points") if ind.unit in ("%", "分") else "")


def _trend_words(c: _Case) -> str:
    """The recent movement: over the last RECENT_YEARS years when they hold two values, else the whole series."""
    recent = c.hist[c.hist.index >= c.hist.index[-1] - RECENT_YEARS]
    recent = recent if len(recent) >= 2 else c.hist
    slope = (recent.iloc[-1] - recent.iloc[0]) / (recent.index[-1] - recent.index[0])
    if abs(slope) < 1e-9 * max(abs(recent.iloc[-1]), 1.0):
        return "flat"
    return f"{'rising' if slope > 0 else 'falling'} about {_rate(abs(slope), c.ind)} a year"


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


# --- the five kinds ----------------------------------------------------------------------------------------------

def _project(c: _Case) -> tuple[Forecast | None, str]:
    """A forecast to the target year with its method text, or None and the reason there can be none."""
    if c.hist.empty:
        return None, f"No value published up to {c.as_of}."
    last = int(c.hist.index[-1])
    if c.as_of - last > STALE_YEARS:
        return None, f"Latest value is from {last}, more than {STALE_YEARS} years before {c.as_of}; too old to project."
    if len(c.hist) == 1:
        return None, f"Only one value ({c.show(c.hist.iloc[0])} in {last}); a trend needs at least two."
    values = c.hist.to_numpy()
    fc = forecast_series(c.hist.index.to_numpy(), values, c.year - last, scale=c.ind.scale, seed=c.seed,
                         n_paths=N_PATHS, model=c.model)
    return fc, f"{fc.model} on {transform_name(c.ind.scale, values)}, {len(values)} points; {INTERVAL[fc.tier]}"


def _from_paths(c: _Case, values: np.ndarray, fc: Forecast, method: str, reason, required=None) -> _Verdict:
    """P(meet) and the 10/50/90% quantiles of the measure over the sample paths; `reason(p, median)` words it."""
    p = float(np.mean(c.meets(values)))
    lo, mid, hi = np.quantile(values, [0.1, 0.5, 0.9])
    return _Verdict(reason(p, mid), method, None, p, float(mid), float(lo), float(hi), fc, required)


def _observed(c: _Case, value: float, what: str) -> _Verdict:
    met = bool(c.meets(value))
    return _Verdict(f"{what} {'meets' if met else 'misses'} the target of {c.goal}.", "observed",
                    "met" if met else "missed", float(met), float(value))


def _unpublished(c: _Case) -> _Verdict:
    return _Verdict(f"The {c.year} value is not published; later values are not used to fill it.")


def _level(c: _Case) -> _Verdict:
    if c.year in c.hist.index:
        return _observed(c, c.hist[c.year], f"{c.year} value {c.show(c.hist[c.year])}")
    if c.as_of >= c.year:
        return _unpublished(c)
    fc, method = _project(c)
    if fc is None:
        return _Verdict(method)
    last, latest = int(c.hist.index[-1]), float(c.hist.iloc[-1])
    need = (c.tg.value - latest) / (c.year - last)
    if c.meets(latest):
        ask = f"{c.show(c.tg.value)} needs no further {'rise' if c.tg.op == '>=' else 'fall'}"
    else:
        ask = f"{c.show(c.tg.value)} needs a {'rise' if need > 0 else 'fall'} of about {_rate(abs(need), c.ind)} a year"
    required = pd.Series(np.linspace(latest, c.tg.value, c.year - last + 1),
                         index=pd.RangeIndex(last, c.year + 1, name="year"))
    return _from_paths(c, fc.paths[:, -1], fc, method, lambda p, mid: (
        f"Latest {c.show(latest)} ({last}); {_trend_words(c)}; {ask}; {_pct(p)} chance of {c.goal} in {c.year}."),
        required)


def _gap(c: _Case, what: str, note: str = "") -> _Verdict | None:
    """Insufficient data when a window year before the latest value, or any window year once the target year has
    passed, is unpublished: the value is unknown and is never filled."""
    missing = [y for y in c.window if y not in c.hist.index]
    if c.as_of >= c.year and missing:
        return _Verdict(f"No {what} published for {_years(missing)}; the {_years(c.window)} window is "
                        f"incomplete{note}.")
    inner = [y for y in missing if y < c.hist.index[-1]] if len(c.hist) else []
    if inner:
        return _Verdict(f"No {what} published for {_years(inner)}, a gap inside the {_years(c.window)} window; "
                        f"gaps are not filled{note}.")
    return None


def _geo(growth: np.ndarray) -> np.ndarray:
    """Average annual growth in % over the last axis: the geometric mean of (1 + g/100)."""
    return 100 * (np.exp(np.mean(np.log(1 + np.maximum(growth, -99.9) / 100), axis=-1)) - 1)


def _avg_growth(c: _Case) -> _Verdict:
    if c.ind.scale != "growth":
        return _cagr(c)
    seen, span = c.seen, _years(c.window)
    if len(seen) == len(c.window):
        return _observed(c, float(_geo(seen.to_numpy())), f"Average growth {span} of {_num(_geo(seen.to_numpy()))}%")
    gap = _gap(c, "growth")
    fc, method = _project(c) if gap is None else (None, gap.reason)
    if fc is None:
        return _Verdict(method)
    cols = [y - int(fc.years[0]) for y in c.window if y > c.hist.index[-1]]
    growth = np.column_stack([np.full((len(fc.paths), len(seen)), seen.to_numpy()), fc.paths[:, cols]])
    so_far = (f"{_years(seen.index)} average {_num(_geo(seen.to_numpy()))}%" if len(seen)
              else f"none of {span} published yet")
    method += "; geometric mean of observed and simulated growth"
    return _from_paths(c, _geo(growth), fc, method, lambda p, mid: (
        f"Latest growth {_num(c.hist.iloc[-1])}% ({c.hist.index[-1]}); {so_far}; projected {span} average "
        f"{_num(mid)}%; {_pct(p)} chance of {c.goal} a year."))


def _cagr(c: _Case) -> _Verdict:
    """Average growth of a level series: (v_T / v_base) ** (1/N) - 1, the base being the year before the window."""
    base_year = c.tg.window_start - 1
    n = c.year - base_year
    if base_year not in c.hist.index or c.hist[base_year] <= 0:
        return _Verdict(f"No positive {base_year} value to measure growth from.")
    base = c.hist[base_year]
    if c.year in c.hist.index:
        g = 100 * ((c.hist[c.year] / base) ** (1 / n) - 1)
        return _observed(c, g, f"Average growth {base_year}-{c.year} of {_num(g)}%")
    if c.as_of >= c.year:
        return _unpublished(c)
    fc, method = _project(c)
    if fc is None:
        return _Verdict(method)
    growth = 100 * ((np.maximum(fc.paths[:, -1], 0) / base) ** (1 / n) - 1)
    return _from_paths(c, growth, fc, method + "; growth from the level paths", lambda p, mid: (
        f"Latest {c.show(c.hist.iloc[-1])} ({c.hist.index[-1]}) against {c.show(base)} in {base_year}; projected "
        f"average growth {_num(mid)}% a year; {_pct(p)} chance of {c.goal} a year."))


def _cumulative(c: _Case) -> _Verdict:
    seen, span = c.seen, _years(c.window)
    total = float(seen.sum())
    if len(seen) and c.tg.op == ">=" and total >= c.tg.value:  # additions are never negative: a reached sum stays
        return _observed(c, total, f"{_num(total)} added in {_years(seen.index)} already")
    if len(seen) == len(c.window):
        return _observed(c, total, f"{_num(total)} added in {span}")
    gap = _gap(c, "annual additions", f" ({_num(total)} counted so far)")
    fc, method = _project(c) if gap is None else (None, gap.reason)
    if fc is None:
        return _Verdict(method)
    last = int(c.hist.index[-1])
    cols = [y - int(fc.years[0]) for y in c.window if y > last]
    start = max([c.window[0] - 1, *seen.index])
    required = pd.Series(np.linspace(total, c.tg.value, c.year - start + 1),
                         index=pd.RangeIndex(start, c.year + 1, name="year"))
    so_far = f"{_num(total)} so far in {_years(seen.index)}" if len(seen) else f"the window starts after {last}"
    return _from_paths(c, total + fc.paths[:, cols].sum(axis=1), fc, method + "; observed plus simulated additions",
                       lambda p, mid: (f"Latest {_num(c.hist.iloc[-1])} added in {last}; {so_far}; about {_num(mid)} "
                                       f"expected over {span}; {_pct(p)} chance of a total {c.goal}."), required)


def _rank(c: _Case) -> _Verdict:
    if c.year in c.hist.index:
        return _observed(c, c.hist[c.year], f"Rank {_num(c.hist[c.year])} in {c.year}")
    if c.hist.empty:
        return _Verdict(f"No rank published up to {c.as_of}; ranks are not forecast.")
    return _Verdict(f"No rank published for {c.year}; latest rank {_num(c.hist.iloc[-1])} ({c.hist.index[-1]}); "
                    "ranks are not forecast.")


def _milestone(c: _Case) -> _Verdict:
    """Achieved once is achieved for good: for a flow the window's running sum, for a stock any value, up to the
    target year."""
    start = c.tg.window_start if c.ind.flow and c.tg.window_start is not None else -10**9
    seen = c.hist[(c.hist.index >= start) & (c.hist.index <= c.year)]
    running = seen.cumsum() if c.ind.flow else seen
    hit = running[c.meets(running.to_numpy())]
    if len(hit):
        return _Verdict(f"Achieved in {hit.index[0]} ({_num(hit.iloc[0])}); a milestone once reached stays met.",
                        "observed", "met", 1.0, float(hit.iloc[0]))
    if (c.year in c.hist.index) if not c.ind.flow else all(y in c.hist.index for y in c.window):
        return _Verdict(f"Not achieved by {c.year}.", "observed", "missed", 0.0, float(running.iloc[-1]))
    if c.as_of >= c.year:
        return _Verdict(f"Not achieved as far as published up to {c.year}; not every year is published.")
    return _Verdict(f"Not achieved as of {c.as_of}; milestones are not forecast.")


_KINDS = {"level": _level, "avg_growth": _avg_growth, "cumulative": _cumulative, "rank": _rank,
          "milestone": _milestone}
_MEASURE = {"level": "{T} value", "avg_growth": "average annual growth {W}",
            "cumulative": "sum of annual additions {W}", "rank": "rank in {T}", "milestone": "achieved by {T}"}


# --- official cross-checks ---------------------------------------------------------------------------------------

def _checks(ratio: float, share: float, achieved: bool) -> dict:
    """The four cross-check columns; "target achieved" overrides both categories, as Open SDG and UNSD do."""
    eu = ("not computable" if not np.isfinite(ratio) else "on track" if ratio >= 0.95 else
          "acceleration needed" if ratio >= 0.60 else "limited progress" if ratio >= 0 else "deterioration")
    un = ("not computable" if not np.isfinite(share) else "on track" if share >= 0.95 else
          "acceleration needed" if share >= 0.10 else "stagnation or regression")
    return {"eurostat_ratio": ratio, "eurostat_category": "target achieved" if achieved else eu,
            "unsd_share": share, "unsd_category": "target achieved" if achieved else un}


def _official_level(c: _Case, rate: float | None = None) -> dict:
    """Open SDG's methodology_2 ratio R = sign * d * CAGR_obs / |CAGR_req| and the UNSD share
    (v_hat_T - v_b) / (v_T - v_b), v_hat_T extrapolating CAGR_obs, from the first and the latest visible values.
    With `rate` (an average-growth target on a level series) the required value is the base grown at the rate."""
    hist = c.hist
    if rate is not None and c.tg.window_start - 1 in hist.index:
        hist = hist[hist.index >= c.tg.window_start - 1]
    if len(hist) < 2:
        return dict(_NO_CHECK)
    t0, y0, ti, yi = hist.index[0], float(hist.iloc[0]), hist.index[-1], float(hist.iloc[-1])
    b0 = y0 if y0 != 0 else 0.001  # Open SDG: a zero base becomes 0.001
    goal = b0 * (1 + rate / 100) ** (c.year - t0) if rate is not None else (c.tg.value or 0.001)
    if rate is None:
        achieved = bool(c.meets(yi))
    else:
        achieved = ti == c.year and yi / b0 > 0 and bool(c.meets(100 * ((yi / b0) ** (1 / (c.year - t0)) - 1)))
    if yi / b0 < 0 or goal / b0 < 0 or c.year <= t0:
        return _checks(_NAN, _NAN, achieved)  # values of both signs: the growth ratio does not exist
    cagr_o = (yi / b0) ** (1 / (ti - t0)) - 1
    cagr_r = (goal / b0) ** (1 / (c.year - t0)) - 1
    d, sign = (1 if c.tg.op == ">=" else -1), (-1 if b0 < 0 else 1)
    ratio = sign * d * cagr_o / abs(cagr_r) if cagr_r != 0 else _NAN
    share = (yi * (1 + cagr_o) ** (c.year - ti) - y0) / (goal - y0) if goal != y0 else _NAN
    return _checks(ratio, share, achieved)


def _official_pace(c: _Case, growth: bool) -> dict:
    """Growth-rate and cumulative targets: the observed pace (mean growth, or additions a year) in the window so far,
    or else over the latest RECENT_YEARS values, against the required pace; the share extends that pace over the
    window's unpublished years."""
    seen = c.seen
    basis = seen if len(seen) else c.hist.iloc[-RECENT_YEARS:]
    if basis.empty:
        return dict(_NO_CHECK)
    d, rest, n = (1 if c.tg.op == ">=" else -1), len(c.window) - len(seen), len(c.window)
    if growth:
        pace = float(_geo(basis.to_numpy()))
        achieved = rest == 0 and bool(c.meets(float(_geo(seen.to_numpy()))))
        needed = (1 + c.tg.value / 100) ** n - 1
        got = float(np.prod(1 + seen.to_numpy() / 100)) * (1 + pace / 100) ** rest - 1
        return _checks(d * pace / abs(c.tg.value) if c.tg.value else _NAN, got / needed if needed else _NAN, achieved)
    pace, total = float(basis.mean()), float(seen.sum())
    achieved = bool(c.meets(total)) and (c.tg.op == ">=" or rest == 0)
    if not c.tg.value:
        return _checks(_NAN, _NAN, achieved)
    return _checks(d * pace / (c.tg.value / n), (total + pace * rest) / c.tg.value, achieved)


def _official(c: _Case) -> dict:
    if c.hist.empty:
        return dict(_NO_CHECK)
    if c.tg.kind in ("rank", "milestone"):  # binary indicators: achieved or not (Open SDG, EUSTAT)
        upto = c.hist[c.hist.index <= c.year]
        if c.tg.kind == "rank":
            done = len(upto) > 0 and bool(c.meets(upto.iloc[-1]))
        else:
            done = bool(c.meets((upto.cumsum() if c.ind.flow else upto).to_numpy()).any())
        word = "target achieved" if done else "target not achieved"
        return {"eurostat_ratio": _NAN, "eurostat_category": word, "unsd_share": _NAN, "unsd_category": word}
    if c.tg.kind == "level":
        return _official_level(c)
    if c.tg.kind == "avg_growth" and c.ind.scale != "growth":
        return _official_level(c, rate=c.tg.value)
    return _official_pace(c, growth=c.tg.kind == "avg_growth")


# --- entry points ------------------------------------------------------------------------------------------------

def _round(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}") if np.isfinite(x) else _NAN


def _outlook(registry: Registry, visible: dict[str, pd.Series], tg: Target, as_of: int, seed: int, model=None,
             indicator: str | None = None, extra_values: dict | None = None) -> Outlook:
    ind_id = indicator or tg.indicator
    if ind_id not in registry.indicators:
        raise InputError(f"no indicator {ind_id!r} in the registry")
    ind, proxy = registry.indicators[ind_id], ind_id != tg.indicator
    c = _Case(tg, ind, _history(visible, ind_id, as_of, extra_values), int(as_of), seed, model)
    if proxy and ind.unit != tg.unit:
        verdict, checks = _Verdict(f"The proxy is in {ind.unit}, the target in {tg.unit}; they cannot be compared."), {}
    else:
        verdict, checks = _KINDS[tg.kind](c), _official(c)
    p = round(verdict.p, 3) if np.isfinite(verdict.p) else _NAN
    row = {"target": tg.id, "as_of": int(as_of), "latest_year": int(c.hist.index[-1]) if len(c.hist) else None,
           "latest_value": float(c.hist.iloc[-1]) if len(c.hist) else _NAN, "projected": _round(verdict.projected),
           "lo80": _round(verdict.lo80), "hi80": _round(verdict.hi80), "p_meet": p,
           "status": verdict.status or status_word(p),
           "method": (f"proxy {ind_id}: " if proxy else "") + verdict.method,
           "reason": (f"Proxy ({ind.name_en}): " if proxy else "") + verdict.reason,
           "indicator": ind_id, "kind": tg.kind, "n_obs": len(c.hist)}
    row |= {k: round(v, 3) if isinstance(v, float) and np.isfinite(v) else v
            for k, v in (_NO_CHECK | checks).items()}
    row["proxies"] = "" if proxy else "; ".join(
        _proxy_words(_outlook(registry, visible, tg, as_of, seed, indicator=p).row) for p in tg.proxies)
    measure = _MEASURE[tg.kind].format(T=tg.target_year, W=_years(c.window) if tg.window_start else "")
    return Outlook(tg, ind, int(as_of), c.hist, verdict.forecast, measure, verdict.required_path, row)


def _proxy_words(row: dict) -> str:
    """"e_pm25_zj: likely (0.81)": a proxy's verdict in the main row's proxies column."""
    p, status = row["p_meet"], row["status"]
    shown = np.isfinite(p) and status not in ("met", "missed")
    return f"{row['indicator']}: {status}" + (f" ({p:.2f})" if shown else "")


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
    """One row per target in registry order: the contract columns, then the cross-checks and the proxies."""
    return _table([o.row for o in outlooks(registry, data, as_of, seed)], CONTRACT + EXTRAS)


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
