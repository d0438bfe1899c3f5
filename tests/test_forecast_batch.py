"""`qanalysis forecast` on many series: the same bytes whatever --jobs, the same bytes as the whole-table writer,
unsorted input grouped, progress and rate shown, and the output file complete or absent."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from qanalysis import cli
from qanalysis.forecast import batch
from qanalysis.forecast.engine import forecast_table


def _write_series(path, n_series: int = 40, seed: int = 7, blanks: bool = True, shuffle: bool = True) -> None:
    """Seeded short yearly series of every kind the engine meets: compounding levels, shares, counts with zeros,
    rates crossing zero, one-point and blank-only series, names with commas, quotes and Chinese; rows shuffled."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_series):
        n, last = int(rng.integers(1, 14)), int(rng.integers(2016, 2022))
        kind = i % 4
        t = np.arange(n)
        y = [100 * 1.06 ** t * np.exp(rng.normal(0, 0.03, n)), np.clip(60 + 3 * t + rng.normal(0, 4, n), 0, 100),
             rng.poisson(2, n).astype(float), rng.normal(1, 4, n)][kind]
        name = ["产值", "share, %", 'awards "A"', "growth"][kind] + f" {i:02d}"
        for k in range(n):
            blank = blanks and (i == 3 or rng.random() < 0.08)
            rows.append((name, last - n + 1 + k, "" if blank else f"{y[k]:.4g}"))
    if shuffle:
        rows = [rows[j] for j in rng.permutation(len(rows))]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["series", "year", "value"])
        writer.writerows(rows)


def _forecast(data, out, *extra) -> int:
    return cli.main(["forecast", "--data", str(data), "--horizon", "3", "--out", str(out), *extra])


def test_jobs_1_and_2_write_the_same_bytes_as_the_whole_table_writer(tmp_path, monkeypatch, capsys):
    """40 series in 4 chunks of 10, so two worker processes really share the work (the pool's minimum lowered for
    the test). The reference is the engine's in-memory table on a frame pandas read independently, written the way
    the command wrote it before streaming."""
    monkeypatch.setattr(batch, "POOL_MIN_SERIES", 0)
    data = tmp_path / "series.csv"
    _write_series(data)
    one, two, whole = tmp_path / "jobs1.csv", tmp_path / "jobs2.csv", tmp_path / "whole.csv"
    assert _forecast(data, one, "--jobs", "1") == 0
    out1 = capsys.readouterr()
    assert _forecast(data, two, "--jobs", "2") == 0
    out2 = capsys.readouterr()
    assert "1 process;" in out1.out and "2 processes;" in out2.out and "series/s" in out2.out
    assert "forecasting: 100%" in out2.err and "40/40" in out2.err  # the progress bar, on stderr
    frame = pd.read_csv(data, dtype={"series": str}, keep_default_na=False, na_values={"value": [""]})
    forecast_table(frame, horizon=3).to_csv(whole, index=False, lineterminator="\n", encoding="utf-8-sig")
    assert one.read_bytes() == two.read_bytes() == whole.read_bytes()
    table = pd.read_csv(one)
    assert len(table) == 40 * 3 and table["series"].is_monotonic_increasing
    assert table["model"].str.startswith("insufficient data").sum() >= 3  # one-point and blank-only series


def test_row_order_of_the_input_does_not_change_the_output(tmp_path, capsys):
    """Without blank values (whose note lists the missing years in the file's order) a shuffled file and the same
    rows sorted by series forecast to the same bytes."""
    shuffled, ordered = tmp_path / "shuffled.csv", tmp_path / "ordered.csv"
    _write_series(shuffled, n_series=12, blanks=False)
    _write_series(ordered, n_series=12, blanks=False, shuffle=False)
    assert shuffled.read_bytes() != ordered.read_bytes()
    assert _forecast(shuffled, tmp_path / "a.csv", "--jobs", "1") == 0
    assert _forecast(ordered, tmp_path / "b.csv", "--jobs", "1") == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    capsys.readouterr()


def test_a_failed_run_leaves_the_previous_output_and_no_temporary_file(tmp_path, monkeypatch, capsys):
    data, out = tmp_path / "series.csv", tmp_path / "out" / "f.csv"
    _write_series(data, n_series=30)
    out.parent.mkdir()
    out.write_text("the previous forecast\n", encoding="utf-8")
    calls = []

    def crash_on_the_25th(*args, **kwargs):
        calls.append(1)
        if len(calls) == 25:
            raise RuntimeError("a bug half-way through the file")
        return real(*args, **kwargs)

    real = batch.forecast_rows
    monkeypatch.setattr(batch, "forecast_rows", crash_on_the_25th)
    assert _forecast(data, out, "--jobs", "1", "--no-progress", "--force") == 1  # a bug: exit 1, one line
    assert "internal error: RuntimeError: a bug half-way through the file" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "the previous forecast\n"
    assert [p.name for p in out.parent.iterdir()] == ["f.csv"]


def test_bad_records_stop_the_run_before_any_output(tmp_path, capsys):
    data, out = tmp_path / "series.csv", tmp_path / "f.csv"
    data.write_text("series,year,value\na,2019,1\na,2020,2\nb,2020,\na,2019,3\nb,20,1\n", encoding="utf-8")
    assert _forecast(data, out, "--jobs", "2") == 2
    err = capsys.readouterr().err
    assert f"{data}, line 5: a 2019 already given on line 2" in err and f"{data}, line 6: expected a whole year" in err
    assert not out.exists() and list(tmp_path.iterdir()) == [data]


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_jobs_below_one_is_refused(tmp_path, capsys, jobs):
    data = tmp_path / "series.csv"
    _write_series(data, n_series=2)
    assert _forecast(data, tmp_path / "f.csv", "--jobs", jobs) == 2
    assert capsys.readouterr().err == f"error: --jobs: expected a number of processes of at least 1, found {jobs}\n"


def test_chunks_cover_every_series_once_in_order():
    for n, jobs in [(0, 2), (1, 2), (9, 4), (40, 2), (1000, 2), (75_000, 2), (75_000, 64)]:
        bounds = batch.chunk_bounds(n, jobs)
        assert [i for a, b in bounds for i in range(a, b)] == list(range(n))
        assert all(b - a <= batch.CHUNK for a, b in bounds)
        assert n < batch.MIN_CHUNK or all(b - a >= batch.MIN_CHUNK for a, b in bounds[:-1])
