"""Choose the interval calibration constants of `qanalysis.forecast.intervals` on the calibration half only.

Why a separate script: the constants (PRIOR_SCALE, PRIOR_WEIGHT, POOL_LONGER, DF_MAX, SMOOTH_SHRINK) change only the width and
tails of the 6+ tier's intervals, never the point forecast, so each window's point forecast, error model and
rolling-origin errors are computed once and every candidate setting re-makes only the bands. Windows, split and caps are exactly
accuracy.py's (`make_windows(..., half="calibration")`); the report half is never read here, so the figures in
RESULTS.md (report half) are an honest test of the constants chosen.

Run from the repository root: `.venv/bin/python benchmarks/calibrate.py [--workers N]`. It prints the 80 % and 95 %
coverage per source group and pooled for the current constants and for every setting on the grid, ranked by
`score` (the largest distance of any source's 80 % coverage from the 75-85 % band plus the pooled 80 % and 95 %
distances from 80 % and 95 %). It writes nothing; the chosen values are set by hand in intervals.py. The first
benchmark's constants were prior 1.0, weight 1.0, pool_longer True, df_max None, smooth 0 (on this grid).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import itertools
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accuracy as acc  # noqa: E402  (the benchmark's windows, split and caps)

from qanalysis.forecast import engine, intervals  # noqa: E402

# prior 1.2, pool_longer False and df_max 6 never came near the top on the first grid (prior 1.0-1.2, weight 1-0.1,
# pool_longer both, df_max None-3): left out when the smoothness term was added, to keep the run under 10 minutes
GRID = {"prior": (1.0, 1.1), "weight": (1.0, 0.5, 0.25, 0.1), "pool_longer": (True,), "df_max": (None, 5, 4, 3),
        "smooth": (0.0, 0.15, 0.3, 0.45, 0.6)}


def ingredients(w: acc.Window) -> dict | None:
    """What forecast_series computes before the interval constants act (same calls, same order), for one 6+ window."""
    notes: list = []
    d = engine._clean(w.years, w.train, w.scale, notes)
    if len(d.y) < 6:
        return None
    err = intervals.fit_errors(d.t, d.z, d.ws.name)
    name, u2 = engine._choose_full(d, acc.HORIZON, err, notes)
    point, _ = engine._point(name, d, acc.HORIZON, engine.FULL, notes)
    return {"wid": w.wid, "source": w.source, "n_train": len(w.train), "test": w.test, "point": point, "err": err,
            "u2": u2, "back": d.ws.back, "cap": intervals.level_cap(d.t, d.y, err, d.ws.name, acc.HORIZON),
            "rho": intervals.change_autocorrelation(d.t, d.z)}


def _chunk(ws: list[acc.Window]) -> list[dict]:
    return [x for w in ws if (x := ingredients(w)) is not None]


def coverage(items: list[dict], prior: float, weight: float, pool_longer: bool, df_max: int | None,
             smooth: float) -> pd.DataFrame:
    """Per window: inside the 80 % / 95 % band at each horizon, with these constants."""
    rows = []
    for it in items:
        factors = intervals.calibrate(it["err"], it["u2"], acc.HORIZON, [], prior=prior, weight=weight,
                                      pool_longer=pool_longer, rho=it["rho"], smooth=smooth)
        err = intervals.pooled_df(it["err"], it["u2"], df_max=df_max)
        q = intervals.bands(it["point"], err, factors, it["back"], it["cap"])
        y = it["test"]
        rows.append({"source": it["source"], "n_train": it["n_train"],
                     "c80": float(np.mean((y >= q[0.1]) & (y <= q[0.9]))),
                     "c95": float(np.mean((y >= q[0.025]) & (y <= q[0.975])))})
    return pd.DataFrame(rows)


def summarise(cov: pd.DataFrame) -> dict:
    by = cov.groupby("source")[["c80", "c95"]].mean()
    out = {f"{k} 80": by.loc[k, "c80"] for k in by.index} | {f"{k} 95": by.loc[k, "c95"] for k in by.index}
    out |= {"pooled 80": cov["c80"].mean(), "pooled 95": cov["c95"].mean()}
    worst = float(np.max(np.maximum(0.75 - by["c80"], by["c80"] - 0.85).clip(lower=0)))
    out["score"] = worst + abs(out["pooled 80"] - 0.80) + abs(out["pooled 95"] - 0.95)
    return out


_ITEMS: list[dict] = []


def _share(items: list[dict]) -> None:
    _ITEMS[:] = items


def _setting(setting: tuple) -> dict:
    return summarise(coverage(_ITEMS, *setting))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--cache", help="pickle of the prepared windows: read if present, else written")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    acc.check_data()
    def prepare() -> list:
        windows = acc.main_windows("calibration")
        chunks = [windows[i:i + 50] for i in range(0, len(windows), 50)]
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            return [x for xs in pool.map(_chunk, chunks) for x in xs]

    items = acc.cached(args.cache, prepare)
    print(f"{len(items)} calibration-half main windows prepared in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    current = (intervals.PRIOR_SCALE, intervals.PRIOR_WEIGHT, intervals.POOL_LONGER, intervals.DF_MAX,
               intervals.SMOOTH_SHRINK)
    settings = [current, *itertools.product(*GRID.values())]
    with ProcessPoolExecutor(max_workers=args.workers, initializer=_share, initargs=(items,)) as pool:
        summaries = list(pool.map(_setting, settings, chunksize=4))
    rows = [dict(zip(GRID, st)) | sm for st, sm in zip(settings, summaries)]
    table = pd.DataFrame(rows).drop_duplicates(subset=list(GRID))
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 40)
    print("current constants:")
    print(table.head(1).round(3).to_string(index=False))
    print("grid, best first:")
    print(table.sort_values("score").round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
