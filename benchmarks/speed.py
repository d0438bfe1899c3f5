"""Throughput of the suite: forecast and P(meet) for many short synthetic series, and `assess` on the embedded data.

Why: an analyst may feed a whole yearbook (thousands of series) through `qanalysis forecast`, so the goal is
10,000 series in under 5 minutes on 2 cores. The synthetic series are seeded and shaped like the
project's indicators: 2-12 yearly points ending 2017-2021, in four scales (level: compounding growth; share: a percent
drifting on the logit scale; count: Poisson counts with a trend, zeros included; growth: a rate in percent with AR(1)
noise). Each series is forecast to 2022 and P(meet) of a threshold is read off the sample paths, as `assess` does.

Run from the repository root: `.venv/bin/python benchmarks/speed.py [--workers 2] [--sizes 1000 10000]`.
The section between the `speed` markers of benchmarks/RESULTS.md is rewritten; other sections are kept.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread per process: the pool supplies the parallelism

import argparse
import platform
import resource
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accuracy import md_table  # noqa: E402

from qanalysis.report.evidence import write_section  # noqa: E402  (the one RESULTS.md format)

SEED = 2022
TARGET_YEAR = 2022
N_PATHS = 2000
SCALES = ("level", "share", "count", "growth")
SCALE_P = (0.40, 0.25, 0.20, 0.15)
CHUNK = 100


def _shape(rng: np.random.Generator, scale: str, n: int) -> tuple[np.ndarray, float]:
    """One series of n points in the given scale, and a 'higher is better' threshold for 2022."""
    t = np.arange(n)
    if scale == "level":
        y = 10 ** rng.uniform(1, 5) * np.exp(np.cumsum(rng.normal(0.07, 0.05) + rng.uniform(0.01, 0.08) * rng.standard_normal(n)))
        return np.round(y, 2), float(y[-1] * (1 + rng.uniform(-0.1, 0.5)))
    if scale == "share":
        z = np.log(p0 := rng.uniform(0.2, 0.95)) - np.log(1 - p0) + np.cumsum(rng.normal(0.1, 0.1) + 0.1 * rng.standard_normal(n))
        y = np.round(100 / (1 + np.exp(-z)), 1)
        return y, float(min(100.0, y[-1] + rng.uniform(-5, 10)))
    if scale == "count":
        y = rng.poisson(10 ** rng.uniform(0, 2.5) * np.exp(rng.normal(0.05, 0.1) * t)).astype(float)
        return y, float(max(y[-1], 1.0) * rng.uniform(0.5, 2.0))
    e, sd = np.zeros(n), rng.uniform(1, 4)
    for i in range(n):  # AR(1) noise around a steady growth rate
        e[i] = (0.5 * e[i - 1] if i else 0.0) + sd * rng.standard_normal()
    return np.round(rng.uniform(2, 12) + e, 1), float(rng.uniform(0, 12))


def synthesize(n_series: int, seed: int = SEED) -> list[tuple]:
    """(id, years, values, scale, horizon, threshold) for n_series seeded series; identical on every run."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_series):
        n, last = int(rng.integers(2, 13)), int(rng.integers(2017, 2022))
        scale = str(rng.choice(SCALES, p=SCALE_P))
        values, threshold = _shape(rng, scale, n)
        out.append((i, np.arange(last - n + 1, last + 1), values, scale, TARGET_YEAR - last, threshold))
    return out


