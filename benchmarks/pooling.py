"""Would partial pooling of the error variance across peer series help short series? Measured on one half of
accuracy.py's windows; prints, writes nothing.

The idea (empirical Bayes, as in Smyth's moderated variances): a series of 2-5 values estimates its year-to-year
variability (`intervals.fit_errors`, the random walk's `walk`) from 1-4 changes, so the estimate is noisy; series
of the same indicator in other places (World Bank fertility or GDP across countries, BP coal production across
countries, an M3 category, the same Grunfeld variable across firms) say what a typical variability is. The moderated
variance is (nu0 s0^2 + nu s^2) / (nu0 + nu) with nu + nu0 degrees of freedom, s0^2 the peers' typical walk and nu0
the prior's weight. The peers are the other series of the window's peer group (`group`), each seen only up to the
window's last training year, on the same working scale: either the same number of years as the window (the same
estimator, so with 2 values the one change squared, drift included) or its last LOOKBACK years (at least
MIN_PEER_VALUES values); s0^2 is their median or mean walk. A window without MIN_PEERS such peers is left unpooled
(statsmodels' single-series datasets have none). Variants: `VARIANTS`; the t either gains nu0 degrees of freedom
(the textbook posterior) or keeps the series' own.

For every window the engine's own point forecast, error model and bands are re-made with the pooled variance for each
prior weight on the grid, and coverage and the Brier score of P(meet) (the same seeded paths as forecast_series) are
compared with the unpooled engine, by source and by training length, on the short set (2, 3, 5 values) and on the
main set (6, 10, 14; there the pooled walk is fed through the engine's rolling-origin calibration unchanged).
Run from the repository root: `.venv/bin/python benchmarks/pooling.py [--half calibration] [--cache F] [--write]`
(about 5 minutes in one process; `--write` puts a summary into RESULTS.md, section `pooling`).

What it found (calibration half; RESULTS.md has the table): no weight improves both the coverage and the Brier
score of the short set. With the textbook posterior the 80 % coverage of the 2-5-point windows fell from 82.8 % to
63-77 % (3-point windows 81 % -> 56-72 %), for a Brier score better by 0.001 at most (0.003 on 2-point windows);
keeping the series' own degrees of freedom moved the coverage by -2.4 to +0.7 points and never improved the Brier
score. On the 6-14-point windows every variant pushed a source's 80 % coverage above 85 % (GDP 86-88 %, M3 up to
93 %) for a Brier gain of 0.002 at most. So the engine does not pool.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
from dataclasses import replace

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accuracy as acc  # noqa: E402

from qanalysis.forecast import engine, intervals  # noqa: E402
from qanalysis.report.evidence import write_section  # noqa: E402

LOOKBACK, MIN_PEER_VALUES, MIN_PEERS = 10, 4, 5
WEIGHTS = (0.0, 1.0, 2.0, 4.0, 8.0)  # nu0, the prior's degrees of freedom (0: no pooling, the engine)


def group(dataset: str, series: str) -> str | None:
    """The peer group: the same indicator across places (or firms, or an M3 category); None: no peers."""
    if dataset in ("fertility", "gdp", "tourism"):
        return dataset
    if dataset in ("energy", "m3"):
        return f"{dataset}:{series.split('/')[0]}"
    if dataset == "grunfeld":
        return f"grunfeld:{series.split('/')[1]}"
    return None


def peer_walks(all_series) -> dict:
    """(group, last year, years seen) -> {series: walk on its working scale over those years up to the last one}.
    `years seen` is LOOKBACK (a peer's recent history) or one of the window lengths (the same estimator as the
    window's own: with 2 values the walk is the one change squared, drift included, and so it is for the peers)."""
    out: dict = {}
    for dataset, series, scale, years, values in all_series:
        g = group(dataset, series)
        if g is None:
            continue
        for look in sorted({LOOKBACK, *acc.SHORT_LENGTHS, *acc.TRAIN_LENGTHS}):
            for end in years:
                sel = (years > end - look) & (years <= end) & np.isfinite(values)
                if sel.sum() < (MIN_PEER_VALUES if look == LOOKBACK else look):
                    continue
                t, y = years[sel], values[sel]
                try:
                    d = engine._clean(t, y, scale, [])
                except (ValueError, engine.InsufficientData):
                    continue
                if np.ptp(d.z) == 0:
                    continue
                err = intervals.fit_errors(d.t, d.z, d.ws.name)
                out.setdefault((g, int(end), look), {})[series] = (d.ws.name, err.walk)
    return out


def prepare(w: acc.Window, peers: dict) -> dict:
    """The engine's ingredients for one window (as forecast_series computes them) and its peers' typical walk."""
    d = engine._clean(w.years, w.train, w.scale, [])
    h = acc.HORIZON
    tier = engine.FULL if len(d.y) >= 6 else engine.SHORT if len(d.y) >= 3 else engine.TWO
    err = intervals.fit_errors(d.t, d.z, d.ws.name)
    if tier == engine.FULL:
        name, u2 = engine._choose_full(d, h, err, [])
    else:
        name, u2 = ("drift" if tier == engine.TWO else "combination"), []
    point, _ = engine._point(name, d, h, tier, [])
    g = group(w.dataset, w.series)
    s0 = {}
    for recent, look in ((True, LOOKBACK), (False, len(w.train))):
        mates = peers.get((g, int(w.years[-1]), look), {}) if g else {}
        walks = [wk for s, (ws, wk) in mates.items() if s != w.series and ws == d.ws.name]
        for stat in ("median", "mean"):
            s0[(recent, stat)] = float(getattr(np, stat)(walks)) if len(walks) >= MIN_PEERS else None
    return {"wid": w.wid, "source": w.source, "n_train": len(w.train), "test": w.test, "thresholds": w.thresholds,
            "t": d.t, "y": d.y, "ws": d.ws, "err": err, "u2": u2, "point": point, "tier": tier, "s0": s0,
            "rho": intervals.change_autocorrelation(d.t, d.z)}


def score(it: dict, nu0: float, recent: bool, stat: str, gain_df: bool) -> dict:
    """Coverage and Brier with the walk moderated toward the peers' (nu0 = 0: the engine as it is). `recent`: the
    peers' LOOKBACK years (else the window's own length); `stat`: their median or mean walk; `gain_df`: the t gets
    the prior's degrees of freedom too (the textbook posterior), else keeps the series' own."""
    h, err = acc.HORIZON, it["err"]
    s0 = it["s0"][(recent, stat)]
    if nu0 > 0 and s0 is not None:
        walk = (nu0 * s0 + err.nu * err.walk) / (nu0 + err.nu)
        span = float(it["t"][-1] - it["t"][0])
        err = replace(err, walk=walk, drift=walk / span, nu=max(int(round(err.nu + nu0)), 1) if gain_df else err.nu)
    if it["tier"] == engine.FULL:
        factors = intervals.calibrate(err, it["u2"], h, [], rho=it["rho"])
        err = intervals.pooled_df(err, it["u2"])
    else:
        factors = np.ones(h)
    back = it["ws"].back
    cap = intervals.level_cap(it["t"], it["y"], err, it["ws"].name, h)
    q = intervals.bands(it["point"], err, factors, back, cap)
    paths = intervals.to_original(it["point"], factors * intervals.sample_paths(err, h, acc.N_PATHS, it["wid"]),
                                  back, cap)
    y = it["test"]
    p = np.mean(paths[:, h - 1][:, None] >= it["thresholds"][None, :], axis=0)
    return {"c80": float(np.mean((y >= q[0.1]) & (y <= q[0.9]))), "c95": float(np.mean((y >= q[0.025]) & (y <= q[0.975]))),
            "brier": float(np.mean((p - (y[-1] >= it["thresholds"])) ** 2))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=acc.HALVES, default="calibration")
    parser.add_argument("--cache", help="pickle of the prepared windows: read if present, else written")
    parser.add_argument("--write", action="store_true", help="write the summary into RESULTS.md (section pooling)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    acc.check_data()
    def build() -> list:
        peers = peer_walks(acc.load_series())
        windows, _ = acc.make_windows(acc.HORIZON, acc.thresholds, args.half)
        return [prepare(w, peers) for w in windows]

    items = acc.cached(args.cache, build)
    print(f"{len(items)} {args.half}-half windows prepared in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    pd.set_option("display.width", 250)
    pd.set_option("display.max_rows", 500)
    summary = []
    for recent, stat, gain_df in VARIANTS:
        rows = []
        for it in items:
            base = {"source": it["source"], "n_train": it["n_train"], "pooled": it["s0"][(recent, stat)] is not None}
            for nu0 in WEIGHTS:
                rows.append(base | {"nu0": nu0} | score(it, nu0, recent, stat, gain_df))
        df = pd.DataFrame(rows)
        df["set"] = np.where(df["n_train"] < 6, "short", "main")
        seen = f"last {LOOKBACK} years" if recent else "windows of the same length"
        print(f"\n===== peers' {seen}, {stat} walk, "
              f"{'t gains the prior df' if gain_df else 't keeps its own df'}")
        print("share of windows with peers:",
              df[df["nu0"] == 0].groupby(["set", "source"])["pooled"].mean().round(2).to_dict())
        for by in ("source", "n_train"):
            for s, g in df.groupby("set"):
                t = g.groupby([by, "nu0"])[["c80", "c95", "brier"]].mean().unstack("nu0").round(3)
                print(f"\n{s} set by {by}:")
                print(t.to_string())
        print("\npooled:")
        print(df.groupby(["set", "nu0"])[["c80", "c95", "brier"]].mean().unstack("nu0").round(3).to_string())
        summary += _summary(df, f"{seen}, {stat}, {'df + nu0' if gain_df else 'own df'}")
    if args.write:
        write_section("pooling", _section(summary, args.half))
    return 0


def _summary(df: pd.DataFrame, variant: str) -> list[list]:
    """One row per prior weight: the short set's coverage and Brier pooled and by length, the main set's pooled,
    and the main set's 80 % coverage of the source farthest from 75-85 %."""
    rows = []
    for nu0, g in df.groupby("nu0"):
        short, main = g[g["set"] == "short"], g[g["set"] == "main"]
        by = main.groupby("source")["c80"].mean()
        far = by.index[int(np.argmax(np.maximum(0.75 - by, by - 0.85)))]
        rows.append([variant, nu0, short["c80"].mean(), short["c95"].mean(), short["brier"].mean(),
                     *[short[short["n_train"] == n]["c80"].mean() for n in acc.SHORT_LENGTHS],
                     *[short[short["n_train"] == n]["brier"].mean() for n in acc.SHORT_LENGTHS],
                     main["c80"].mean(), main["c95"].mean(), main["brier"].mean(), f"{far} {by[far]:.3f}"])
    return rows


def _section(rows: list[list], half: str) -> str:
    head = ["peers' walk, t's degrees of freedom", "nu0", "short 80 %", "short 95 %", "short Brier",
            *[f"{n} pts 80 %" for n in acc.SHORT_LENGTHS], *[f"{n} pts Brier" for n in acc.SHORT_LENGTHS],
            "main 80 %", "main 95 %", "main Brier", "main: source farthest from 75-85 %"]
    return "\n".join([
        f"## Pooling the error variance across peer series ({half} half; not in the engine)", "",
        f"Command: `.venv/bin/python benchmarks/pooling.py --half {half} --write`", "",
        "Empirical Bayes moderation of each window's random-walk variance toward its peers' (the same indicator in "
        "other places, each seen only up to the window's last year): walk = (nu0 s0^2 + nu s^2) / (nu0 + nu). "
        "nu0 = 0 is the engine as it is. Left out of the engine: no weight improves both the coverage and the "
        "Brier score of the short set (2, 3, 5 points) without moving the main set's coverage out of 75-85 %.", "",
        acc.md_table(head, rows)])


# (peers' recent years instead of windows of the window's length, median or mean walk, the t gains nu0 df)
VARIANTS = [(True, "median", True), (False, "median", True), (False, "mean", True), (False, "median", False),
            (False, "mean", False)]


if __name__ == "__main__":
    sys.exit(main())
