"""`qanalysis forecast` at scale: reading a ~200 MB series,year,value csv, and forecasting throughput with one process
and with every core.

Why: a whole yearbook export can run to hundreds of MB. Before the streaming reader, a 200 MB file took 84 s and 4 GB
to read, and 75,000 series took 490 s in one process with no progress shown. This script measures the command as an
analyst runs it, in a child process, so peak memory is the command's own: `resource.getrusage(RUSAGE_CHILDREN)
.ru_maxrss` read by a small wrapper process around each run, which is the peak resident set of the largest single
process of that run (the parent, or one worker), not the sum over workers.

The input is synthetic and seeded, so every run writes the same bytes: series of 6-15 yearly points ending 2017-2023
(shapes as in benchmarks/speed.py: level, share, count, growth), about 2 % of values blank, Chinese series names, and
rows in year-major order (every series' 2005 value, then every 2006 value ...), which is as unsorted by series as an
input gets. Files go under /tmp (or --dir), never into the repository.

Forecasting all ~500,000 series of the 200 MB file takes hours on 2 cores, so by default the throughput is measured
on the first --series series (the same generator, its own smaller file) with --jobs 1 and --jobs <all cores>, and the
two outputs are compared byte for byte. --full also forecasts the whole 200 MB file with every core.

Run from the repository root: `.venv/bin/python benchmarks/forecast_scale.py [--mb 200] [--series 10000] [--full]`.
The section between the `forecast-scale` markers of benchmarks/RESULTS.md is rewritten; other sections are kept.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accuracy import md_table  # noqa: E402
from speed import SCALE_P, SCALES, _shape  # noqa: E402  (the same series shapes as the speed benchmark)

from qanalysis.forecast.batch import default_jobs  # noqa: E402
from qanalysis.report.evidence import write_section  # noqa: E402  (the one RESULTS.md format)

SEED = 2024
HORIZON = 4
NAMES = ("规上工业增加值", "新产品产值率", "品字标企业数", "装配式建筑占比", "PM2.5年均浓度", "城镇居民人均可支配收入",
         "研发经费支出", "专利授权量", "地表水优良率", "标准制定数")
BLANK_SHARE = 0.02

# Runs a command as its child and reports the child's wall time and peak RSS: getrusage(RUSAGE_CHILDREN) only grows,
# so every measured run gets a wrapper process of its own.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"wall": time.perf_counter() - start, "rc": done.returncode, "stdout": done.stdout,
                  "stderr": done.stderr[-2000:],
                  "maxrss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""
READ = """
import sys, time
from qanalysis.ingest.series import read_series
start = time.perf_counter()
series = read_series(sys.argv[1]) if sys.argv[1] != "-" else []
print(len(series), time.perf_counter() - start)
"""


def series_lines(rng: np.random.Generator, i: int) -> list[tuple[int, str]]:
    """(year, csv line) for series i: 6-15 points ending 2017-2023, a seeded shape, ~2 % blanks."""
    n, last = int(rng.integers(6, 16)), int(rng.integers(2017, 2024))
    values, _ = _shape(rng, str(rng.choice(SCALES, p=SCALE_P)), n)
    blank = rng.random(n) < BLANK_SHARE
    name = f"区县{i // 1000:03d}·{NAMES[i % len(NAMES)]}·{i:06d}"
    return [(last - n + 1 + k, f"{name},{last - n + 1 + k},{'' if blank[k] else format(v, '.10g')}\n")
            for k, v in enumerate(values)]


def write_input(path: Path, target_bytes: int | None = None, n_series: int | None = None) -> dict:
    """Write series until the file reaches target_bytes (or n_series series), rows in year-major order."""
    rng, by_year, size, count, rows = np.random.default_rng(SEED), {}, 0, 0, 0
    while (target_bytes is None or size < target_bytes) and (n_series is None or count < n_series):
        for year, line in series_lines(rng, count):
            by_year.setdefault(year, []).append(line)
            size += len(line.encode("utf-8"))
            rows += 1
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("series,year,value\n")
        for year in sorted(by_year):
            out.writelines(by_year[year])
    return {"path": path, "series": count, "rows": rows, "bytes": path.stat().st_size}


def measured(cmd: list[str]) -> dict:
    """Wall time, peak RSS (MiB) and output of one command, run in its own measuring wrapper."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({result['rc']}):\n{result['stderr']}")
    return result


def time_read(path: Path) -> dict:
    """Read, check and group the file with `ingest.series.read_series` alone, and the same interpreter without
    reading (imports only), so the reader's own memory shows."""
    run, idle = measured([sys.executable, "-c", READ, str(path)]), measured([sys.executable, "-c", READ, "-"])
    n_series, seconds = run["stdout"].split()
    return {"series": int(n_series), "read_s": float(seconds), "wall": run["wall"], "maxrss_mib": run["maxrss_mib"],
            "idle_mib": idle["maxrss_mib"]}


