"""Candidate forecasters for short annual series, one small function each.

Every forecaster has the same shape: `f(t, z, h) -> np.ndarray` takes the observed years `t` (integers, increasing,
gaps allowed), the values `z` on the working scale (engine.py picks log, logit or raw) and a horizon `h`, and returns
the point forecasts for the years t[-1]+1 .. t[-1]+h. Intervals are not made here: intervals.py builds them from one
error model for all candidates and calibrates it on rolling-origin errors, because model-based intervals
under-cover on yearly data (docs/method.md, "Intervals").

Why closed forms instead of statsmodels: one statsmodels ExponentialSmoothing fit of a 10-point series took
13-140 ms on the project machine (L-BFGS-B plus BLAS threads on 2 shared cores), and rolling-origin selection needs
several fits per series, so 10,000 series could not finish in 5 minutes. Drift, the linear trend and the Theta
method are exact closed forms. Damped-trend exponential smoothing is the same model statsmodels fits with
`initialization_method="estimated"` (smoothing parameters and the initial level and slope chosen by least squares);
here the initial states are solved exactly for every point of a parameter grid, which also avoids the optimiser's
catastrophic fits on short series (Nixtla's statsmodels ETS MASE of 101 on M4 yearly). ARIMA(1,1,0) with drift is the
least-squares AR(1) of the demeaned yearly changes. tests/test_models.py checks them against statsmodels.

Models that need equally spaced years (damped, Theta, ARIMA) use the latest run of consecutive years; drift and the
trend use the actual years, so a gap such as 2018-2021 and 2024 is handled without filling any value.
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelError

DAMPED_MIN_RUN = 6  # consecutive years needed to estimate the damped trend's three smoothing parameters
ARIMA_MIN_RUN = 6  # five differences for the mean change and the autocorrelation
THETA_MIN_RUN = 3
PHI_FIXED = 0.8  # damping used when the parameters cannot be estimated (Gardner & McKenzie's lower bound)

_ALPHA = np.r_[0.0, 0.05, np.linspace(0.1, 1.0, 10)]
_BETA = np.array([0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9])
_PHI = np.array([0.80, 0.85, 0.90, 0.94, 0.98, 0.995])  # statsmodels' bounds for the damping are 0.8-0.995
_GRID = np.array(np.meshgrid(_ALPHA, _BETA, _PHI, indexing="ij")).reshape(3, -1)
_SES_ALPHA = np.linspace(0.01, 1.0, 100)


class TooShort(ModelError):
    """The series, or its latest run of consecutive years, has too few points for this model."""


def latest_run(t: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The latest stretch of consecutive years: what a model that assumes equal spacing may use."""
    breaks = np.flatnonzero(np.diff(t) != 1)
    start = breaks[-1] + 1 if len(breaks) else 0
    return t[start:], z[start:]


def _need(z: np.ndarray, k: int, what: str, unit: str = "points") -> None:
    if len(z) < k:
        raise TooShort(f"{what} needs at least {k} {unit}, has {len(z)}")


def _steps(h: int) -> np.ndarray:
    return np.arange(1, h + 1, dtype=float)


def naive(t: np.ndarray, z: np.ndarray, h: int) -> np.ndarray:
    """The last value carried forward: the floor every other model must beat."""
    _need(z, 1, "naive")
    return np.full(h, z[-1], dtype=float)


def drift(t: np.ndarray, z: np.ndarray, h: int) -> np.ndarray:
    """Random walk with drift: the average change per year between the first and the last value, over actual years."""
    _need(z, 2, "drift")
    slope = (z[-1] - z[0]) / (t[-1] - t[0])
    return z[-1] + slope * _steps(h)


def trend(t: np.ndarray, z: np.ndarray, h: int) -> np.ndarray:
    """Least-squares straight line through all values, over actual years (log-linear when z is on the log scale)."""
    _need(z, 3, "trend")
    x = t - t.mean()
    slope = float(np.dot(x, z - z.mean()) / np.dot(x, x))
    return z.mean() + slope * (x[-1] + _steps(h))


def damped_fixed(t: np.ndarray, z: np.ndarray, h: int) -> np.ndarray:
    """Drift whose slope fades by PHI_FIXED a year: the damped trend with fixed parameters for 2-5 points."""
    _need(z, 2, "damped")
    slope = (z[-1] - z[0]) / (t[-1] - t[0])
    return z[-1] + slope * np.cumsum(PHI_FIXED ** _steps(h))


def _linear_filter(y: np.ndarray, alpha: np.ndarray, beta: np.ndarray, phi: np.ndarray):
    """One-step errors and final states of damped Holt for every grid point, split into the part driven by the data
    and the parts driven by a unit initial level and a unit initial slope (the recursion is linear in all three)."""
    k = alpha.size
    level = np.zeros((3, k))
    slope = np.zeros((3, k))
    level[1], slope[2] = 1.0, 1.0
    data = np.zeros((3, 1))
    errors = np.empty((len(y), 3, k))
    for i, value in enumerate(y):
        data[0, 0] = value
        fitted = level + phi * slope
        err = data - fitted
        errors[i] = err
        level = fitted + alpha * err
        slope = phi * slope + alpha * beta * err
    return errors, level, slope


