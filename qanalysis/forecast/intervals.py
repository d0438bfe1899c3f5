"""How uncertain a forecast is: the error model, its calibration on rolling-origin errors, and the sample paths.

`engine` chooses the point forecast on the working scale (logit, log, log(1+x) or raw); this module puts the
uncertainty around it, on the same scale. The error model is a random walk with drift fitted to the changes between
observed years, with one Student-t scale of nu degrees of freedom per path (nu = number of changes - 1, at least 1),
so each horizon's marginal is exactly t: the interval is a t quantile and the seeded sample paths have exactly that
distribution, so paths and intervals agree. For 6+ points the scale is calibrated per horizon on the standardised
rolling-origin errors that `engine` collects while scoring the candidates, and narrowed for smooth series
(`change_autocorrelation`). Kept apart from model choice because the two are judged differently: the point forecast
by MASE, the interval by coverage (benchmarks/accuracy.py). Each series' error model uses that series only: pooling
the variance across peer series (empirical Bayes) was measured by benchmarks/pooling.py and left out, because it
made the 80 % intervals of 2-5-point series cover 63-77 % instead of 82.8 % (or, keeping each series' own degrees
of freedom, changed little) for a Brier score better by 0.001 at most.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from .notes import Note

FLOOR = {"logit": 0.01, "log": 0.01, "log(1+x)": 0.01}  # smallest yearly variability assumed on each scale
LEVELS = (0.025, 0.1, 0.9, 0.975)  # the 95% and 80% bands
# Calibration constants of the 6+ tier (`calibrate`, `pooled_df`), chosen on the calibration half of the benchmark's
# series only (benchmarks/calibrate.py prints the grid) and judged on the other half (benchmarks/RESULTS.md). Before,
# the weight was 1.0 and there was no cap, tuned on a benchmark that was mostly smooth fertility series: on M3,
# tourism, GDP and energy series the 80 % intervals covered 73-81 % and the 95 % ones 88-93 %.
PRIOR_SCALE = 1.0  # the interval scale a series' own rolling-origin evidence is shrunk toward
PRIOR_WEIGHT = 0.1  # how much that prior weighs, in units of the series' own degrees of freedom nu
POOL_LONGER = True  # horizon j's scale pools the errors at horizons >= j (False: at horizon j only)
DF_MAX: int | None = 3  # most degrees of freedom the 6+ tier's t may have (None: no cap)
SMOOTH_SHRINK = 0.45  # the 6+ tier's scale is multiplied by exp(-SMOOTH_SHRINK x rho) (`change_autocorrelation`)


@dataclass(frozen=True)
class ErrorModel:
    """Forecast-error model on the working scale: a random walk (variance `walk` a year) plus the drift's own
    uncertainty (variance `drift` per year squared), with one Student-t scale of `nu` degrees of freedom shared by
    all horizons of a path, so each horizon's marginal is exactly t.

    Why a random walk for every model: errors of yearly forecasts accumulate, and on 6-15 points the data cannot
    tell a random walk from a noisy stable series. A split into lasting shifts and passing noise (REML of the
    local-level model) was tried: its 80% intervals covered only 64-74% at n = 8 on random-walk, white-noise and
    mixed series, while this model covered 79% on random walks and more on the others (conservative, never short).
    """

    walk: float
    drift: float
    nu: int

    def sd(self, steps: np.ndarray) -> np.ndarray:
        return np.sqrt(steps * self.walk + steps**2 * self.drift)

    def reference(self, steps: np.ndarray, span: float) -> np.ndarray:
        """The scale a forecast from an earlier origin (data spanning `span` years) is measured against: the walk
        over `steps` years plus the drift error of that shorter span, so rolling-origin errors are standardised."""
        return np.sqrt(self.walk * (steps + steps**2 / float(span)))


def fit_errors(t: np.ndarray, z: np.ndarray, scale: str) -> ErrorModel:
    """Fit the random walk with drift to the changes between observed years t of the values z on the working
    `scale` (gaps allowed: a change over g years has variance g * walk). With one change, its size per sqrt(year) is
    the only scale there is (1 df). A floor keeps a constant or exactly linear series from a zero-width interval."""
    g = np.diff(t).astype(float)
    span = float(t[-1] - t[0])
    if len(g) == 1:
        walk = float(z[1] - z[0]) ** 2 / span
    else:
        walk = float(np.sum((np.diff(z) - (z[-1] - z[0]) / span * g) ** 2 / g)) / (len(g) - 1)
    floor = FLOOR.get(scale, 1e-2 * max(1.0, float(np.mean(np.abs(z)))))
    walk = max(walk, floor**2)
    return ErrorModel(walk, walk / span, max(len(g) - 1, 1))


def change_autocorrelation(t: np.ndarray, z: np.ndarray) -> float:
    """Lag-1 autocorrelation of the yearly changes around their mean (the random walk with drift's residuals), in
    [-1, 1]; 0 when there are fewer than three changes or they are all equal.

    Why it matters for the interval: it is observable in any training window and says how smooth a series is.
    Smoothed or interpolated series (the World Bank's fertility estimates) have changes that drift slowly, so the
    models that follow momentum forecast them better than the random-walk scale assumes. On the calibration half of
    the benchmark the 6+ tier's 80 % intervals covered 77.6 % of the windows in the lowest fifth of rho (below
    -0.29) and 86.2 % in the highest (above 0.37), with the same rise inside every source (M3 74 -> 83 %,
    fertility 75 -> 88 %), so it is smoothness, not the source, that the interval missed."""
    if len(z) < 4:
        return 0.0
    per_year = np.diff(z) / np.diff(t)
    x = per_year - per_year.mean()
    denom = float(np.dot(x, x))
    if denom <= 1e-12 * float(np.dot(per_year, per_year)) or denom == 0:  # equal changes up to rounding
        return 0.0
    return float(np.clip(np.dot(x[:-1], x[1:]) / denom, -1.0, 1.0))


def calibrate(err: ErrorModel, u2: list[tuple[int, int, float]], h: int, notes: list[Note],
              prior: float | None = None, weight: float | None = None, pool_longer: bool | None = None,
              rho: float = 0.0, smooth: float | None = None) -> np.ndarray:
    """Interval scale per horizon from the rolling-origin errors (origin, horizon, squared standardised error),
    shrunk toward the prior scale (PRIOR_SCALE), times exp(-SMOOTH_SHRINK x rho) for the series' smoothness `rho`
    (`change_autocorrelation`).

    For horizon j the squared standardised errors at horizons >= j (or the longest evaluated; only at horizon j
    without POOL_LONGER) are averaged, then weighted against the prior: PRIOR_WEIGHT x nu for the prior, one per
    origin that contributed. Pooling the longer horizons lets a series whose errors grow faster than a random walk's
    (momentum) widen its far intervals. A light prior lets each series' own errors decide: smooth series
    (fertility) get narrower intervals, series whose trend breaks (M3, tourism) wider ones; with the prior at nu
    (weight 1) the fertility intervals were too wide and the M3 ones too narrow on the calibration half. `prior`,
    `weight`, `pool_longer` and `smooth` override the module's constants (benchmarks/calibrate.py tries
    alternatives).

    Why the smoothness term: with the scale from the rolling-origin errors alone the 80 % intervals of the smoothest
    series were too wide (fertility covered 85 % on the calibration half, 87 % on the report half) and those of
    rough ones a little short. benchmarks/calibrate.py's grid (SMOOTH_SHRINK 0-0.6 beside the weight, the cap on the
    degrees of freedom and the prior) chose 0.45 with the other constants unchanged: every source's 80 % coverage
    within 77-85 % on the calibration half (fertility 85.0 -> 80.0 %, 14-point windows 84.6 -> 82.5 %), pooled
    80.8 % / 94.9 %. A multiplier, not a second estimate: rho is noisy on 6-14 points, and exp keeps the factor
    positive and symmetric (rough series, rho < 0, widen by as much as smooth ones narrow). Cost seen elsewhere:
    the MDG retrospective (smooth model estimates, 15 years ahead) scored a launch-vintage Brier of 0.115 with it,
    0.111 without."""
    prior = PRIOR_SCALE if prior is None else prior
    weight = PRIOR_WEIGHT if weight is None else weight
    pool_longer = POOL_LONGER if pool_longer is None else pool_longer
    smooth = SMOOTH_SHRINK if smooth is None else smooth
    factors = np.ones(h)
    if not u2:
        return factors
    records = np.array(u2, dtype=float)
    longest = records[:, 1].max()
    for j in range(1, h + 1):
        pick = records[:, 1] >= min(j, longest) if pool_longer else records[:, 1] == min(j, longest)
        c2, m = float(records[pick, 2].mean()), len(set(records[pick, 0].tolist()))
        w = weight * err.nu
        factors[j - 1] = np.sqrt((w * prior**2 + m * c2) / (w + m)) * np.exp(-smooth * rho)
    notes.append(Note("calibration", f"interval scale x{factors.min():.2f}-{factors.max():.2f} from rolling-origin errors"))
    return factors


def pooled_df(err: ErrorModel, u2: list[tuple[int, int, float]], df_max: int | None = -1) -> ErrorModel:
    """The error model with the degrees of freedom of the calibrated scale: the series' own nu plus one per rolling
    origin that `calibrate` pooled in, but at most DF_MAX (`df_max` overrides it; None: no cap).

    Why the cap: the scale rests mostly on a handful of rolling-origin errors of one series, and across real series
    forecast errors are heavy-tailed (a trend breaks, a level shifts). With the t at nu + origins (up to 20 df) the
    80 % intervals were about right on the calibration half but the 95 % ones covered 88-93 % on M3, tourism, GDP and
    energy series; 3 df (with PRIOR_WEIGHT 0.1) put every source's 80 % coverage within 75-85 % and the pooled 95 %
    coverage at 94 %."""
    if not u2:
        return err
    df_max = DF_MAX if df_max == -1 else df_max
    nu = err.nu + len({origin for origin, _, _ in u2})
    return replace(err, nu=nu if df_max is None else min(nu, max(df_max, 1)))


def level_cap(t: np.ndarray, y: np.ndarray, err: ErrorModel, scale: str, h: int) -> np.ndarray | None:
    """For 2-5 points on a log scale: per horizon, the sd of the original-scale random walk with drift divided by
    the working scale's, which `to_original` uses to cap how far a band or path may move; None otherwise.

    Why: with 2 or 3 points the t has 1 degree of freedom (2 points: one change; 3 points: one residual around the
    drift), whose tails are so heavy that exponentiated log-scale quantiles are astronomical: 38 -> 141.7 gave an
    upper 95 % bound near 1e34, which flowed into forecast CSVs. The same t (same df, same level) fitted to the same
    changes on the original scale, a random walk with drift in levels, is finite (at 2 points its 95 % bound four
    years on is about 57 x the one change from the point forecast) and as honest a reading of so few changes. Each
    quantile keeps the log-scale distance from the point forecast unless the original-scale one is shorter, so the
    bands stay positive and skewed where the log scale is sane and turn linear where it explodes. No pooled prior:
    only the series itself is used. Coverage on real yearly series: benchmarks/RESULTS.md (short set)."""
    if scale not in ("log", "log(1+x)") or len(y) > 5:
        return None
    steps = np.arange(1, h + 1, dtype=float)
    return fit_errors(t, y, "raw").sd(steps) / err.sd(steps)


def to_original(point: np.ndarray, dev: np.ndarray, back, cap: np.ndarray | None) -> np.ndarray:
    """Back-transform point + dev (working scale; dev per horizon in the last axis). With a cap (level_cap), the
    original-scale distance from the back-transformed point forecast is at most |dev| x that horizon's sd ratio.
    The map is monotone in dev, so the paths' quantiles are still exactly the bands."""
    out = back(point + dev)
    if cap is None:
        return out
    centre = back(point)
    linear = centre + dev * cap
    return np.where(np.abs(out - centre) > np.abs(linear - centre), linear, out)


