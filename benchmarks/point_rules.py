"""Compare point-forecast rules of the 6+ tier (members, scale, switching) on one half of accuracy.py's windows.

Why a separate script: accuracy.py runs the whole engine and every statsmodels baseline per window, which takes
4-10 minutes on the shared cores, far too slow to compare a dozen rules. Here each main-set window is prepared once:
every single model is fitted on the working scale (`w`, what the engine does: log for positive levels) and on the
original scale mapped onto the working scale (`r`), at the final origin and at each of the engine's rolling origins.
Any rule (which members the combination has, whether and when a single model replaces it) is then scored from those
forecasts in seconds, with the engine's own interval functions, so its MASE, 80 % / 95 % coverage and Brier score of
P(meet) are what forecast_series would give. The first rule (`current`) reproduces the engine as committed; check it
against RESULTS.md before trusting the others.

Run from the repository root:
`.venv/bin/python benchmarks/point_rules.py [--half calibration] [--cache F] [--baselines DUMP]`. `--baselines` takes
an `accuracy.py --dump` file of the same half, so the table can show the baselines' MASE beside each rule's. Choose on
the calibration half only; it prints, writes nothing.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import pickle
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accuracy as acc  # noqa: E402

from qanalysis.errors import ModelError  # noqa: E402
from qanalysis.forecast import engine, intervals, models  # noqa: E402

SINGLES = ("naive", "drift", "trend", "damped", "theta", "arima")
VARIANTS = ("w", "r")  # working scale; original scale mapped onto the working scale


def _single(name: str, variant: str, d, h: int) -> np.ndarray | None:
    """One model's working-scale forecast, or None where the engine would refuse it (guard or too short)."""
    try:
        if variant == "w" or d.ws.name == "raw":
            return engine._fit(name, d, h)
        raw = models.CANDIDATES[name](d.t, d.y, h)
        with np.errstate(all="ignore"):
            point = d.ws.forward(raw) if d.ws.name != "log" or (raw > 0).all() else np.full(h, np.nan)
        return None if engine._guard(point, d) else point
    except ModelError:
        return None


def _all(d, h: int) -> dict[str, np.ndarray | None]:
    return {f"{n}.{v}": _single(n, v, d, h) for n in SINGLES for v in VARIANTS}


def prepare(w: acc.Window) -> dict | None:
    """Everything a rule needs for one window: final and rolling-origin forecasts of every single model."""
    d = replace(engine._clean(w.years, w.train, w.scale, []), original=False)  # 'w': the models on the working scale
    if len(d.y) < 6:
        return None
    h = acc.HORIZON
    err = intervals.fit_errors(d.t, d.z, d.ws.name)
    z = d.z
    origins = []
    for k in range(max(engine.MIN_TRAIN, len(z) - engine.N_ORIGINS), len(z)):
        train = d.head(k)
        steps = d.t[k:] - d.t[k - 1]
        steps = steps[steps <= h]
        if len(steps) == 0:
            continue
        scale = max(float(np.mean(np.abs(np.diff(z[:k])) / np.diff(d.t[:k]))), 1e-12)
        ref = err.reference(steps, train.t[-1] - train.t[0])
        fits = {key: (None if f is None else f[steps - 1]) for key, f in _all(train, int(steps[-1])).items()}
        origins.append((k, steps, z[k:k + len(steps)], scale, ref, fits))
    return {"wid": w.wid, "source": w.source, "dataset": w.dataset, "series": w.series, "n_train": len(w.train),
            "train": w.train, "test": w.test, "thresholds": w.thresholds, "ws": d.ws, "err": err,
            "final": _all(d, h), "fallback": _fallbacks(d, h), "origins": origins, "n": len(d.y)}


def _fallbacks(d, h: int) -> list[np.ndarray]:
    out = []
    for name in ("drift", "linear drift", "naive"):
        try:
            out.append(engine._fit(name, d, h))
        except ModelError:
            continue
    return out


def _chunk(ws: list[acc.Window]) -> list[dict]:
    return [x for w in ws if (x := prepare(w)) is not None]