def time_forecast(path: Path, out: Path, jobs: int) -> dict:
    """`qanalysis forecast` on the file with --jobs: wall, peak RSS, the command's own summary and the output's hash."""
    cli = Path(sys.executable).with_name("qanalysis")
    run = measured([str(cli), "forecast", "--data", str(path), "--horizon", str(HORIZON), "--out", str(out),
                    "--jobs", str(jobs), "--no-progress", "--force"])  # reruns replace their own output
    found = re.search(r"forecast ([\d,]+) series in ([\d.]+) s \(([\d,.]+) series/s, (\d+) process.*reading took "
                      r"([\d.]+) s", run["stdout"])
    if not found:
        raise SystemExit(f"unexpected summary from qanalysis forecast:\n{run['stdout']}")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    return {"jobs": jobs, "series": int(found[1].replace(",", "")), "forecast_s": float(found[2]),
            "rate": float(found[3].replace(",", "")), "processes": int(found[4]), "read_s": float(found[5]),
            "wall": run["wall"], "maxrss_mib": run["maxrss_mib"], "sha256": digest, "out_bytes": out.stat().st_size}


def render(big: dict, read: dict, small: dict, runs: list[dict], full: dict | None, args: argparse.Namespace) -> str:
    """The RESULTS.md section."""
    command = f".venv/bin/python benchmarks/forecast_scale.py --mb {args.mb:g} --series {args.series}" + \
        (" --full" if args.full else "")
    same = len({r["sha256"] for r in runs}) == 1
    out = ["## Forecast at scale", "", f"Command: `{command}`", "",
           f"Machine: {os.cpu_count()} cores ({default_jobs()} usable), Python {platform.python_version()}, load "
           f"average at start {args.load:.2f} (the cores are shared with other work, so times vary). Peak RSS: "
           "`getrusage(RUSAGE_CHILDREN).ru_maxrss` of a wrapper around each run, i.e. the largest single process "
           "(the parent or one worker), not the sum over processes.", "",
           f"Input: {big['bytes'] / 1e6:.1f} MB, {big['rows']:,} rows, {big['series']:,} series of 6-15 yearly points "
           f"(seeded, rows in year-major order, so unsorted by series; ~2 % blank values).", "",
           "Reading, checking and grouping it (`ingest.series.read_series`, one process):", "",
           md_table(["MB", "rows", "series", "read s", "wall s (with imports)", "peak RSS MiB",
                     "same process, imports only, MiB", "peak RSS / file size"],
                    [[f"{big['bytes'] / 1e6:.1f}", f"{big['rows']:,}", f"{read['series']:,}", f"{read['read_s']:.1f}",
                      f"{read['wall']:.1f}", f"{read['maxrss_mib']:.0f}", f"{read['idle_mib']:.0f}",
                      f"{read['maxrss_mib'] * 2**20 / big['bytes']:.2f}"]]), "",
           f"Forecasting throughput on the first {small['series']:,} series ({small['bytes'] / 1e6:.1f} MB, "
           f"{small['rows']:,} rows), horizon {HORIZON}, `qanalysis forecast --jobs N`:", "",
           md_table(["--jobs", "processes", "series", "read s", "forecast s", "series/s", "wall s", "peak RSS MiB"],
                    [[r["jobs"], r["processes"], f"{r['series']:,}", f"{r['read_s']:.1f}", f"{r['forecast_s']:.1f}",
                      f"{r['rate']:.1f}", f"{r['wall']:.1f}", f"{r['maxrss_mib']:.0f}"] for r in runs]), "",
           f"Outputs byte-identical across --jobs: {'yes' if same else 'NO'} (sha256 {runs[0]['sha256'][:16]}..., "
           f"{runs[0]['out_bytes']:,} bytes).", ""]
    if full:
        out += [f"The whole {big['bytes'] / 1e6:.1f} MB file with --jobs {full['jobs']}: {full['series']:,} series, "
                f"read {full['read_s']:.1f} s, forecast {full['forecast_s']:.0f} s ({full['rate']:.1f} series/s), "
                f"wall {full['wall']:.0f} s, peak RSS {full['maxrss_mib']:.0f} MiB, output "
                f"{full['out_bytes'] / 1e6:.1f} MB.", ""]
    else:
        out += [f"The whole file ({big['series']:,} series) was not forecast in this run (--full does it); at the "
                f"measured all-core rate that would take about {big['series'] / max(runs[-1]['rate'], 1e-9) / 60:.0f} "
                "minutes.", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/qanalysis-forecast-scale"),
                        help="where the generated inputs and outputs go (default /tmp/qanalysis-forecast-scale)")
    parser.add_argument("--mb", type=float, default=200, help="size of the large input in MB (default 200)")
    parser.add_argument("--series", type=int, default=10000, help="series in the throughput subset (default 10000)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="the 'all cores' run (default: every core)")
    parser.add_argument("--full", action="store_true", help="also forecast the whole large file with --jobs")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    if Path(args.dir).resolve().is_relative_to(Path(__file__).resolve().parents[1]):
        raise SystemExit(f"--dir {args.dir}: inside the repository; pick a folder outside it (default /tmp/...)")
    args.load = os.getloadavg()[0]
    big = write_input(args.dir / f"series-{args.mb:g}MB.csv", target_bytes=int(args.mb * 1e6))
    small = write_input(args.dir / f"series-{args.series}.csv", n_series=args.series)
    read = time_read(big["path"])
    runs = [time_forecast(small["path"], args.dir / f"forecast-{args.series}-jobs{j}.csv", j)
            for j in dict.fromkeys([1, args.jobs])]
    full = time_forecast(big["path"], args.dir / "forecast-full.csv", args.jobs) if args.full else None
    text = render(big, read, small, runs, full, args)
    print(text)
    if not args.no_write:
        write_section("forecast-scale", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
