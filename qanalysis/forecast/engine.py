"""Forecast one annual series honestly: pick or combine candidate models, around which `intervals` puts the bands.

What is done depends on how many values there are (the tier), because the evidence differs:
- 2 points: drift. One change is the only measure of year-to-year variability, so the interval is a Student-t with
  1 degree of freedom scaled by that change. Simulated random walks with drift (spans 1-5 years, trend/noise 0-2)
  put its 80% interval's coverage at 81-100%: never short, wide when the trend dominates. On a log scale its
  exponentiated tails were astronomical, so for 2-5 points each band is capped by the same t on the original scale
  (`intervals.level_cap`).
- 3-5 points: the equal-weight combination of drift, linear trend and damped drift (fixed damping), with
  random-walk-with-drift t intervals that include the drift's own uncertainty.
- 6+ points: naive, drift, trend, damped, Theta, ARIMA and the combination of Theta, damped and ARIMA (the M4-style
  three; drift is already inside Theta and ARIMA) are scored by MASE over up to N_ORIGINS rolling origins (never the
  in-sample fit). The combination stays unless, over at least MIN_ORIGINS_TO_SWITCH origins, one model's MASE is
  40% lower: on the benchmark's real yearly series (benchmarks/accuracy.py) switching more often, inverse-MASE
  weights or a best-k trimmed combination all scored worse outside the smooth fertility series. The same origins'
  standardised errors calibrate the interval scale per horizon (`intervals.calibrate`).
Models run on a scale where forecasts stay possible (logit for shares and scores, log for positive levels and
counts, log(1+x) for counts with zeros, raw for growth rates). On the log scale a series that rose (last value above
the first) has its models fitted to the original values and their forecasts mapped onto the log scale
(`_fits_values`); the log scale still carries the errors, the bands and the paths, which stay positive and skewed.
Why: fitted to the logs, every model compounds short-run growth. On the calibration half of benchmarks/accuracy.py
(main set, 3,583 windows of 6-14 points; benchmarks/point_rules.py compares the rules) the 6+ tier's mean MASE was
1.966 (1.003 x drift; 1.14 x on tourism, 1.13 x on GDP) with every model on the logs, 1.857 with every model on the
values and 1.849 (0.943 x drift) with the values for rising series only, ahead of Theta (0.958 x), ARIMA(1,1,0)
(0.960 x) and the mean of Theta, damped ETS and ARIMA (0.977 x), and better in every source than on the logs; Brier
of P(meet) 0.148 -> 0.140. On the 2-5-point windows the mean MASE went from 4.48 to 4.26 and the Brier score from
0.189 to 0.173. Falling series stay on the logs: a decline toward zero slows there, as mortality rates do, and
fitted to the values it is a straight line through zero; every series on the values made the MDG retrospective's
launch-vintage Brier score 0.203 instead of 0.111 (benchmarks/mdg_retrospective.py), falling ones on the logs keep
it at 0.111. Worse on the calibration half: the log-scale and original-scale members combined (1.903), a log-scale
damped trend beside Theta and ARIMA on the values (1.899), never switching (1.864); the switching bar at 0.4-0.7
instead of 0.6 moved the MASE by 0.002 at most, so SWITCH_GAIN was kept. A log-scale trend stays available as
model="loglinear". Every point forecast is checked: non-finite, exploding (> 10x the data range away from the last
value), compounding too far on the original scale (`_guard`) or impossible forecasts fall back to drift, then drift
on the original scale (where drift ran on a log scale), then naive, with the reason in `notes`. The error model, the
exact t intervals and the seeded sample paths (which agree with them) are in `intervals`; this module chooses,
cleans, fits and assembles the `Forecast`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..errors import ModelError
from . import intervals, models
from .notes import Note

log = logging.getLogger(__name__)

FORECAST_COLUMNS = ["series", "year", "mean", "lo80", "hi80", "lo95", "hi95", "model", "notes"]


class Tier(StrEnum):
    """How many values a series has decides what can honestly be done with it (module docstring)."""

    TWO = "two points"
    SHORT = "short (3-5)"
    FULL = "full (6+)"


TWO, SHORT, FULL = Tier.TWO, Tier.SHORT, Tier.FULL
SHORT_SET = ("drift", "trend", "damped")
FULL_SET = ("naive", "drift", "trend", "damped", "theta", "arima")
FULL_COMBINATION = ("theta", "damped", "arima")
N_ORIGINS, MIN_TRAIN, SWITCH_GAIN, MIN_ORIGINS_TO_SWITCH = 8, 4, 0.6, 5
ORIGINAL_GUARD = 5.0  # most a log-scale forecast may move a year, in data ranges per year (see _guard)
EPS_SHARE = 0.005  # a published 100 % means >= 99.5 % at whole-number precision: the logit needs a finite value


class InsufficientData(ModelError):
    """Too little data to forecast at all (no value, or only one): the message says why."""

    label = "insufficient data"  # the status word of a target that cannot be forecast (assessment.status)


@dataclass(frozen=True)
class Forecast:
    """A forecast `horizon` years past the last value: the point forecast (`mean`), the exact 80/95 % bands, the
    seeded sample paths (working-scale deviations back-transformed), the model's label, the tier, and every
    fallback, clipping and calibration step taken on the way (`notes`)."""

    years: np.ndarray
    mean: np.ndarray
    lo80: np.ndarray
    hi80: np.ndarray
    lo95: np.ndarray
    hi95: np.ndarray
    paths: np.ndarray
    model: str
    tier: Tier
    notes: tuple[Note, ...]
    fitted_on: str = ""  # the scale the point forecast was fitted on, as a method names it (_fitted_on)

    def notes_text(self) -> str:
        """The notes as one "; "-joined line, for the `notes` column of forecast and assessment files."""
        return "; ".join(n.text for n in self.notes)


@dataclass(frozen=True)
class _Scale:
    """The working scale: forward and back transforms, and the range a forecast may take on the original scale."""

    name: str
    lower: float | None = None
    upper: float | None = None

    def forward(self, y: np.ndarray) -> np.ndarray:
        if self.name == "logit":
            x = np.clip(y / 100.0, EPS_SHARE, 1 - EPS_SHARE)
            return np.log(x / (1 - x))
        if self.name == "log":
            return np.log(y)
        return np.log1p(y) if self.name == "log(1+x)" else np.asarray(y, dtype=float)

    def back(self, z: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            if self.name == "logit":
                out = 100.0 / (1.0 + np.exp(-z))
            elif self.name == "log":
                out = np.exp(np.clip(z, -700, 700))
            elif self.name == "log(1+x)":
                out = np.expm1(np.clip(z, -700, 700))
            else:
                out = np.asarray(z, dtype=float)
        return out if self.lower is None and self.upper is None else np.clip(out, self.lower, self.upper)


@dataclass(frozen=True)
class _Data:
    """One cleaned series: years t, values y, their working scale and the values z on it; `original` says that the
    models fit the original values and their forecasts are mapped onto the working scale (a rising series on the
    log scale, `_fits_values`). Rolling origins (`head`) keep the whole series' choice."""

    t: np.ndarray
    y: np.ndarray
    ws: _Scale
    original: bool = False

    @property
    def z(self) -> np.ndarray:
        return self.ws.forward(self.y)

    def head(self, k: int) -> _Data:
        return _Data(self.t[:k], self.y[:k], self.ws, self.original)


