"""How each of the five kinds of target is judged on one indicator's visible history: P(meet), projection, reason.

`level` reads the value in the target year off the forecast's seeded sample paths; `avg_growth` the geometric mean
of observed and simulated growth over the window (or the CAGR of a level series); `cumulative` observed plus
simulated annual additions over the window. `rank` and `milestone` targets are judged on observations only: a rank
or a first-ever award is not something a trend line can honestly forecast. Once the target year is observed the
verdict is `met` or `missed`. `insufficient data` always says why: no value; one value; a latest value more than
STALE_YEARS before the as-of year (too old to project from); a gap inside a growth or cumulative window (never
filled); or a target year that has passed without a published value (later values are never used to fill it).

Each judgement returns a `Verdict` whose reason is a `wording.Why` (facts, not text), so the English and Chinese
sentences are written in one place from the same numbers. `assess` turns verdicts into rows and outlooks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..forecast.engine import Forecast, Tier, forecast_series
from ..forecast.intervals import path_quantiles
from ..registry import Indicator, Kind, Target
from ..text import years_text
from .rules import RECENT_YEARS, STALE_YEARS, mean_growth, milestone_running
from .status import Status
from .wording import Why

N_PATHS = 4000  # Monte Carlo error of P(meet) at most 0.8 points
INTERVAL = {Tier.TWO: "t interval from one change (1 df)", Tier.SHORT: "t interval with drift uncertainty",
            Tier.FULL: "interval calibrated on rolling origins"}
_NAN = float("nan")


@dataclass(frozen=True)
class Verdict:
    """What one kind-specific judgement found: the reason as facts (`why`), the method, and the numbers of the row;
    `status` None means "from p via status_word"."""

    why: Why
    method: str = "none"
    status: Status | None = Status.INSUFFICIENT
    p: float = _NAN
    projected: float = _NAN
    lo80: float = _NAN
    hi80: float = _NAN
    forecast: Forecast | None = None
    required_path: pd.Series | None = None


@dataclass(frozen=True)
class Case:
    """One target judged on one indicator's visible history."""

    tg: Target
    ind: Indicator
    hist: pd.Series
    as_of: int
    seed: int = 0
    model: str | None = None
    unit_en: str | None = None  # the indicator's unit as English reasons write it (the registry's unit table)

    @property
    def year(self) -> int:
        return self.tg.target_year

    @property
    def window(self) -> list[int]:
        return list(self.tg.window or ())

    @property
    def seen(self) -> pd.Series:
        """The visible values inside the window."""
        return self.hist[self.hist.index.isin(self.window)]

    def why(self, key: str, **facts) -> Why:
        """The reason `key` with its facts, for `wording` to put into words in either language."""
        return Why(key, self.ind.unit, self.tg.op, self.tg.value, facts, self.unit_en)


def _project(c: Case) -> Forecast | Verdict:
    """A forecast to the target year, or the insufficient-data verdict saying why there can be none."""
    if c.hist.empty:
        return Verdict(c.why("no_value", as_of=c.as_of))
    last = int(c.hist.index[-1])
    if c.as_of - last > STALE_YEARS:
        return Verdict(c.why("stale", last=last, as_of=c.as_of, limit=STALE_YEARS))
    if len(c.hist) == 1:
        return Verdict(c.why("one_value", value=float(c.hist.iloc[0]), year=last))
    return forecast_series(c.hist.index.to_numpy(), c.hist.to_numpy(), c.year - last, scale=c.ind.scale, seed=c.seed,
                           n_paths=N_PATHS, model=c.model)


def _from_paths(c: Case, values: np.ndarray, fc: Forecast, how: str, key: str, required=None, **facts) -> Verdict:
    """P(meet) and the 10/50/90% quantiles of the measure over the sample paths; the reason `key` gets the facts plus
    P(meet) (`p`) and the median (`mid`)."""
    p = float(np.mean(c.tg.meets(values)))
    q = path_quantiles(values)
    mid = float(q["mean"])
    method = f"{fc.model} on {fc.fitted_on}, {len(c.hist)} points; "
    return Verdict(c.why(key, **facts, p=p, mid=mid), method + INTERVAL[fc.tier] + how, None, p, mid,
                    float(q["lo80"]), float(q["hi80"]), fc, required)