@dataclass(frozen=True)
class Rule:
    """A 6+ point rule: the combination's members, the singles that may replace it, and the switching bar."""

    name: str
    members: tuple[str, ...] = ("theta.w", "damped.w", "arima.w")
    singles: tuple[str, ...] = tuple(f"{n}.w" for n in SINGLES)
    gain: float = engine.SWITCH_GAIN  # 0: never switch
    min_origins: int = engine.MIN_ORIGINS_TO_SWITCH
    rising_only: bool = False  # the `.r` models only where the window rose (last value above the first), else `.w`


def _combo(fits: dict, members: tuple[str, ...]):
    used = [fits[m] for m in members if fits[m] is not None]
    return np.mean(used, axis=0) if len(used) >= 2 else None


def apply(rule: Rule, it: dict) -> tuple[np.ndarray, list]:
    """The rule's working-scale point forecast and the chosen candidate's squared standardised errors (u2)."""
    if rule.rising_only and not it["train"][-1] > it["train"][0]:
        rule = Rule(rule.name, tuple(m.replace(".r", ".w") for m in rule.members),
                    tuple(m.replace(".r", ".w") for m in rule.singles), rule.gain, rule.min_origins)
    names = [*rule.singles, "combination"] if rule.gain > 0 else ["combination"]
    scores = {n: [] for n in names}
    u2 = {n: [] for n in names}
    for k, steps, actual, scale, ref, fits in it["origins"]:
        for n in names:
            point = _combo(fits, rule.members) if n == "combination" else fits[n]
            if point is None:
                scores[n].append(np.inf)
                continue
            miss = actual - point
            scores[n].append(float(np.mean(np.abs(miss))) / scale)
            u2[n].extend(zip([k] * len(steps), steps.tolist(), ((miss / ref) ** 2).tolist()))
    mase = {n: float(np.mean(v)) if v else np.inf for n, v in scores.items()}
    usable = {n: v for n, v in mase.items() if np.isfinite(v)}
    if not usable:
        chosen = None
    else:
        chosen = min(usable, key=lambda n: usable[n])
        few = min(engine.N_ORIGINS, it["n"] - engine.MIN_TRAIN) < rule.min_origins
        if "combination" in usable and (few or usable[chosen] > rule.gain * usable["combination"]):
            chosen = "combination"
    final = it["final"]
    point = None if chosen is None else (_combo(final, rule.members) if chosen == "combination" else final[chosen])
    if point is None:
        point = final["drift.w"] if final["drift.w"] is not None else it["fallback"][0]
    return point, ([] if chosen is None else u2[chosen])


def default_interval(it: dict, point: np.ndarray, u2: list) -> tuple[np.ndarray, intervals.ErrorModel]:
    """The engine's interval factors and error model (calibrate, then pooled_df)."""
    return intervals.calibrate(it["err"], u2, acc.HORIZON, []), intervals.pooled_df(it["err"], u2)


def score(rule: Rule, it: dict, interval=default_interval) -> dict:
    """MASE (original scale), 80 % / 95 % coverage and P(meet) per threshold, as forecast_series would give them."""
    h = acc.HORIZON
    point, u2 = apply(rule, it)
    factors, err = interval(it, point, u2)
    back = it["ws"].back
    q = intervals.bands(point, err, factors, back)
    paths = intervals.to_original(point, factors * intervals.sample_paths(err, h, acc.N_PATHS, it["wid"]), back, None)
    y, mean = it["test"], back(point)
    p = np.mean(paths[:, h - 1][:, None] >= it["thresholds"][None, :], axis=0)
    return {"wid": it["wid"], "source": it["source"], "n_train": it["n_train"],
            "mase": float(np.mean(np.abs(y - mean)) / np.mean(np.abs(np.diff(it["train"])))),
            "c80": float(np.mean((y >= q[0.1]) & (y <= q[0.9]))), "c95": float(np.mean((y >= q[0.025]) & (y <= q[0.975]))),
            "brier": float(np.mean((p - (y[-1] >= it["thresholds"])) ** 2))}


