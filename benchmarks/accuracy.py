"""Forecast accuracy of `qanalysis.forecast.engine.forecast_series` on short windows of real yearly series (docs/method.md).

Why this design: the project forecasts 2-15-point yearly series about four years ahead, so we cut real public yearly
series into short training windows at several rolling origins, forecast four years, and score what the briefing
relies on: point accuracy (MASE and sMAPE as defined in M4), interval coverage, and the probability that a threshold
set from training data alone is met (Brier score and a reliability table). The series come from six independent
source groups (the copies shipped inside statsmodels, and the M3, tourism, World Bank GDP and BP energy extracts
committed in benchmarks/data/; nothing is downloaded), each capped so that no source holds more than 40 % of the
windows: the first version drew 70 % of its windows from one smooth dataset (fertility) and its interval calibration
was tuned to it. Series are split by a hash of their name into a calibration half, where the interval constants of
`qanalysis.forecast.intervals` are chosen (benchmarks/calibrate.py), and a report half, which RESULTS.md reports.
The baselines are implemented here, independently of the suite's internals, so the comparison cannot share the
suite's bugs.

Run from the repository root: `.venv/bin/python benchmarks/accuracy.py [--half report|calibration] [--workers N]`.
The section between the `accuracy` markers of benchmarks/RESULTS.md (report half) or the `accuracy-calibration`
markers (calibration half) is rewritten; other sections are kept.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread per process: the pool supplies the parallelism

import argparse
import hashlib
import pickle
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.stats import norm
from statsmodels import datasets as sd
from statsmodels.tsa.arima.model import ARIMA  # imported before any fit: statsmodels sets its warning filters
from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # on import, and ours must come after them

from qanalysis.outputs import write_file
from qanalysis.report.evidence import write_section

HORIZON = 4
SEED = 2018
N_PATHS = 2000
N_THRESHOLDS = 3
K_RANGE = 2.5  # threshold offsets drawn from U(-K, K) training-growth sds: easy and hard targets alike
Z = {80: norm.ppf(0.90), 95: norm.ppf(0.975)}
BASELINES = ("naive", "drift", "theta", "ets_damped", "arima110")
SHORT_BASELINES = ("naive", "drift")
SUITE_DRIFT_MODEL = "drift"  # forecast_series(model=...) for the suite's drift-only P(meet)
TRAIN_LENGTHS = (6, 10, 14)  # the main set: every baseline can be fitted
SHORT_LENGTHS = (2, 3, 5)  # the suite's "two points" and "short (3-5)" tiers, against naive and drift only
# dataset -> (years between rolling origins, most origins per series and training length)
ORIGINS = {"fertility": (8, 2), "macro_annual": (6, 4), "grunfeld": (4, 4), "longley": (4, 4),
           "nile": (8, 10), "sunspots": (8, 10), "m3": (6, 2), "tourism": (6, 2), "gdp": (8, 2), "energy": (8, 2)}
# dataset -> source group: the unit of the 40 % cap and of the per-source tables (independent publishers)
SOURCE = {"fertility": "wb_fertility", "grunfeld": "sm_classic", "longley": "sm_classic", "macro_annual": "sm_classic",
          "nile": "sm_classic", "sunspots": "sm_classic", "m3": "m3", "tourism": "tourism", "gdp": "wb_gdp",
          "energy": "bp_energy"}
SOURCE_LABEL = {"wb_fertility": "World Bank fertility (statsmodels)", "sm_classic": "statsmodels classics",
                "m3": "M3 yearly", "tourism": "Tourism yearly", "wb_gdp": "World Bank GDP", "bp_energy": "BP energy"}
NEAR_CONSTANT = 1e-4  # a training window whose mean |change| is below this share of its mean |level| is left out
MAX_SOURCE_SHARE = 0.40  # no source group may hold more of a half's windows (main and short set each)
MAX_PER_SOURCE = 700  # and none more than this many windows per set and half (run time)
HALVES = ("calibration", "report")
SPLIT_SALT = "qanalysis-bench-2024"  # the series' hash split; changing it re-deals every series
FERTILITY_AGGREGATES = {"CAA", "LCN", "OED", "OSS", "PSS"}  # regional/income groups in the file, not countries
MACRO_SCALES = {"unemp": "share", "tbilrate": "share", "infl": "growth", "realint": "growth"}
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
EXTRACTS = {"m3": "m3_yearly", "tourism": "tourism_yearly", "gdp": "wb_gdp", "energy": "bp_energy"}


# sha256 of the CSV files inside statsmodels 0.15.0 (pinned in pyproject.toml) and of the extracts in
# benchmarks/data/ (made by make_extract.py, described in data/SOURCES.md): the figures belong to these bytes
DATA_SHA256 = {
    "fertility": "2219a1b039b2da46cb8b7fd0e1692de51851e02bfee4a996d64c75c466228e28",
    "grunfeld": "6f6ca138e645eeee6ff3e54fe5b9b498f7ddb5c484237d2a8489c524b3c94098",
    "longley": "0927ec7cc34edb5670920cb2ff1542e46de27a2010746e1662f4276cf3569a24",
    "macrodata": "d93c0d3a7a77ef83c3af14e46032bb1d02ae3a512b22ab94159a8ca226fcf708",
    "nile": "88e97bea7249e5832a85e41aec6ce4b8f7b1b14aae930c8363da7f193286b598",
    "sunspots": "f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b",
}
EXTRACT_SHA256 = {
    "m3_yearly": "6b57c7075a6c32a084ab9784292221bce387f53a1599ca47fa2f183132ebce0d",
    "tourism_yearly": "5d21bb6e3ee3fa3e6662e251b656599bf20bb439ba599b0cacfe843bbab25049",
    "wb_gdp": "df0c30fe5d5c7104c86c96e30119f8aa746fd48b1d37a3197f2084b5c3b45e61",
    "bp_energy": "533a9bde14d2039a0a444c3896ca8061f7fff9aa67d7c0506b77f56ef91c2a77",
}


def _sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def check_data() -> None:
    """Refuse to report figures for data other than the documented files (e.g. a different statsmodels)."""
    root = os.path.dirname(sd.__file__)
    for name, digest in DATA_SHA256.items():
        path = os.path.join(root, name, f"{name}.csv")
        if (found := _sha256(path)) != digest:
            raise SystemExit(f"{path}: sha256 {found}, expected {digest} (statsmodels 0.15.0); see benchmarks/README.md")
    for name, digest in EXTRACT_SHA256.items():
        path = os.path.join(DATA, f"{name}.csv.gz")
        if (found := _sha256(path)) != digest:
            raise SystemExit(f"{path}: sha256 {found}, expected {digest}; see benchmarks/data/SOURCES.md")


def half_of(dataset: str, series: str) -> str:
    """The deterministic split of series (never of windows: the windows of one series are correlated) into the
    calibration half, on which interval constants may be chosen, and the report half, which RESULTS.md reports."""
    digest = hashlib.sha256(f"{SPLIT_SALT}:{dataset}/{series}".encode()).hexdigest()
    return HALVES[int(digest[:8], 16) % 2]


@dataclass(frozen=True)
class Window:
    """One rolling-origin case: a short training window, the next HORIZON actual values, and training-only thresholds."""

    wid: int
    dataset: str
    series: str
    scale: str
    years: np.ndarray
    train: np.ndarray
    test: np.ndarray
    thresholds: np.ndarray

    @property
    def source(self) -> str:
        return SOURCE[self.dataset]


def load_extract(dataset: str) -> list[tuple[str, str, str, np.ndarray, np.ndarray]]:
    """The series of one committed extract (benchmarks/data/*.csv.gz); a series' name carries its category."""
    d = pd.read_csv(os.path.join(DATA, f"{EXTRACTS[dataset]}.csv.gz"), keep_default_na=False, na_values=[""],
                    dtype={"series": str, "category": str})
    d["category"] = d["category"].fillna("")
    out = []
    for (cat, name), g in d.groupby(["category", "series"], sort=True):
        full = np.arange(g["year"].min(), g["year"].max() + 1)  # a missing year stays missing (NaN), never filled
        values = g.set_index("year")["value"].reindex(full).to_numpy(float)
        out.append((dataset, f"{cat}/{name}" if cat else name, "level", full.astype(int), values))
    return out


def load_series() -> list[tuple[str, str, str, np.ndarray, np.ndarray]]:
    """(dataset, series, scale, years, values) for every yearly series used: the statsmodels 0.15 copies and the
    committed extracts."""
    out = []
    fert = sd.fertility.load_pandas().data
    years = [c for c in fert.columns if c.isdigit()]
    for _, row in fert[~fert["Country Code"].isin(FERTILITY_AGGREGATES)].iterrows():
        out.append(("fertility", row["Country Code"], "level", np.array(years, int), row[years].to_numpy(float)))
    grun = sd.grunfeld.load_pandas().data
    for firm, g in grun.groupby("firm", sort=True):
        for var in ("invest", "value", "capital"):
            out.append(("grunfeld", f"{firm}/{var}", "level", g["year"].to_numpy(int), g[var].to_numpy(float)))
    lon = sd.longley.load_pandas().data
    for var in ("TOTEMP", "GNPDEFL", "GNP", "UNEMP", "ARMED", "POP"):
        out.append(("longley", var, "level", lon["YEAR"].to_numpy(int), lon[var].to_numpy(float)))
    mac = sd.macrodata.load_pandas().data
    full = mac.groupby("year").filter(lambda g: len(g) == 4)  # 2009 has three quarters only: dropped
    annual = full.drop(columns="quarter").groupby("year").mean()  # annual mean of quarterly (annualised) levels
    for var in annual.columns:
        out.append(("macro_annual", var, MACRO_SCALES.get(var, "level"), annual.index.to_numpy(int), annual[var].to_numpy(float)))
    nile = sd.nile.load_pandas().data
    out.append(("nile", "volume", "level", nile["year"].to_numpy(int), nile["volume"].to_numpy(float)))
    sun = sd.sunspots.load_pandas().data
    out.append(("sunspots", "activity", "level", sun["YEAR"].to_numpy(int), sun["SUNACTIVITY"].to_numpy(float)))
    for dataset in EXTRACTS:
        out += load_extract(dataset)
    return out


def _rank(dataset: str, series: str, n_train: int, end: int) -> str:
    return hashlib.sha256(f"{SPLIT_SALT}:{dataset}/{series}/{n_train}/{end}".encode()).hexdigest()


def source_cap(counts: dict[str, int], share: float = MAX_SOURCE_SHARE, most: int = MAX_PER_SOURCE) -> int:
    """The largest per-source number of windows c (at most `most`) with c <= share x the windows kept when every
    source is cut to c: no source then holds more than `share` of the set."""
    cap = min(most, max(counts.values(), default=0))
    while cap > 0 and cap > share * sum(min(n, cap) for n in counts.values()):
        cap -= 1
    return cap


def make_windows(h: int, threshold_fn, half: str | None = None) -> tuple[list[Window], dict]:
    """Rolling origins backwards from the last year with h actuals, per dataset step; incomplete windows skipped.
    Only the series of `half` (None: all); then each source is cut to the same cap per set (main, short), keeping
    the windows first in a hash order, so that no source holds more than MAX_SOURCE_SHARE of a set."""
    cands, skipped = [], {"missing values": 0, "(near-)constant training window": 0}
    for dataset, series, scale, years, values in load_series():
        if half is not None and half_of(dataset, series) != half:
            continue
        step, most = ORIGINS[dataset]
        last = np.flatnonzero(~np.isnan(values))[-1] + 1 if not np.isnan(values).all() else 0
        years, values = years[:last], values[:last]  # origins count back from the last published year
        for n_train in SHORT_LENGTHS + TRAIN_LENGTHS:
            ends = [e for e in range(len(values) - h, n_train - 1, -step)][:most]
            for end in ends:
                train, test = values[end - n_train:end], values[end:end + h]
                if np.isnan(train).any() or np.isnan(test).any():
                    skipped["missing values"] += 1
                    continue
                if np.mean(np.abs(np.diff(train))) <= NEAR_CONSTANT * np.mean(np.abs(train)):
                    skipped["(near-)constant training window"] += 1  # MASE scale (near) zero: one window's
                    continue  # MASE would swamp the mean (Singapore's GDP 2018-19 moved 0.002 %)
                cands.append((dataset, series, scale, years[end - n_train:end], train, test, end, len(cands)))
    kept, caps = [], {}
    for name, lengths in (("main", TRAIN_LENGTHS), ("short", SHORT_LENGTHS)):
        pool = [c for c in cands if len(c[4]) in lengths]
        by_source: dict[str, list] = {}
        for c in pool:
            by_source.setdefault(SOURCE[c[0]], []).append(c)
        caps[name] = cap = source_cap({k: len(v) for k, v in by_source.items()})
        for k, v in by_source.items():
            chosen = sorted(v, key=lambda c: _rank(c[0], c[1], len(c[4]), c[6]))[:cap]
            skipped[f"over the {name}-set cap ({k})"] = len(v) - len(chosen)
            kept += chosen
    kept.sort(key=lambda c: c[7])  # back in load order: the windows of one series stay together
    windows = [Window(wid, *c[:6], threshold_fn(c[4], h, wid)) for wid, c in enumerate(kept)]
    skipped = {k: v for k, v in skipped.items() if v}
    return windows, {"skipped": skipped, "caps": caps, "half": half, "candidates": len(cands)}


@dataclass(frozen=True)
class Pred:
    """A point forecast with optional central 80 % and 95 % intervals, all arrays of length HORIZON."""

    mean: np.ndarray
    lo80: np.ndarray | None = None
    hi80: np.ndarray | None = None
    lo95: np.ndarray | None = None
    hi95: np.ndarray | None = None



def cached(path: str | None, make: Callable[[], list]) -> list:
    """The prepared windows from the pickle at `path` when it exists, else `make()` (written to `path` when one is
    given): preparing the windows takes minutes, the experiments the tuning scripts run on them seconds."""
    if path and os.path.exists(path):
        with open(path, "rb") as fh:
            return pickle.load(fh)
    items = make()
    if path:  # whole or not at all: a run stopped mid-write must not leave a pickle the next run trips on
        write_file(Path(path), pickle.dumps(items))
    return items


def main_windows(half: str) -> list[Window]:
    """The main set's windows (TRAIN_LENGTHS points) of one half."""
    windows, _ = make_windows(HORIZON, thresholds, half)
    return [w for w in windows if len(w.train) in TRAIN_LENGTHS]

def _gauss(mean: np.ndarray, sd: np.ndarray) -> Pred:
    return Pred(mean, mean - Z[80] * sd, mean + Z[80] * sd, mean - Z[95] * sd, mean + Z[95] * sd)


def naive(y: np.ndarray, h: int) -> Pred:
    """Random walk: last value; sd from the one-step changes (fpp3 §5.5)."""
    sigma = np.sqrt(np.mean(np.diff(y) ** 2))
    return _gauss(np.full(h, y[-1]), sigma * np.sqrt(np.arange(1, h + 1)))


def drift(y: np.ndarray, h: int) -> Pred:
    """Random walk with drift; the interval includes the drift estimate's own uncertainty (h^2 sigma^2 / (n-1))."""
    n, steps = len(y), np.arange(1, h + 1)
    slope = (y[-1] - y[0]) / (n - 1)
    if n < 3:
        return Pred(y[-1] + slope * steps)  # one change: no residual left to estimate sigma
    resid = np.diff(y) - slope
    sigma = np.sqrt(np.sum(resid**2) / (n - 2))
    return _gauss(y[-1] + slope * steps, sigma * np.sqrt(steps * (1 + steps / (n - 1))))


def _yearly(y: np.ndarray) -> pd.Series:
    return pd.Series(y, index=pd.period_range("2000", periods=len(y), freq="Y"))


def _ses_sse(alpha: float, y: np.ndarray) -> float:
    level, sse = y[0], 0.0
    for v in y[1:]:
        sse += (v - level) ** 2
        level += alpha * (v - level)
    return sse


def theta(y: np.ndarray, h: int) -> Pred:
    """Classic Theta (Assimakopoulos & Nikolopoulos 2000) as SES with drift b0/2 (Hyndman & Billah 2003).

    Same two-step estimate as statsmodels' ThetaModel(use_mle=False): OLS slope b0, SES with the first value as the
    known initial level and alpha minimising the one-step SSE. Written out in numpy because ThetaModel's interval
    refits a SARIMAX (about 0.15 s a window here). Interval: the ARIMA(0,1,1)-with-drift form of SES with drift,
    sigma^2 (1 + (h-1) alpha^2), sigma^2 from the one-step errors of the theta forecast itself.
    """
    n, steps = len(y), np.arange(1, h + 1)
    b0 = np.polyfit(np.arange(n), y, 1)[0]
    alpha = minimize_scalar(_ses_sse, bounds=(1e-4, 1.0), args=(y,), method="bounded",
                            options={"xatol": 1e-8}).x
    level, errors = y[0], []
    for t, v in enumerate(y[1:], start=1):
        drift_t = 0.5 * b0 * (1 - (1 - alpha) ** t) / alpha  # the theta trend term one step ahead at time t
        errors.append(v - (level + drift_t))
        level += alpha * (v - level)
    mean = level + 0.5 * b0 * (steps - 1 + 1 / alpha - (1 - alpha) ** n / alpha)
    sigma = np.sqrt(np.mean(np.square(errors)))
    return _gauss(mean, sigma * np.sqrt(1 + (steps - 1) * alpha**2))


def ets_damped(y: np.ndarray, h: int) -> Pred:
    res = ETSModel(_yearly(y), error="add", trend="add", damped_trend=True).fit(disp=False)
    pred = res.get_prediction(start=len(y), end=len(y) + h - 1)
    f80, f95 = (pred.summary_frame(alpha=a) for a in (0.2, 0.05))
    return Pred(f80["mean"].to_numpy(), f80["pi_lower"].to_numpy(), f80["pi_upper"].to_numpy(),
                f95["pi_lower"].to_numpy(), f95["pi_upper"].to_numpy())


def arima110(y: np.ndarray, h: int) -> Pred:
    """ARIMA(1,1,0) with drift: the smallest ARIMA that adds autocorrelated growth to the drift model."""
    fc = ARIMA(y, order=(1, 1, 0), trend="t").fit().get_forecast(h)
    ci80, ci95 = fc.conf_int(alpha=0.2), fc.conf_int(alpha=0.05)
    return Pred(np.asarray(fc.predicted_mean), ci80[:, 0], ci80[:, 1], ci95[:, 0], ci95[:, 1])


FITTERS = {"naive": naive, "drift": drift, "theta": theta, "ets_damped": ets_damped, "arima110": arima110}


def thresholds(y: np.ndarray, h: int, wid: int) -> np.ndarray:
    """Thresholds from the training window only: the growth-extrapolated value +/- k training sds of growth.

    Multiplicative (T = last * (1 + r)) when the window is positive, additive otherwise (rates that cross zero).
    """
    k = np.random.default_rng([SEED, wid]).uniform(-K_RANGE, K_RANGE, size=N_THRESHOLDS)
    if np.all(y > 0):
        g = y[1:] / y[:-1] - 1
        return y[-1] * ((1 + g.mean()) ** h + k * _spread(g) * np.sqrt(h))
    d = np.diff(y)
    return y[-1] + h * d.mean() + k * _spread(d) * np.sqrt(h)


def _spread(x: np.ndarray) -> float:
    """Sample sd of the training changes; with a single change (2 points) its size is the only spread there is."""
    return float(x.std(ddof=1)) if len(x) > 1 else float(abs(x[0]))


def _suite(w: Window) -> tuple[dict, dict, dict]:
    """The suite's automatic forecast and its drift-only forecast, with P(meet) of each threshold from the paths."""
    from qanalysis.forecast.engine import InsufficientData, forecast_series

    preds, probs, info = {}, {}, {}
    for name, model in (("suite", None), ("suite_drift", SUITE_DRIFT_MODEL)):
        try:
            f = forecast_series(w.years, w.train, HORIZON, scale=w.scale, seed=w.wid, n_paths=N_PATHS, model=model)
        except InsufficientData as exc:
            info[f"{name}_fail"] = f"InsufficientData: {exc}"
            continue
        preds[name] = Pred(np.asarray(f.mean, float), np.asarray(f.lo80, float), np.asarray(f.hi80, float),
                           np.asarray(f.lo95, float), np.asarray(f.hi95, float))
        probs[name] = np.mean(np.asarray(f.paths)[:, HORIZON - 1][:, None] >= w.thresholds[None, :], axis=0)
        info[f"{name}_model"], info[f"{name}_tier"] = str(f.model), str(f.tier)
    return preds, probs, info


def _fit_baselines(y: np.ndarray) -> tuple[dict, dict]:
    """Every baseline on one window. A fit that raises is recorded by exception type and left out, never hidden."""
    preds, fails = {}, {}
    for name, fit in FITTERS.items():
        if len(y) < min(TRAIN_LENGTHS) and name not in SHORT_BASELINES:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # statsmodels convergence chatter on 6-point series
                p = fit(y, HORIZON)
        except (ValueError, np.linalg.LinAlgError) as exc:
            fails[name] = type(exc).__name__
            continue
        if not np.all(np.isfinite(p.mean)):
            fails[name] = "non-finite forecast"
            continue
        preds[name] = p
    if all(m in preds for m in ("theta", "ets_damped", "arima110")):
        preds["comb"] = Pred(np.mean([preds[m].mean for m in ("theta", "ets_damped", "arima110")], axis=0))
    return preds, fails


def _score(w: Window, preds: dict) -> dict:
    """Per-method MASE, sMAPE, MAE, coverage flags and scaled interval scores for one window."""
    scale = np.mean(np.abs(np.diff(w.train)))
    out = {}
    for name, p in preds.items():
        err = np.abs(w.test - p.mean)
        denom = np.abs(w.test) + np.abs(p.mean)
        ratio = np.divide(err, denom, out=np.zeros_like(err), where=denom > 0)
        row = {"mase": err.mean() / scale, "smape": 200 * ratio.mean(), "mae": err.mean()}
        for level, lo, hi in ((80, p.lo80, p.hi80), (95, p.lo95, p.hi95)):
            if lo is None:
                continue
            alpha = 1 - level / 100
            inside = (w.test >= lo) & (w.test <= hi)
            penalty = (2 / alpha) * (np.clip(lo - w.test, 0, None) + np.clip(w.test - hi, 0, None))
            row[f"cov{level}"] = inside.astype(float)
            row[f"is{level}"] = np.mean(hi - lo + penalty) / scale
        out[name] = row
    return out


def evaluate(w: Window, with_suite: bool = True) -> dict:
    """All methods on one window: scores, P(meet) per threshold, outcomes, failures."""
    preds, fails = _fit_baselines(w.train)
    suite_preds, probs, info = _suite(w) if with_suite else ({}, {}, {})
    preds.update(suite_preds)
    if "drift" in preds and preds["drift"].hi95 is not None:
        d = preds["drift"]
        sd = (d.hi95[-1] - d.lo95[-1]) / (2 * Z[95])
        probs["drift_gauss"] = norm.sf((w.thresholds - d.mean[-1]) / sd) if sd > 0 else (d.mean[-1] >= w.thresholds) * 1.0
    return {"wid": w.wid, "dataset": w.dataset, "source": w.source, "series": w.series, "n_train": len(w.train),
            "train": w.train,
            "test": w.test, "suite_mean": preds["suite"].mean if "suite" in preds else None,
            "scores": _score(w, preds), "fails": fails, "probs": probs,
            "outcome": (w.test[HORIZON - 1] >= w.thresholds).astype(float), "info": info}


def _evaluate_chunk(chunk: list[Window], with_suite: bool) -> list[dict]:
    return [evaluate(w, with_suite) for w in chunk]


def run(windows: list[Window], workers: int, with_suite: bool) -> list[dict]:
    """Evaluate every window, over a process pool when workers > 1; results come back in window order."""
    chunks = [windows[i:i + 25] for i in range(0, len(windows), 25)]
    if workers <= 1:
        return [r for c in chunks for r in _evaluate_chunk(c, with_suite)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [r for rs in pool.map(_evaluate_chunk, chunks, [with_suite] * len(chunks)) for r in rs]


# ---------------------------------------------------------------------------------------------------- report

BANDS = (("very unlikely (p <= 0.10)", lambda p: p <= 0.10), ("unlikely (0.10 < p <= 0.33)", lambda p: (p > 0.10) & (p <= 0.33)),
         ("about as likely as not (0.33 < p < 0.66)", lambda p: (p > 0.33) & (p < 0.66)),
         ("likely (0.66 <= p < 0.90)", lambda p: (p >= 0.66) & (p < 0.90)), ("very likely (p >= 0.90)", lambda p: p >= 0.90))


def md_table(header: list[str], rows: list[list]) -> str:
    def cell(v):
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) >= 1e5 else f"{v:.3f}"
        return str(v)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows])


def _frame(results: list[dict], methods: tuple) -> pd.DataFrame:
    """One row per (window, method) on the windows where every method in `methods` produced a forecast."""
    rows = []
    for r in results:
        if all(m in r["scores"] for m in methods):
            for m in methods:
                s = r["scores"][m]
                rows.append({"wid": r["wid"], "dataset": r["dataset"], "source": r["source"], "series": r["series"],
                             "n_train": r["n_train"], "method": m,
                             "mase": s["mase"], "smape": s["smape"], "mae": s["mae"],
                             **{k: s[k] for k in ("is80", "is95") if k in s},
                             **{f"{k}_h{i + 1}": v for k in ("cov80", "cov95") if k in s for i, v in enumerate(s[k])}})
    return pd.DataFrame(rows)


def _point_table(df: pd.DataFrame, methods: tuple) -> tuple[str, dict]:
    g = df.groupby("method")
    mase, smape = g["mase"].mean(), g["smape"].mean()
    piv = df.pivot(index="wid", columns="method", values="mae")
    rows = []
    for m in methods:
        rel = (piv[m] / piv["drift"]).replace([np.inf, 0], np.nan).dropna()
        rows.append([m, int(g.size()[m]), float(mase[m]), float(g["mase"].median()[m]), float(smape[m]),
                     float(mase[m] / mase["drift"]), float(smape[m] / smape["drift"]), float(np.exp(np.log(rel).mean())),
                     float(np.mean(piv[m] > 2 * piv["drift"]))])
    head = ["method", "windows", "mean MASE", "median MASE", "mean sMAPE", "MASE / drift", "sMAPE / drift",
            "geo-mean MAE ratio vs drift", "share of windows with MAE > 2 x drift"]
    return md_table(head, rows), {m: float(mase[m]) for m in methods}


def _breakdown(df: pd.DataFrame, by: str, methods: tuple) -> str:
    """Mean MASE per group; by source also pooled without fertility, which is unusually smooth."""
    piv = df.pivot_table(index=by, columns="method", values="mase", aggfunc="mean")
    n = df[df["method"] == methods[0]].groupby(by).size()
    rows = [[k, int(n[k])] + [float(piv.loc[k, m]) for m in methods] for k in piv.index]
    if by == "source":
        rest = df[df["source"] != "wb_fertility"]
        means = rest.groupby("method")["mase"].mean()
        rows.append(["all but fertility", int((rest["method"] == methods[0]).sum())] + [float(means[m]) for m in methods])
    return md_table([by, "windows"] + list(methods), rows)


def _paired_ci(df: pd.DataFrame, a: str, b: str, reps: int = 2000) -> str:
    """Mean MASE difference a - b with a 95 % bootstrap interval that resamples whole series (windows of one series
    are correlated), so a near-tie is reported as one."""
    piv = df.pivot_table(index=["dataset", "series", "wid"], columns="method", values="mase")
    diff = (piv[a] - piv[b]).groupby(level=["dataset", "series"])
    sums, counts = diff.sum().to_numpy(), diff.size().to_numpy()
    idx = np.random.default_rng(SEED).integers(0, len(sums), size=(reps, len(sums)))
    boot = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return f"{sums.sum() / counts.sum():+.3f} (95 % interval {lo:+.3f} to {hi:+.3f}, {len(sums)} series resampled)"


def _coverage_by(df: pd.DataFrame, by: str, h: int, methods: tuple) -> str:
    """80 % coverage per dataset or length: smooth demographic series and noisy firm data fail intervals differently."""
    cols = [f"cov80_h{i}" for i in range(1, h + 1)]
    sub = df.dropna(subset=cols[:1])
    cov = sub.assign(c80=sub[cols].mean(axis=1)).pivot_table(index=by, columns="method", values="c80", aggfunc="mean")
    shown = [m for m in methods if m in cov.columns]
    return md_table([by] + shown, [[k] + [float(cov.loc[k, m]) if np.isfinite(cov.loc[k, m]) else "-" for m in shown]
                                   for k in cov.index])


def _interval_table(df: pd.DataFrame, h: int) -> tuple[str, str, dict]:
    cov = {}
    rows, by_h = [], []
    for m, g in df.groupby("method", sort=False):
        if "is80" not in g or g["is80"].isna().all():
            continue
        c80 = np.nanmean(g[[f"cov80_h{i}" for i in range(1, h + 1)]].to_numpy())
        c95 = np.nanmean(g[[f"cov95_h{i}" for i in range(1, h + 1)]].to_numpy())
        cov[m] = (float(c80), float(c95))
        rows.append([m, float(c80), float(c95), float(g["is80"].median()), float(g["is95"].median()),
                     float(g["is95"].mean())])
        by_h.append([m] + [float(g[f"cov80_h{i}"].mean()) for i in range(1, h + 1)]
                    + [float(g[f"cov95_h{i}"].mean()) for i in range(1, h + 1)])
    head_h = ["method"] + [f"80% h={i}" for i in range(1, h + 1)] + [f"95% h={i}" for i in range(1, h + 1)]
    return (md_table(["method", "coverage 80%", "coverage 95%", "median scaled IS 80%", "median MSIS 95%",
                      "mean MSIS 95%"], rows),
            md_table(head_h, by_h), cov)


def _prob_frame(results: list[dict], keys: tuple) -> pd.DataFrame:
    """One row per (window, threshold) where every source in `keys` gave a P(meet)."""
    rows = []
    for r in results:
        if all(k in r["probs"] for k in keys):
            for j, o in enumerate(r["outcome"]):
                rows.append({"wid": r["wid"], "source": r["source"], "n_train": r["n_train"], "outcome": o,
                             **{k: float(r["probs"][k][j]) for k in keys}})
    return pd.DataFrame(rows)


PROB_LABELS = {"suite": "suite (automatic)", "suite_drift": "suite, drift only", "drift_gauss": "drift baseline, Gaussian"}


def _brier_table(pf: pd.DataFrame, keys: tuple) -> str:
    """Brier score and skill against the base rate (in-sample climatology, the usual reference)."""
    o = pf["outcome"].to_numpy()
    clim = float(np.mean((o.mean() - o) ** 2))
    rows = [["climatology (base rate)", clim, 0.0]]
    for k in keys:
        b = float(np.mean((pf[k].to_numpy() - o) ** 2))
        rows.append([PROB_LABELS[k], b, 1 - b / clim])
    return md_table(["P(meet) from", "Brier score", "skill vs climatology"], rows)


def _reliability(pf: pd.DataFrame) -> str:
    edges = np.linspace(0, 1, 11)
    rows = []
    for i in range(10):
        row = [f"[{edges[i]:.1f}, {edges[i + 1]:.1f}{']' if i == 9 else ')'}"]
        for k in ("suite", "suite_drift"):
            p = pf[k].to_numpy()
            sel = (p >= edges[i]) & ((p < edges[i + 1]) if i < 9 else (p <= 1))
            row += [int(sel.sum()), float(p[sel].mean()) if sel.any() else "-",
                    float(pf["outcome"].to_numpy()[sel].mean()) if sel.any() else "-"]
        rows.append(row)
    head = ["P bin", "suite n", "suite mean P", "suite observed", "drift-only n", "drift-only mean P", "drift-only observed"]
    return md_table(head, rows)


def _bands(pf: pd.DataFrame) -> str:
    """The reliability of the status words the briefing prints (IPCC scale, docs/method.md)."""
    p, o = pf["suite"].to_numpy(), pf["outcome"].to_numpy()
    rows = []
    for label, inside in BANDS:
        sel = inside(p)
        rows.append([label, int(sel.sum()), float(p[sel].mean()) if sel.any() else "-",
                     float(o[sel].mean()) if sel.any() else "-"])
    return md_table(["status band (suite P)", "cases", "mean P", "observed share met"], rows)


def _worst(results: list[dict], k: int = 8) -> str:
    """The cases behind a mean that a few windows dominate: what the suite was shown and what it forecast."""
    scored = sorted((r for r in results if "suite" in r["scores"]), key=lambda r: -r["scores"]["suite"]["mase"])[:k]
    rows = [[r["dataset"], r["series"], " ".join(f"{v:.4g}" for v in r["train"]), r["info"]["suite_model"],
             f"{r['suite_mean'][-1]:.4g}", f"{r['test'][-1]:.4g}", r["scores"]["suite"]["mase"],
             r["scores"]["drift"]["mase"]] for r in scored]
    return md_table(["dataset", "series", "training values", "suite model", "suite h=4", "actual h=4", "suite MASE",
                     "drift MASE"], rows)


def _counts(results: list[dict], key: str) -> str:
    c = pd.Series([r["info"].get(key, "(failed)") for r in results]).value_counts().sort_index()
    return ", ".join(f"{k}: {v}" for k, v in c.items())


def _failures(results: list[dict], baselines: tuple, with_suite: bool) -> str:
    rows = []
    for m in baselines:
        c = pd.Series([r["fails"][m] for r in results if m in r["fails"]]).value_counts()
        rows.append([m, int(c.sum()), ", ".join(f"{k} x{v}" for k, v in c.items()) or "-"])
    for m in ("suite", "suite_drift") if with_suite else ():
        n = sum(f"{m}_fail" in r["info"] for r in results)
        rows.append([m, n, "InsufficientData" if n else "-"])
    return md_table(["method", "windows failed", "why"], rows)


def _goals(df: pd.DataFrame, mase: dict, cov: dict, baselines: tuple) -> str:
    """The three stated goals, PASS/FAIL with the numbers behind them (strict comparisons of the means)."""
    best = min(baselines, key=mase.get)
    s, d, c80 = mase["suite"], mase["drift"], cov["suite"][0]
    rows = [["suite MASE >= 10 % below drift", f"{s:.3f} vs 0.9 x {d:.3f} = {0.9 * d:.3f} (ratio {s / d:.3f})",
             "PASS" if s <= 0.9 * d else "FAIL"],
            [f"suite MASE no worse than the best single baseline ({', '.join(baselines)})",
             f"{s:.3f} vs {best} {mase[best]:.3f}; suite - {best} = {_paired_ci(df, 'suite', best)}",
             "PASS" if s <= mase[best] else "FAIL"],
            ["suite 80 % interval coverage within 75-85 %", f"{100 * c80:.1f} % (95 %: {100 * cov['suite'][1]:.1f} %)",
             "PASS" if 0.75 <= c80 <= 0.85 else "FAIL"]]
    return md_table(["goal", "measured", "result"], rows)


def _design(results: list[dict], info: dict, h: int) -> str:
    frame = pd.DataFrame([(r["source"], r["dataset"], r["series"], r["n_train"] in TRAIN_LENGTHS) for r in results],
                         columns=["source", "dataset", "series", "main"])
    n_main, n_short = int(frame["main"].sum()), int((~frame["main"]).sum())
    rows = [[f"{SOURCE_LABEL[src]} (`{src}`)", ", ".join(sorted(g["dataset"].unique())), g["series"].nunique(),
             int(g["main"].sum()), float(g["main"].sum() / max(n_main, 1)), int((~g["main"]).sum()),
             float((~g["main"]).sum() / max(n_short, 1)),
             "; ".join(f"{d} {ORIGINS[d][0]} y / {ORIGINS[d][1]}" for d in sorted(g["dataset"].unique()))]
            for src, g in frame.groupby("source")]
    skipped = info["skipped"]
    return "\n".join([
        f"Rolling origin, horizon {h}. Training windows cut from real yearly series: the copies shipped with "
        "statsmodels 0.15 and the extracts committed in benchmarks/data/ (SOURCES.md there; nothing is downloaded). "
        f"The main set has {', '.join(map(str, TRAIN_LENGTHS))} points (every baseline fits), the short "
        f"set {', '.join(map(str, SHORT_LENGTHS))} points (the suite's short tiers, against naive and drift). "
        f"Series are split by a hash of their name into a calibration half and a report half; this is the "
        f"**{info['half']} half**. Per set, every source is cut to the same number of windows "
        f"(main {info['caps']['main']}, short {info['caps']['short']}: at most {MAX_PER_SOURCE}, and no source over "
        f"{MAX_SOURCE_SHARE:.0%} of the set), keeping the windows first in a fixed hash order. "
        "MASE scale: mean |one-step naive error| of the training window; sMAPE: M4 definition (0-200). Thresholds "
        f"(3 per window, seeded, training data only): training-growth extrapolation to h={h} +/- k sd of training "
        f"growth x sqrt({h}), k ~ U(-{K_RANGE}, {K_RANGE}); event: actual at h={h} >= threshold. Windows left out: "
        f"{', '.join(f'{k} {v}' for k, v in skipped.items())}.", "",
        md_table(["source", "datasets", "series", "main windows", "share of main", "short windows", "share of short",
                  "origin step / max origins"], rows)])


def _summary(df: pd.DataFrame, pf: pd.DataFrame | None, by: str, baselines: tuple, h: int) -> str:
    """Per group (source or training length) and pooled: the suite's mean MASE against each baseline's (ratio of
    means, as in the goals), its 80 % / 95 % coverage, and the Brier score of its P(meet) against the Gaussian
    random walk with drift and the group's base rate."""
    c80 = [f"cov80_h{i}" for i in range(1, h + 1)]
    c95 = [f"cov95_h{i}" for i in range(1, h + 1)]
    prob = pf is not None and len(pf) > 0
    gauss = prob and "drift_gauss" in pf
    rows = []
    groups = [(k, g) for k, g in df.groupby(by, sort=True)] + [("pooled", df)]
    for key, g in groups:
        mase = g.groupby("method")["mase"].mean()
        s = g[g["method"] == "suite"]
        row = [SOURCE_LABEL.get(key, key) if by == "source" else key, len(s), float(mase["suite"])]
        row += [float(mase["suite"] / mase[b]) for b in baselines]
        row += [float(np.nanmean(s[c80].to_numpy())), float(np.nanmean(s[c95].to_numpy()))]
        if prob:
            p = pf if key == "pooled" else pf[pf[by] == key]
            o = p["outcome"].to_numpy()
            row += [float(np.mean((p["suite"].to_numpy() - o) ** 2))]
            row += [float(np.mean((p["drift_gauss"].to_numpy() - o) ** 2))] if gauss else []
            row += [float(np.mean((o.mean() - o) ** 2))]
        rows.append(row)
    head = [by, "windows", "suite MASE"] + [f"suite / {b}" for b in baselines] + ["suite 80 %", "suite 95 %"]
    if prob:
        head += ["Brier suite"] + (["Brier drift Gaussian"] if gauss else []) + ["Brier base rate"]
    return md_table(head, rows)


def _goals_by_source(df: pd.DataFrame) -> str:
    """The MASE and coverage goals per source group: which are met and which are missed, group by group."""
    rows = []
    for key, g in list(df.groupby("source", sort=True)) + [("pooled", df)]:
        mase = g.groupby("method")["mase"].mean()
        s = g[g["method"] == "suite"]
        c80 = float(np.nanmean(s[[f"cov80_h{i}" for i in range(1, HORIZON + 1)]].to_numpy()))
        c95 = float(np.nanmean(s[[f"cov95_h{i}" for i in range(1, HORIZON + 1)]].to_numpy()))
        ratio = float(mase["suite"] / mase["drift"])
        rows.append([SOURCE_LABEL.get(key, key), ratio, "PASS" if ratio <= 0.9 else "FAIL", c80,
                     "PASS" if 0.75 <= c80 <= 0.85 else "FAIL", c95])
    return md_table(["source", "suite MASE / drift", "<= 0.90", "suite 80 % coverage", "within 75-85 %",
                     "suite 95 % coverage"], rows)


def _block(results: list[dict], methods: tuple, baselines: tuple, prob_keys: tuple, h: int, with_suite: bool) -> list[str]:
    """Failures, point accuracy, intervals and P(meet) calibration for one set of windows."""
    df = _frame(results, methods)
    point, mase = _point_table(df, methods)
    ivals, ivals_h, cov = _interval_table(df, h)
    versus = tuple(b for b in baselines if b != "naive") if "theta" in baselines else baselines
    pf = _prob_frame(results, prob_keys) if with_suite else None
    out = ["Failures (a window enters the comparison only if every method forecast it):", "",
           _failures(results, baselines, with_suite), "", f"Point accuracy, {df['wid'].nunique()} common windows:", "",
           point, ""]
    if with_suite:
        out += ["By source (MASE ratios are ratios of mean MASE; coverage pooled over h = 1..4; Brier of P(meet) at "
                f"h = {h}, the base rate being the group's own):", "", _summary(df, pf, "source", versus, h), "",
                "By training length (same columns):", "", _summary(df, pf, "n_train", versus, h), ""]
    out += ["Mean MASE by source:", "", _breakdown(df, "source", methods), "",
            "Mean MASE by dataset:", "", _breakdown(df, "dataset", methods), "",
            "Mean MASE by training length:", "", _breakdown(df, "n_train", methods), "",
            "Prediction intervals (coverage pooled over h = 1..4; interval scores scaled like MASE):", "", ivals, "",
            "Coverage by horizon:", "", ivals_h, "", "80 % coverage by source:", "", _coverage_by(df, "source", h, methods), "",
            "80 % coverage by dataset:", "", _coverage_by(df, "dataset", h, methods), "",
            "80 % coverage by training length:", "", _coverage_by(df, "n_train", h, methods), ""]
    if with_suite and pf is not None:
        out += [f"P(meet) at h = {h}: {len(pf)} window-thresholds, base rate {pf['outcome'].mean():.3f}:", "",
                _brier_table(pf, prob_keys), "", "Reliability (10 bins):", "", _reliability(pf), "",
                "By status word:", "", _bands(pf), "", f"Suite model choice: {_counts(results, 'suite_model')}.", "",
                f"Suite tier: {_counts(results, 'suite_tier')}.", "",
                "The suite's worst windows (largest MASE), with its forecast and the actual value at h = 4:", "",
                _worst(results), "", "Goals measured on this set:", "", _goals(df, mase, cov, baselines), "",
                "Goals by source (met and missed, group by group):", "", _goals_by_source(df), ""]
    return out


SECTION = {"report": "accuracy", "calibration": "accuracy-calibration"}


def render(results: list[dict], info: dict, args: argparse.Namespace, h: int) -> str:
    """The markdown section: design, then the main set (the goals) and the short set (the suite's short tiers)."""
    ws = not args.no_suite
    main = [r for r in results if r["n_train"] in TRAIN_LENGTHS]
    short = [r for r in results if r["n_train"] in SHORT_LENGTHS]
    suite = ("suite", "suite_drift") if ws else ()
    title = "## Accuracy" if info["half"] == "report" else \
        "## Accuracy on the calibration half (where interval constants are chosen; not the reported figures)"
    out = [title, "", f"Command: `.venv/bin/python benchmarks/accuracy.py --workers {args.workers} --half {info['half']}`"
           + ("" if ws else " --no-suite (baselines only)"), "", _design(results, info, h), "",
           f"### Main set: {', '.join(map(str, TRAIN_LENGTHS))}-point windows (the stated goals)", "",
           *_block(main, BASELINES + ("comb",) + suite, BASELINES, ("suite", "suite_drift", "drift_gauss"), h, ws),
           f"### Short set: {', '.join(map(str, SHORT_LENGTHS))}-point windows (for reference; the goals are stated "
           "on the main set)", "", "The drift baseline has no interval on 2 points (one change leaves no residual).", "",
           *_block(short, SHORT_BASELINES + suite, SHORT_BASELINES, ("suite", "suite_drift"), h, ws)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="processes (default: all cores)")
    parser.add_argument("--half", choices=HALVES, default="report",
                        help="which half of the series (default report; calibration is where constants are chosen)")
    parser.add_argument("--subset", type=int, default=0, help="evaluate every Nth window only (quick check; 0 = all)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--no-suite", action="store_true", help="baselines only (while the engine is absent)")
    parser.add_argument("--dump", help="also pickle the per-window results to this file (for re-rendering)")
    parser.add_argument("--from-dump", help="render from a --dump file instead of evaluating")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    check_data()
    if args.from_dump:
        with open(args.from_dump, "rb") as fh:
            results, info = pickle.load(fh)
    else:
        windows, info = make_windows(HORIZON, thresholds, args.half)
        if args.subset > 1:
            windows = windows[:: args.subset]
        results = run(windows, args.workers, not args.no_suite)
        if args.dump:
            with open(args.dump, "wb") as fh:
                pickle.dump((results, info), fh)
    text = render(results, info, args, HORIZON)
    print(text)
    if not args.no_write and args.subset <= 1:
        write_section(SECTION[info["half"]], text)
    print(f"wall time {time.perf_counter() - start:.1f} s with {args.workers} workers, {len(results)} windows "
          f"({info['half']} half)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