def candidate_names() -> list[str]:
    """Names accepted by forecast_series(model=...): the single models, 'loglinear' and 'combination'."""
    return [*models.CANDIDATES, "loglinear", "combination"]


def _working_scale(scale: str, y: np.ndarray, notes: list[Note]) -> _Scale:
    """Pick the scale on which the models run, so that paths can never leave the possible range."""
    if scale in ("share", "score"):
        if (y < 0).any() or (y > 100).any():
            notes.append(Note("out_of_range", f"values outside 0-100 for a {scale}; treated as 0 or 100"))
        if ((y <= 100 * EPS_SHARE) | (y >= 100 * (1 - EPS_SHARE))).any():
            notes.append(Note("moved_to_bounds", "values at 0 or 100 (or within 0.5 of them) moved to 0.5 or 99.5 so that "
                                                  "the logit exists"))
        return _Scale("logit", 0.0, 100.0)
    if scale in ("level", "count"):
        if (y > 0).all():
            return _Scale("log")
        if scale == "count" and (y >= 0).all():
            return _Scale("log(1+x)", 0.0)
        if (y >= 0).all():
            notes.append(Note("zero_raw", f"a zero in a {scale} series: modelled on the raw scale, paths cut at 0"))
            return _Scale("raw", 0.0)
        notes.append(Note("negative_raw", f"negative values in a {scale} series: modelled on the raw scale"))
        return _Scale("raw")
    if scale == "growth":
        return _Scale("raw")
    if scale == "rank":
        raise ValueError("rank series are not forecast: a rank is assessed from observations only")
    raise ValueError(f"unknown scale {scale!r}; expected share, score, level, count or growth")