def bands(point: np.ndarray, err: ErrorModel, factors: np.ndarray, back, cap=None) -> dict[float, np.ndarray]:
    """The exact 2.5/10/90/97.5% quantiles per horizon: t quantiles on the working scale, back-transformed (and
    capped on the original scale for short log-scale series, see level_cap)."""
    sd = err.sd(np.arange(1, len(point) + 1, dtype=float)) * factors
    return {p: to_original(point, stats.t.ppf(p, err.nu) * sd, back, cap) for p in LEVELS}


def sample_paths(err: ErrorModel, h: int, n_paths: int, seed: int) -> np.ndarray:
    """Seeded deviations from the point forecast on the working scale: a random walk plus a drift error, one t-scale
    draw per path, antithetic (each path mirrored, so the paths' median is the point forecast)."""
    rng = np.random.default_rng(seed)
    half = (n_paths + 1) // 2
    steps = np.arange(1, h + 1, dtype=float)
    walk = np.sqrt(err.walk) * np.cumsum(rng.standard_normal((half, h)), axis=1)
    drift = np.sqrt(err.drift) * rng.standard_normal((half, 1)) * steps
    dev = np.sqrt(err.nu / rng.chisquare(err.nu, (half, 1))) * (walk + drift)
    return np.vstack([dev, -dev])[:n_paths]


BAND_QUANTILES = (0.5, 0.1, 0.9, 0.025, 0.975)  # the median and the 80 % and 95 % bands


def path_quantiles(paths: np.ndarray) -> dict[str, np.ndarray]:
    """The median and the 80/95 % bands per horizon read off sample paths (rows are paths): the one way a chart's
    fan, a cumulative running sum and an assessment row turn draws into numbers, so they always agree."""
    q = np.quantile(np.asarray(paths, dtype=float), BAND_QUANTILES, axis=0)
    return {"mean": q[0], "lo80": q[1], "hi80": q[2], "lo95": q[3], "hi95": q[4]}