def _observed(c: Case, value: float, what: str, **facts) -> Verdict:
    """A published value decides: met or missed, with P(meet) 1 or 0 and the value as `projected`."""
    met = bool(c.tg.meets(value))
    return Verdict(c.why("observed", met=met, what=what, value=float(value), **facts), "observed",
                    Status.MET if met else Status.MISSED, float(met), float(value))


def _slope(c: Case) -> float | None:
    """The recent change a year: over the last RECENT_YEARS years when they hold two values, else the whole series;
    None when flat."""
    recent = c.hist[c.hist.index >= c.hist.index[-1] - RECENT_YEARS]
    recent = recent if len(recent) >= 2 else c.hist
    slope = (recent.iloc[-1] - recent.iloc[0]) / (recent.index[-1] - recent.index[0])
    return None if abs(slope) < 1e-9 * max(abs(recent.iloc[-1]), 1.0) else float(slope)


def _level(c: Case) -> Verdict:
    if c.year in c.hist.index:
        return _observed(c, c.hist[c.year], "value", year=c.year)
    if c.as_of >= c.year:
        return Verdict(c.why("unpublished", year=c.year))
    fc = _project(c)
    if isinstance(fc, Verdict):
        return fc
    last, latest = int(c.hist.index[-1]), float(c.hist.iloc[-1])
    required = pd.Series(np.linspace(latest, c.tg.value, c.year - last + 1),
                         index=pd.RangeIndex(last, c.year + 1, name="year"))
    return _from_paths(c, fc.paths[:, -1], fc, "", "level", required, latest=latest, last=last, slope=_slope(c),
                       need=(c.tg.value - latest) / (c.year - last), met_now=bool(c.tg.meets(latest)), year=c.year)


def _gap(c: Case, what: str, counted: float | None = None) -> Verdict | None:
    """Insufficient data when a window year before the latest value, or any window year once the target year has
    passed, is unpublished: the value is unknown and is never filled."""
    missing = [y for y in c.window if y not in c.hist.index]
    if c.as_of >= c.year and missing:
        return Verdict(c.why("gap", what=what, missing=missing, window=c.window, closed=True, counted=counted))
    inner = [y for y in missing if y < c.hist.index[-1]] if len(c.hist) else []
    if inner:
        return Verdict(c.why("gap", what=what, missing=inner, window=c.window, closed=False, counted=counted))
    return None


def _avg_growth(c: Case) -> Verdict:
    if c.ind.scale != "growth":
        return _cagr(c)
    seen = c.seen
    if len(seen) == len(c.window):
        return _observed(c, float(mean_growth(seen.to_numpy())), "growth", years=c.window)
    fc = _gap(c, "growth") or _project(c)
    if isinstance(fc, Verdict):
        return fc
    cols = [y - int(fc.years[0]) for y in c.window if y > c.hist.index[-1]]
    growth = np.column_stack([np.full((len(fc.paths), len(seen)), seen.to_numpy()), fc.paths[:, cols]])
    return _from_paths(c, mean_growth(growth), fc, "; geometric mean of observed and simulated growth", "growth",
                       latest=float(c.hist.iloc[-1]), last=int(c.hist.index[-1]), seen=[int(y) for y in seen.index],
                       seen_mean=float(mean_growth(seen.to_numpy())) if len(seen) else None, window=c.window)