def _fits_values(ws: _Scale, y: np.ndarray) -> bool:
    """Whether the models fit the original values: a rising series on the log scale (module docstring)."""
    return ws.name == "log" and len(y) > 0 and bool(y[-1] > y[0])


def _clean(years, values, scale: str, notes: list[Note]) -> _Data:
    t, y = np.asarray(years, dtype=float), np.asarray(values, dtype=float)
    if t.shape != y.shape or t.ndim != 1:
        raise ValueError("years and values must be 1-d and of the same length")
    if not np.isfinite(t).all() or (t != np.round(t)).any():
        raise ValueError(f"years must be whole numbers, got {t.tolist()}")
    keep = np.isfinite(y)
    if (~keep).any():
        gone = ", ".join(str(int(v)) for v in t[~keep])
        notes.append(Note("missing", f"{int((~keep).sum())} missing value(s) left out (years {gone})"))
    order = np.argsort(t[keep], kind="stable")
    t, y = t[keep][order].astype(int), y[keep][order]
    if (np.diff(t) == 0).any():
        raise ValueError(f"year {int(t[np.flatnonzero(np.diff(t) == 0)[0]])} appears twice")
    if len(y) < 2:
        raise InsufficientData(f"only one value ({int(t[0])}); a trend needs at least two" if len(y) else "no values")
    ws = _working_scale(scale, y, notes)
    return _Data(t, y, ws, _fits_values(ws, y))


def _guard(point: np.ndarray, d: _Data) -> str | None:
    """Why a point forecast (working scale) cannot be used; None when it can.

    Two checks. On the working scale, a move of more than 10x the data range from the last value is an explosion
    (steady exponential growth on the log scale is not). On the original scale of a log-modelled series, the move
    after j years may not exceed ORIGINAL_GUARD x j x the observed range per year: a log model compounds short-run
    growth, so 4.4, 38, 141.7 (sunspots) became 59,660 four years on and 0.8, 7.4, 18.1 (Westinghouse capital)
    4,257, while a straight line through the same values moves at most the range per year. A steady 20 % a year
    over ten points stays inside it for 8 years ahead."""
    if not np.isfinite(point).all():
        return "gave a non-finite forecast"
    if d.ws.name == "raw" and d.ws.lower == 0.0 and (point < 0).any():
        return "went below zero"
    z = d.z
    spread = float(np.ptp(z)) if np.ptp(z) > 0 else max(abs(float(z[-1])), 1.0)
    far = float(np.abs(point - z[-1]).max())
    if far > 10 * spread:
        return f"exploded (moved {far:.3g} against a data range of {spread:.3g} on the {d.ws.name} scale)"
    if d.ws.name in ("log", "log(1+x)") and np.ptp(d.y) > 0:
        per_year = float(np.ptp(d.y)) / float(d.t[-1] - d.t[0])
        move = np.abs(d.ws.back(point) - d.y[-1]) / np.arange(1, len(point) + 1)
        if move.max() > ORIGINAL_GUARD * per_year * (1 + 1e-9):  # a tie is not an explosion, whatever the rounding
            return (f"compounded too far (moved {move.max():.3g} a year on the original scale against "
                    f"{ORIGINAL_GUARD:g} x the data's range per year, {ORIGINAL_GUARD * per_year:.3g})")
    return None