def _work(chunk: list[tuple]) -> dict:
    """Forecast and assess one chunk in a worker; returns counts, a checksum of P, and the worker's peak RSS."""
    from qanalysis.forecast.engine import InsufficientData, forecast_series

    models, insufficient, p_sum = Counter(), 0, 0.0
    for sid, years, values, scale, h, threshold in chunk:
        try:
            f = forecast_series(years, values, h, scale=scale, seed=sid, n_paths=N_PATHS)
        except InsufficientData:
            insufficient += 1  # an honest refusal is a result too; counted and reported
            continue
        p_sum += float(np.mean(f.paths[:, h - 1] >= threshold))
        family = f.model.split(" (fallback")[0]  # fallback labels carry the reason; count the model used
        models[(scale, family + (" [fallback]" if "(fallback" in f.model else ""))] += 1
    return {"models": models, "insufficient": insufficient, "p_sum": p_sum,
            "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def run_size(n_series: int, workers: int) -> dict:
    """Time one batch end to end: pool start-up, imports in the workers, every forecast and P(meet)."""
    series = synthesize(n_series)
    chunks = [series[i:i + CHUNK] for i in range(0, len(series), CHUNK)]
    start = time.perf_counter()
    if workers <= 1:
        parts = [_work(c) for c in chunks]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(_work, chunks))
    wall = time.perf_counter() - start
    models = sum((p["models"] for p in parts), Counter())
    return {"n": n_series, "workers": workers, "wall": wall, "rate": n_series / wall,
            "insufficient": sum(p["insufficient"] for p in parts), "p_mean": sum(p["p_sum"] for p in parts) / max(1, sum(models.values())),
            "worker_rss_mib": max(p["rss_kib"] for p in parts) / 1024,
            "parent_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "models": models}


AS_OF_YEARS = (2018, 2021, 2023)


def filled_registry_data(registry, seed: int = SEED) -> pd.DataFrame:
    """A synthetic indicators table with every registered indicator filled for 2013-2021 (seeded shapes by scale):
    the workload of a bureau analyst who has filled the whole template, which the thin public data cannot show."""
    rng = np.random.default_rng(seed)
    rows = []
    for ind in sorted(registry.indicators.values(), key=lambda i: i.id):
        if ind.scale == "rank":
            values = rng.integers(1, 4, size=9).astype(float)
        else:
            values = _shape(rng, "share" if ind.scale == "score" else ind.scale, 9)[0]
        rows += [(ind.id, year, float(v), ind.unit, "SYNTHETIC") for year, v in zip(range(2013, 2022), values)]
    return pd.DataFrame(rows, columns=["indicator", "year", "value", "unit", "source"])


def time_assess() -> dict[str, list[list]]:
    """Wall time of qanalysis.assess.assess on data/processed/indicators.csv (if the build has produced it) and on a
    fully filled synthetic table, for each as_of in AS_OF_YEARS."""
    from qanalysis import settings as paths
    from qanalysis.assessment.assess import assess
    from qanalysis.registry import load_registry

    registry, csv = load_registry(), paths.PROCESSED / "indicators.csv"
    tables = {"synthetic": filled_registry_data(registry)}
    if csv.exists():
        tables = {"embedded": pd.read_csv(csv), **tables}
    return {name: _assess_rows(assess, registry, data) for name, data in tables.items()}


def _assess_rows(assess, registry, data: pd.DataFrame) -> list[list]:
    rows = []
    for as_of in AS_OF_YEARS:
        start = time.perf_counter()
        table = assess(registry, data, as_of=as_of, seed=0)
        wall = time.perf_counter() - start
        statuses = table["status"].value_counts().sort_index()
        rows.append([as_of, len(table), f"{wall:.2f}", ", ".join(f"{k} {v}" for k, v in statuses.items())])
    return rows


def render(runs: list[dict], assess_rows: dict[str, list[list]], args: argparse.Namespace) -> str:
    rows = [[r["n"], r["workers"], f"{r['wall']:.1f}", f"{r['rate']:.0f}", f"{r['worker_rss_mib']:.0f}",
             f"{r['parent_rss_mib']:.0f}", r["insufficient"], f"{r['p_mean']:.3f}",
             "PASS" if r["n"] < 10000 or r["wall"] < 300 else "FAIL"] for r in runs]
    head = ["series", "workers", "wall s", "series/s", "peak RSS per worker MiB", "peak RSS parent MiB",
            "InsufficientData", "mean P(meet)", "goal 10k < 300 s"]
    big = max(runs, key=lambda r: r["n"])
    mix = pd.Series(big["models"]).unstack(fill_value=0).T.sort_index()
    mix_rows = [[model] + [int(mix.loc[model, sc]) if sc in mix.columns else 0 for sc in SCALES] for model in mix.index]
    out = ["## Speed", "", f"Command: `.venv/bin/python benchmarks/speed.py --workers {args.workers} --sizes "
           f"{' '.join(map(str, args.sizes))}`", "",
           f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, load average at start "
           f"{args.load:.2f} (the cores are shared). Wall time includes starting the pool and importing the suite in "
           f"each worker. Memory: `resource.getrusage(...).ru_maxrss` (peak resident set) of each worker, read inside "
           "the worker after its last chunk, and of the parent; total peak is at most parent + workers x worker.", "",
           md_table(head, rows), "", f"Models used for the {big['n']:,} series, by scale:", "",
           md_table(["model"] + list(SCALES), mix_rows), ""]
    head = ["as_of", "targets", "wall s", "statuses"]
    if "embedded" in assess_rows:
        out += ["`qanalysis.assessment.assess.assess(registry, data, as_of)` on data/processed/indicators.csv, read with pandas "
                "(one process):", "", md_table(head, assess_rows["embedded"]), ""]
    else:
        out += ["`assess` on the embedded data: not timed, data/processed/indicators.csv does not exist "
                "(run `qanalysis build` first).", ""]
    out += ["The same on a synthetic table with every registered indicator filled for 2013-2021 (seeded; a timing "
            "workload only, its statuses mean nothing):", "", md_table(head, assess_rows["synthetic"]), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="processes in the pool (default 2)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="batch sizes (default 1000 10000)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    args.load = os.getloadavg()[0]
    runs = [run_size(n, args.workers) for n in args.sizes]
    text = render(runs, time_assess(), args)
    print(text)
    if not args.no_write:
        write_section("speed", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