def _cagr(c: Case) -> Verdict:
    """Average growth of a level series: (v_T / v_base) ** (1/N) - 1, the base being the year before the window."""
    base_year = int(c.tg.window_start or c.year) - 1  # the registry requires a window for avg_growth
    n = c.year - base_year
    if base_year not in c.hist.index or c.hist[base_year] <= 0:
        return Verdict(c.why("no_base", base_year=base_year))
    base = float(c.hist[base_year])
    if c.year in c.hist.index:
        g = 100 * ((c.hist[c.year] / base) ** (1 / n) - 1)
        return _observed(c, g, "growth", years=list(range(base_year, c.year + 1)))
    if c.as_of >= c.year:
        return Verdict(c.why("unpublished", year=c.year))
    fc = _project(c)
    if isinstance(fc, Verdict):
        return fc
    growth = 100 * ((np.maximum(fc.paths[:, -1], 0) / base) ** (1 / n) - 1)
    return _from_paths(c, growth, fc, "; growth from the level paths", "cagr", latest=float(c.hist.iloc[-1]),
                       last=int(c.hist.index[-1]), base=base, base_year=base_year)


def _cumulative(c: Case) -> Verdict:
    seen = c.seen
    total = float(seen.sum())
    if len(seen) and c.tg.op == ">=" and total >= c.tg.value:  # additions are never negative: a reached sum stays
        return _observed(c, total, "added", years=[int(y) for y in seen.index], so_far=True)
    if len(seen) == len(c.window):
        return _observed(c, total, "added", years=c.window, so_far=False)
    fc = _gap(c, "additions", counted=total) or _project(c)
    if isinstance(fc, Verdict):
        return fc
    last = int(c.hist.index[-1])
    cols = [y - int(fc.years[0]) for y in c.window if y > last]
    start = max([c.window[0] - 1, *seen.index])
    required = pd.Series(np.linspace(total, c.tg.value, c.year - start + 1),
                         index=pd.RangeIndex(start, c.year + 1, name="year"))
    return _from_paths(c, total + fc.paths[:, cols].sum(axis=1), fc, "; observed plus simulated additions",
                       "cumulative", required, latest=float(c.hist.iloc[-1]), last=last, total=total,
                       seen=[int(y) for y in seen.index], window=c.window)


def _rank(c: Case) -> Verdict:
    if c.year in c.hist.index:
        return _observed(c, c.hist[c.year], "rank", year=c.year)
    if c.hist.empty:
        return Verdict(c.why("no_rank", as_of=c.as_of))
    return Verdict(c.why("rank_unpublished", year=c.year, latest=float(c.hist.iloc[-1]),
                          last=int(c.hist.index[-1])))


def _milestone(c: Case) -> Verdict:
    """Achieved once is achieved for good: for a flow the window's running sum, for a stock any value, up to the
    target year."""
    running = milestone_running(c.tg, c.ind, c.hist)
    hit = running[c.tg.meets(running.to_numpy())]
    if len(hit):
        return Verdict(c.why("achieved", year=int(hit.index[0]), value=float(hit.iloc[0])), "observed", Status.MET,
                       1.0, float(hit.iloc[0]))
    if (c.year in c.hist.index) if not c.ind.flow else all(y in c.hist.index for y in c.window):
        return Verdict(c.why("not_achieved", year=c.year), "observed", Status.MISSED, 0.0, float(running.iloc[-1]))
    if c.as_of >= c.year:
        return Verdict(c.why("not_all_published", year=c.year))
    return Verdict(c.why("not_yet", as_of=c.as_of))


_KINDS = {Kind.LEVEL: _level, Kind.AVG_GROWTH: _avg_growth, Kind.CUMULATIVE: _cumulative, Kind.RANK: _rank,
          Kind.MILESTONE: _milestone}
_MEASURE = {Kind.LEVEL: "{T} value", Kind.AVG_GROWTH: "average annual growth {W}",
            Kind.CUMULATIVE: "sum of annual additions {W}", Kind.RANK: "rank in {T}", Kind.MILESTONE: "achieved by {T}"}


def judge(c: Case) -> Verdict:
    """The verdict for the case's kind of target."""
    return _KINDS[c.tg.kind](c)


def measure(target: Target) -> str:
    """What P(meet) is about, in words: "2022 value", "average annual growth 2019-2022", ..."""
    window = years_text(target.window) if target.window else ""
    return _MEASURE[target.kind].format(T=target.target_year, W=window)