def _linear_drift(d: _Data, h: int) -> np.ndarray:
    """Drift fitted on the original scale, mapped to the working scale: the fallback for a log model that compounded
    too far. It moves at most the data's range per year, so it always passes the original-scale guard."""
    raw = models.drift(d.t, d.y, h)
    if d.ws.name not in ("log", "log(1+x)") or (raw <= (0.0 if d.ws.name == "log" else -1.0)).any():
        raise ModelError("linear drift is only a fallback for log scales and must stay above zero")
    return d.ws.forward(raw)


def _fit(name: str, d: _Data, h: int) -> np.ndarray:
    """Point forecast of one named model on the working scale; raises ModelError (models.TooShort or a failed guard) with the reason."""
    if name == "linear drift":
        return _linear_drift(d, h)
    if name == "loglinear":
        if (d.y <= 0).any():
            raise models.TooShort("loglinear needs all values above zero")
        point = d.ws.forward(np.exp(models.trend(d.t, np.log(d.y), h)))
    elif d.original:
        raw = models.CANDIDATES[name](d.t, d.y, h)
        if (raw <= 0).any():
            raise ModelError(f"{name} went below zero on the original scale")
        point = d.ws.forward(raw)
    else:
        point = models.CANDIDATES[name](d.t, d.z, h)
    problem = _guard(point, d)
    if problem:
        raise ModelError(f"{name} {problem}")
    return point


def _candidates(names, d: _Data, h: int, members) -> dict[str, tuple[np.ndarray | None, str]]:
    """Point forecasts of the named candidates, each model fitted once even when it is also a combination member.
    Each entry is (forecast, label), or (None, why it failed)."""
    singles = [n for n in dict.fromkeys([*names, *(members if "combination" in names else ())]) if n != "combination"]
    out: dict[str, tuple[np.ndarray | None, str]] = {}
    for name in singles:
        try:
            out[name] = (_fit(name, d, h), name)
        except ModelError as exc:
            out[name] = (None, str(exc))
    if "combination" in names:
        used = [m for m in members if out[m][0] is not None]
        points = [p for m in used if (p := out[m][0]) is not None]
        out["combination"] = ((np.mean(points, axis=0), f"combination({', '.join(used)})")
                              if len(used) >= 2 else (None, "combination has fewer than two usable members"))
    return out


def _rolling_origin(d: _Data, horizon: int, names, err: intervals.ErrorModel):
    """MASE of every candidate over the last N_ORIGINS origins (never the in-sample fit), and the squared
    standardised errors (origin, horizon, u^2) of each for calibrating the interval. A candidate that cannot
    forecast from some origin gets an infinite MASE."""
    scores: dict[str, list[float]] = {name: [] for name in names}
    u2: dict[str, list[tuple[int, int, float]]] = {name: [] for name in names}
    z = d.z
    for k in range(max(MIN_TRAIN, len(z) - N_ORIGINS), len(z)):
        train = d.head(k)
        steps = d.t[k:] - d.t[k - 1]
        steps = steps[steps <= horizon]
        if len(steps) == 0:
            continue
        mase_scale = max(float(np.mean(np.abs(np.diff(z[:k])) / np.diff(d.t[:k]))), 1e-12)
        ref = err.reference(steps, train.t[-1] - train.t[0])
        fits = _candidates(names, train, int(steps[-1]), FULL_COMBINATION)
        for name in names:
            point = fits[name][0]
            if point is None:
                scores[name].append(np.inf)
                continue
            miss = z[k : k + len(steps)] - point[steps - 1]
            scores[name].append(float(np.mean(np.abs(miss))) / mase_scale)
            u2[name].extend(zip([k] * len(steps), steps.tolist(), ((miss / ref) ** 2).tolist()))
    return {name: float(np.mean(v)) if v else np.inf for name, v in scores.items()}, u2


