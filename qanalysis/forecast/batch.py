"""Forecast a whole series,year,value file for `qanalysis forecast`: read it compactly, forecast the series on every
core, and write the rows as they come, in order.

Why this is not just `engine.forecast_table`: an analyst may hand over a whole yearbook export, hundreds of MB and
tens of thousands of series. Holding that as Python rows took 20x the file's size in memory, one process left the
other cores idle (10,000 short series: 75 s against 35 s on two), and nothing showed progress for minutes. Here the
reader keeps compact arrays (`ingest.series`), chunks of series go to a process pool (`jobs`), each chunk comes back
as finished csv text, and the text is written in the series' sorted order whatever finishes first. Every series is
forecast with the same seed, independently of the others, so the file is byte-identical for any number of jobs and
equal to `forecast_table` written whole. The file appears complete or not at all (`outputs.replacing`).
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from ..ingest.series import SeriesSet, read_series
from ..outputs import replacing
from ..text import spreadsheet_safe
from .engine import FORECAST_COLUMNS, forecast_rows

CHUNK = 200  # most series per task: 1-3 s of work, so handing it to a process costs little by comparison
MIN_CHUNK = 10  # fewest series per task
POOL_MIN_SERIES = 1000  # fewer series run in-process: starting the pool takes ~2 s (each worker is a fresh interpreter
# importing numpy, pandas and scipy), while one process forecasts ~250 short series a second, so on 2 cores a pool
# pays off only from about 1,000 series
TASKS_PER_JOB = 4  # at least this many tasks per process when the file allows, so that the last ones end together
AHEAD = 4  # tasks queued per process: bounds the finished text held back while an earlier task is still running


@dataclass(frozen=True)
class Run:
    """What `forecast_file` did: series and rows written, the processes that forecast them (1: in-process), and the
    seconds spent reading (and checking and grouping) and forecasting (and writing)."""

    series: int
    rows: int
    processes: int
    read_seconds: float
    forecast_seconds: float

    @property
    def rate(self) -> float:
        """Series forecast per second of forecasting time."""
        return self.series / self.forecast_seconds if self.forecast_seconds > 0 else float("inf")

    def summary(self) -> str:
        return (f"forecast {self.series:,} series in {self.forecast_seconds:.1f} s ({self.rate:,.1f} series/s, "
                f"{self.processes} process{'es' if self.processes > 1 else ''}; reading took {self.read_seconds:.1f} s)")


def default_jobs() -> int:
    """Every core this process may run on (what `nproc` says), else every core of the machine."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def forecast_file(data: Path, out: Path, horizon: int, seed: int = 0, jobs: int = 1, progress: bool = False) -> Run:
    """Forecast every series of `data` (series,year,value; csv or xlsx) `horizon` years ahead into the csv `out`
    (FORECAST_COLUMNS, UTF-8 with a byte-order mark for Excel), with up to `jobs` processes: 1, or fewer than
    POOL_MIN_SERIES series, runs in this process. InputError naming every bad record of `data`, before anything is
    written; `progress` shows bars on stderr. A script calling this with jobs > 1 needs the usual
    `if __name__ == "__main__":` guard, because the workers import the caller's main module."""
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    start = time.perf_counter()
    series = _read(Path(data), progress)
    read = time.perf_counter()
    parts = [series.part(i, j) for i, j in chunk_bounds(len(series), jobs)]
    processes = 1 if len(series) < POOL_MIN_SERIES else min(jobs, len(parts))
    rows = 0
    with replacing(out) as raw, tqdm(total=len(series), unit="series", desc="forecasting", file=sys.stderr,
                                     disable=not progress) as bar:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")  # the BOM lets Excel on Chinese Windows read it
        stream.write(",".join(FORECAST_COLUMNS) + "\n")
        for done, n_rows, text in _in_order(parts, horizon, seed, processes):
            stream.write(text)
            rows += n_rows
            bar.update(done)
        stream.flush()
        stream.detach()  # `replacing` flushes and closes the file itself
    return Run(len(series), rows, processes, read - start, time.perf_counter() - read)


def _read(data: Path, progress: bool) -> SeriesSet:
    """`read_series` with a bar of the bytes read: a 200 MB csv takes a quarter of a minute."""
    with tqdm(total=data.stat().st_size if data.is_file() else 0, unit="B", unit_scale=True, desc="reading",
              file=sys.stderr, disable=not progress, leave=False) as bar:
        return read_series(data, progress=lambda done: bar.update(done - bar.n))


def chunk_bounds(n_series: int, jobs: int) -> list[tuple[int, int]]:
    """(first, end) of each task: about TASKS_PER_JOB tasks per process, each of MIN_CHUNK to CHUNK series."""
    size = max(MIN_CHUNK, min(CHUNK, -(-n_series // (max(jobs, 1) * TASKS_PER_JOB))))
    return [(i, min(i + size, n_series)) for i in range(0, n_series, size)]


def _forecast_part(part: SeriesSet, horizon: int, seed: int) -> tuple[int, int, str]:
    """Forecast one chunk (in a worker, or in-process): its series, its rows and their csv text, written by pandas
    exactly as `forecast_table(...).to_csv` would write them."""
    rows = [row for name, years, values in part for row in forecast_rows(name, years, values, horizon, seed)]
    frame = pd.DataFrame(rows, columns=FORECAST_COLUMNS)
    frame["series"] = frame["series"].map(spreadsheet_safe)  # a name "=HYPERLINK(...)" stays text in Excel
    text = frame.to_csv(index=False, header=False, lineterminator="\n")
    return len(part), len(rows), text


def _in_order(parts: list[SeriesSet], horizon: int, seed: int, processes: int) -> Iterator[tuple[int, int, str]]:
    """`_forecast_part` of every chunk, in chunk order: in-process for one process, else from a pool that keeps at
    most AHEAD tasks per process queued, so results waiting for an earlier chunk stay few."""
    if processes == 1:
        yield from (_forecast_part(part, horizon, seed) for part in parts)
        return
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=_context(), initializer=_start_worker,
                               initargs=(logging.getLogger("qanalysis").getEffectiveLevel(),))
    try:
        todo, pending = iter(parts), deque[Future]()
        for part in todo:
            pending.append(pool.submit(_forecast_part, part, horizon, seed))
            if len(pending) >= processes * AHEAD:
                break
        while pending:
            result = pending.popleft().result()
            following = next(todo, None)
            if following is not None:
                pending.append(pool.submit(_forecast_part, following, horizon, seed))
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one: workers start from a clean process with the engine imported once, not a fork
    of this one (whose threads, such as the progress bar's, make forking unsafe, and whose memory holds the input)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not on Linux
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _start_worker(level: int) -> None:
    """A worker leaves Ctrl-C to the parent (which stops the pool) and logs at the parent's level (`-v`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if level < logging.WARNING:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
        logging.getLogger("qanalysis").setLevel(level)