RULES = [
    Rule("current"),
    Rule("no switching", gain=0.0),
    Rule("raw members", members=("theta.r", "damped.r", "arima.r")),
    Rule("raw members, no switching", members=("theta.r", "damped.r", "arima.r"), gain=0.0),
    Rule("raw members, raw singles", members=("theta.r", "damped.r", "arima.r"),
         singles=tuple(f"{n}.r" for n in SINGLES)),
    Rule("log+raw members (6)", members=("theta.w", "damped.w", "arima.w", "theta.r", "damped.r", "arima.r")),
    Rule("log+raw members (6), no switching",
         members=("theta.w", "damped.w", "arima.w", "theta.r", "damped.r", "arima.r"), gain=0.0),
    Rule("damped.w theta.r arima.r", members=("damped.w", "theta.r", "arima.r")),
    Rule("damped.w theta.r arima.r, no switching", members=("damped.w", "theta.r", "arima.r"), gain=0.0),
    Rule("theta.r damped.w arima.w", members=("theta.r", "damped.w", "arima.w")),
    Rule("gain 0.5", gain=0.5),
    Rule("gain 0.7", gain=0.7),
    Rule("gain 0.8", gain=0.8),
    Rule("min origins 7", min_origins=7),
    Rule("raw members, gain 0.5", members=("theta.r", "damped.r", "arima.r"), gain=0.5),
    Rule("raw members, gain 0.7", members=("theta.r", "damped.r", "arima.r"), gain=0.7),
    Rule("raw members + drift.w", members=("theta.r", "damped.r", "arima.r", "drift.w")),
    *[Rule(f"raw members, raw singles, gain {g}", members=("theta.r", "damped.r", "arima.r"),
           singles=tuple(f"{n}.r" for n in SINGLES), gain=g) for g in (0.4, 0.5, 0.7)],
    Rule("raw members, raw singles, min origins 7", members=("theta.r", "damped.r", "arima.r"),
         singles=tuple(f"{n}.r" for n in SINGLES), min_origins=7),
    Rule("raw members, raw singles where rising", members=("theta.r", "damped.r", "arima.r"),
         singles=tuple(f"{n}.r" for n in SINGLES), rising_only=True),
]


def table(items: list[dict], rules: list[Rule], base: pd.DataFrame | None) -> pd.DataFrame:
    rows = []
    for rule in rules:
        df = pd.DataFrame([score(rule, it) for it in items])
        if base is not None:
            df = df.merge(base, on="wid")
        for key, g in [*df.groupby("source"), *df.groupby("n_train"), ("pooled", df)]:
            row = {"rule": rule.name, "group": key, "n": len(g), "mase": g["mase"].mean(), "c80": g["c80"].mean(),
                   "c95": g["c95"].mean(), "brier": g["brier"].mean()}
            if base is not None:
                for b in ("drift", "theta", "arima110", "comb"):
                    row[f"/{b}"] = g["mase"].mean() / g[b].mean()
            rows.append(row)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=acc.HALVES, default="calibration")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cache", help="pickle of the prepared windows: read if present, else written")
    parser.add_argument("--baselines", help="accuracy.py --dump file of the same half (baseline MASE per window)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    acc.check_data()
    def prepare() -> list:
        windows = acc.main_windows(args.half)
        chunks = [windows[i:i + 50] for i in range(0, len(windows), 50)]
        if args.workers <= 1:
            return [x for c in chunks for x in _chunk(c)]
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            return [x for xs in pool.map(_chunk, chunks) for x in xs]

    items = acc.cached(args.cache, prepare)
    print(f"{len(items)} {args.half}-half main windows prepared in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    base = None
    if args.baselines:
        with open(args.baselines, "rb") as fh:
            results, _ = pickle.load(fh)
        base = pd.DataFrame([{"wid": r["wid"], **{m: r["scores"][m]["mase"] for m in ("drift", "theta", "arima110",
                                                                                      "comb", "suite")}}
                             for r in results if r["n_train"] in acc.TRAIN_LENGTHS
                             and all(m in r["scores"] for m in ("drift", "theta", "arima110", "comb", "suite"))])
        base = base.rename(columns={"suite": "suite_engine"})
    pd.set_option("display.width", 250)
    pd.set_option("display.max_rows", 500)
    out = table(items, RULES, base)
    print(out.round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