def _choose_full(d: _Data, horizon: int, err: intervals.ErrorModel, notes: list[Note]):
    """Rolling-origin choice for 6+ points: the combination stays unless, over at least MIN_ORIGINS_TO_SWITCH
    origins, a single model's MASE is 40% lower. Simulated random-walk, trend and momentum series of 8 and 12 points
    had lower out-of-sample MASE and better coverage with the combination than with picking the best MASE; on the
    real series of benchmarks/accuracy.py a 40% bar beat 30% and more switching (the smooth fertility series gain
    from switching, the rest lose)."""
    names = [*FULL_SET, "combination"]
    mase, u2 = _rolling_origin(d, horizon, names, err)
    usable = {k: v for k, v in mase.items() if np.isfinite(v)}
    if len(usable) < len(names):
        notes.append(Note("selection", f"left out of the selection (no forecast from every rolling origin): "
                                       f"{', '.join(n for n in names if n not in usable)}"))
    if not usable:
        return "drift", []
    chosen = min(usable, key=lambda n: usable[n])
    few = min(N_ORIGINS, len(d.y) - MIN_TRAIN) < MIN_ORIGINS_TO_SWITCH
    if "combination" in usable and (few or usable[chosen] > SWITCH_GAIN * usable["combination"]):
        chosen = "combination"
    return chosen, u2[chosen]


def _point(name: str, d: _Data, h: int, tier: Tier, notes: list[Note]) -> tuple[np.ndarray, str]:
    """The chosen model's forecast, or drift, or drift on the original scale, or naive, saying why each step down
    was taken."""
    members = FULL_COMBINATION if tier == FULL else SHORT_SET
    fits = _candidates([name], d, h, members)
    if name == "combination":
        notes += [Note("combination", f"left out of the combination: {fits[m][1]}") for m in members
                  if fits[m][0] is None]
    point, reason = fits[name]
    if point is not None:
        if "damped" in reason and len(models.latest_run(d.t, d.z)[0]) < models.DAMPED_MIN_RUN:
            notes.append(Note("damped_fixed", f"damped trend with damping fixed at {models.PHI_FIXED} (too few "
                                              "consecutive years to estimate it)"))
        return point, reason
    log_drift = d.ws.name in ("log", "log(1+x)") and not d.original  # else drift is already linear
    chain = ("drift", "linear drift", "naive") if log_drift else ("drift", "naive")
    for fallback in [f for f in chain if f != name]:
        try:
            point = _fit(fallback, d, h)
        except ModelError as exc:
            reason = f"{reason}; {exc}"
            continue
        notes.append(Note("fallback", f"{reason}: used {fallback}"))
        return point, f"{fallback} (fallback: {reason.split(' (')[0].split('; ')[0]})"
    raise AssertionError("naive cannot fail on finite data")  # pragma: no cover