def damped_fit(y: np.ndarray) -> tuple[float, float, float, float]:
    """Least-squares damped Holt on equally spaced values: (SSE, final level, final slope, phi).

    The smoothing parameters come from a grid; for each grid point the initial level and slope that minimise the
    squared one-step errors are solved exactly (the errors are linear in them)."""
    alpha, beta, phi = _GRID
    scale = max(float(np.abs(y).max()), 1e-12)  # keeps the 2x2 systems well conditioned for values like 1e12
    errors, level, slope = _linear_filter(y / scale, alpha, beta, phi)
    e0, g1, g2 = errors[:, 0], errors[:, 1], errors[:, 2]
    a11, a12, a22 = (g1 * g1).sum(0), (g1 * g2).sum(0), (g2 * g2).sum(0)
    r1, r2 = (g1 * e0).sum(0), (g2 * e0).sum(0)
    det = a11 * a22 - a12 * a12 + 1e-12
    l0 = -(a22 * r1 - a12 * r2) / det
    b0 = -(a11 * r2 - a12 * r1) / det
    sse = ((e0 + l0 * g1 + b0 * g2) ** 2).sum(0)
    k = int(np.argmin(sse))
    end_level = level[0, k] + l0[k] * level[1, k] + b0[k] * level[2, k]
    end_slope = slope[0, k] + l0[k] * slope[1, k] + b0[k] * slope[2, k]
    return float(sse[k]) * scale**2, scale * end_level, scale * end_slope, float(phi[k])


def damped(t: np.ndarray, z: np.ndarray, h: int) -> np.ndarray:
    """Damped-trend exponential smoothing (additive, Gardner-McKenzie), parameters by least squares.

    With fewer than DAMPED_MIN_RUN consecutive years the smoothing parameters cannot be estimated honestly, so the
    fixed-parameter version (damped_fixed) is used; the engine says so in the forecast notes.
    """
    _, run_z = latest_run(t, z)
    if len(run_z) < DAMPED_MIN_RUN:
        return damped_fixed(t, z, h)
    _, level, slope, phi = damped_fit(run_z)
    return level + slope * np.cumsum(phi ** _steps(h))


def theta(t: np.ndarray, z: np.ndarray, h: int) -> np.ndarray:
    """The Theta method (Assimakopoulos & Nikolopoulos 2000) in the closed form of Hyndman & Billah (2003):
    simple exponential smoothing plus half the least-squares slope, as R's forecast::thetaf. Best standard benchmark
    on M4 yearly series."""
    _, y = latest_run(t, z)
    _need(y, THETA_MIN_RUN, "theta", "consecutive years")
    n = len(y)
    x = np.arange(n, dtype=float)
    slope = float(np.dot(x - x.mean(), y - y.mean()) / np.dot(x - x.mean(), x - x.mean()))
    alpha = _SES_ALPHA
    data_part, unit_part = np.zeros_like(alpha), np.ones_like(alpha)  # SES level = data part + l0 * unit part
    err_data, err_unit = np.empty((n, alpha.size)), np.empty((n, alpha.size))
    for i, value in enumerate(y):
        err_data[i], err_unit[i] = value - data_part, -unit_part
        data_part = data_part + alpha * err_data[i]
        unit_part = unit_part + alpha * err_unit[i]
    l0 = -(err_unit * err_data).sum(0) / (err_unit * err_unit).sum(0)
    sse = ((err_data + l0 * err_unit) ** 2).sum(0)
    best = int(np.argmin(sse))
    a, level = alpha[best], data_part[best] + l0[best] * unit_part[best]
    return level + slope / 2 * (np.arange(h) + (1 - (1 - a) ** n) / a)


def arima(t: np.ndarray, z: np.ndarray, h: int) -> np.ndarray:
    """ARIMA(1,1,0) with drift: an AR(1) on the yearly changes around their mean, d_t - mu = phi (d_{t-1} - mu).

    mu is the mean change (what the drift model extrapolates) and phi the least-squares autocorrelation of the
    demeaned changes, so the forecast change starts at the last change and returns to mu geometrically: momentum
    that fades. This is the mean form statsmodels' ARIMA(1,1,0) with trend "t" estimates; the earlier free-intercept
    form (d_t = c + phi d_{t-1}, conditional least squares) let c absorb short-run swings and forecast worse on the
    benchmark's 6-14-point windows (benchmarks/RESULTS.md). The MA(1) alternative was dropped: chosen by AIC on the
    same points it still made the suite worse, and on 6-15 points the data cannot tell the two apart (Hyndman,
    R forecast #291).
    """
    _, y = latest_run(t, z)
    _need(y, ARIMA_MIN_RUN, "arima", "consecutive years")
    d = np.diff(y)
    mu = float(d.mean())
    x, x_next = d[:-1] - mu, d[1:] - mu
    denom = float(np.dot(x, x))
    phi = float(np.clip(np.dot(x, x_next) / denom, -0.98, 0.98)) if denom > 0 else 0.0
    return y[-1] + np.cumsum(mu + (d[-1] - mu) * phi ** _steps(h))


CANDIDATES = {
    "naive": naive,
    "drift": drift,
    "trend": trend,
    "damped": damped,
    "theta": theta,
    "arima": arima,
}