def forecast_series(years: ArrayLike, values: ArrayLike, horizon: int, scale: str = "level", seed: int = 0,
                    n_paths: int = 2000, model: str | None = None) -> Forecast:
    """Forecast one annual series `horizon` years past its last value; see the module docstring for the method.

    `scale` is the indicator's (share, score, level, count, growth); `model` forces one of candidate_names()
    instead of the tiered choice. Raises InsufficientData (a ModelError) for fewer than two values and ValueError
    for a call that breaks the contract (bad horizon, duplicate years), which is a bug in the caller."""
    if int(horizon) < 1:
        raise ValueError(f"horizon must be at least 1, got {horizon}")
    if model is not None and model not in candidate_names():
        raise ValueError(f"unknown model {model!r}; expected one of {candidate_names()}")
    h, notes = int(horizon), list[Note]()
    d = _clean(years, values, scale, notes)
    tier = FULL if len(d.y) >= 6 else SHORT if len(d.y) >= 3 else TWO
    err, u2 = intervals.fit_errors(d.t, d.z, d.ws.name), []
    name = model or {TWO: "drift", SHORT: "combination"}.get(tier)
    if name is None:
        name, u2 = _choose_full(d, h, err, notes)
    elif tier == FULL:
        u2 = _rolling_origin(d, h, [name], err)[1][name]
    point, label = _point(name, d, h, tier, notes)
    factors = (intervals.calibrate(err, u2, h, notes, rho=intervals.change_autocorrelation(d.t, d.z))
               if tier == FULL else np.ones(h))
    err = intervals.pooled_df(err, u2)
    cap = intervals.level_cap(d.t, d.y, err, d.ws.name, h)
    q = intervals.bands(point, err, factors, d.ws.back, cap)
    if d.ws.name == "raw" and d.ws.lower == 0.0:
        notes.append(Note("cut_at_zero", "paths cut at 0: the series cannot be negative"))
    paths = intervals.to_original(point, factors * intervals.sample_paths(err, h, n_paths, seed), d.ws.back, cap)
    for note in notes:
        log.debug("%s: %s", label, note.text)
    return Forecast(years=np.arange(d.t[-1] + 1, d.t[-1] + h + 1), mean=d.ws.back(point), lo80=q[0.1], hi80=q[0.9],
                    lo95=q[0.025], hi95=q[0.975], paths=paths, model=label, tier=tier, notes=tuple(notes),
                    fitted_on=_fitted_on(label, d))


def _fitted_on(label: str, d: _Data) -> str:
    """'logit', 'log', 'log(1+x)', 'raw', or 'values (bands on log)' where the point forecast was fitted on the
    original values: a rising series on the log scale (`_fits_values`), or the linear-drift fallback. A forced
    loglinear trend is fitted on the logs whatever the series does."""
    if label.startswith("loglinear"):
        return "log"
    on_values = d.original or label.startswith("linear drift")
    return f"values (bands on {d.ws.name})" if on_values else d.ws.name


def forecast_rows(series: str, years: ArrayLike, values: ArrayLike, horizon: int, seed: int = 0) -> list[list]:
    """The forecast file's rows (FORECAST_COLUMNS) for one series: one row per horizon year. A series too short to
    forecast gets empty numbers and the model column saying why. Numbers keep 6 significant digits, so files match
    across machines whose floating point differs in the last digits; `notes` says what the engine did. Every series
    gets the same seed, so a row never depends on which other series were in the file or which process ran it."""
    years, values = np.asarray(years), np.asarray(values, dtype=float)
    try:
        fc = forecast_series(years, values, horizon, seed=seed, n_paths=2)  # intervals are exact; paths unused
    except InsufficientData as exc:
        last = int(years[np.isfinite(values)].max() if np.isfinite(values).any() else years.max())
        return [[series, last + j, *[np.nan] * 5, f"{InsufficientData.label}: {exc}", ""]
                for j in range(1, int(horizon) + 1)]
    rows = []
    for j, year in enumerate(fc.years):
        numbers = [fc.mean[j], fc.lo80[j], fc.hi80[j], fc.lo95[j], fc.hi95[j]]
        rows.append([series, int(year), *[float(f"{v:.6g}") for v in numbers], fc.model, fc.notes_text()])
    return rows


def forecast_table(df: pd.DataFrame, horizon: int, seed: int = 0) -> pd.DataFrame:
    """Forecast every series of a series,year,value frame (`forecast_rows`), series in sorted order. The command
    line streams large files through `forecast.batch` instead; this is the in-memory form of the same rows."""
    rows = []
    for series, group in df.groupby("series", sort=True):
        rows += forecast_rows(series, group["year"].to_numpy(), group["value"].to_numpy(dtype=float), horizon, seed)
    return pd.DataFrame(rows, columns=FORECAST_COLUMNS)
