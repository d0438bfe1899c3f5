"""The benchmark's design rules that its honesty rests on (benchmarks/README.md): the committed extracts are the
documented bytes, no source may exceed 40 % of a set, the calibration/report split is by series and stable, and the
interval constants reduce to the earlier formula when set back."""

import sys
from pathlib import Path

import numpy as np
import pytest

from qanalysis.forecast import intervals

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def acc():
    pytest.importorskip("statsmodels")
    sys.path.insert(0, str(BENCH))
    try:
        import accuracy
    finally:
        sys.path.remove(str(BENCH))
    return accuracy


def test_the_committed_extracts_are_the_documented_bytes(acc):
    acc.check_data()  # raises SystemExit naming the file when a sha256 differs
    sources = (BENCH / "data" / "SOURCES.md").read_text(encoding="utf-8")
    assert all(digest in sources for digest in acc.EXTRACT_SHA256.values())


@pytest.mark.parametrize("counts", [{"a": 5000, "b": 300, "c": 200}, {"a": 900, "b": 900, "c": 900, "d": 50},
                                    {"a": 10, "b": 10, "c": 10}])
def test_no_source_holds_more_than_40_percent_and_the_cap_is_the_largest_that_keeps_that(acc, counts):
    cap = acc.source_cap(counts, share=0.4, most=10**6)
    kept = {k: min(n, cap) for k, n in counts.items()}
    assert max(kept.values()) <= 0.4 * sum(kept.values())
    more = {k: min(n, cap + 1) for k, n in counts.items()}
    assert cap + 1 > 0.4 * sum(more.values()) or cap + 1 > max(counts.values())


def test_the_split_is_by_series_stable_and_about_even(acc):
    names = [f"series-{i}" for i in range(2000)]
    halves = [acc.half_of("m3", n) for n in names]
    assert halves == [acc.half_of("m3", n) for n in names]
    assert 0.45 < halves.count("report") / len(halves) < 0.55


def test_calibration_constants_set_back_give_the_earlier_formula():
    err = intervals.ErrorModel(walk=0.04, drift=0.004, nu=7)
    u2 = [(4, 1, 0.5), (4, 2, 2.0), (5, 1, 1.5), (5, 2, 3.0), (6, 1, 0.2)]
    old = intervals.calibrate(err, u2, 3, [], prior=1.0, weight=1.0, pool_longer=True)
    c2 = [np.mean([0.5, 2.0, 1.5, 3.0, 0.2]), np.mean([2.0, 3.0]), np.mean([2.0, 3.0])]
    m = [3, 2, 2]
    np.testing.assert_allclose(old, [np.sqrt((7 + k * c) / (7 + k)) for c, k in zip(c2, m)])
    assert intervals.pooled_df(err, u2, df_max=None).nu == 7 + 3
    assert intervals.pooled_df(err, u2).nu == min(7 + 3, intervals.DF_MAX or 10**6)
    assert intervals.pooled_df(err, []).nu == 7  # no rolling origins: the series' own degrees of freedom


def test_smoothness_is_the_lag_one_autocorrelation_of_the_changes_and_scales_the_interval():
    t = np.arange(2000, 2012)
    smooth = np.cumsum(np.cumsum(np.full(12, 0.01)))  # changes rise steadily: rho near 1
    rough = np.cumsum(np.tile([0.05, -0.03], 6))  # changes alternate: rho near -1
    assert intervals.change_autocorrelation(t, smooth) > 0.6 > -0.6 > intervals.change_autocorrelation(t, rough)
    assert intervals.change_autocorrelation(t[:3], smooth[:3]) == 0.0  # two changes: no autocorrelation to speak of
    assert intervals.change_autocorrelation(t, np.full(12, 3.0)) == 0.0  # equal changes
    gaps = np.array([2000, 2001, 2003, 2004, 2005, 2007])  # changes per year, over the actual years
    assert intervals.change_autocorrelation(gaps, 0.1 * (gaps - 2000)) == 0.0
    err = intervals.ErrorModel(walk=0.04, drift=0.004, nu=7)
    u2 = [(4, 1, 0.5), (4, 2, 2.0), (5, 1, 1.5), (5, 2, 3.0), (6, 1, 0.2)]
    base = intervals.calibrate(err, u2, 3, [], rho=0.0)
    for rho in (-0.5, 0.3, 0.9):
        np.testing.assert_allclose(intervals.calibrate(err, u2, 3, [], rho=rho),
                                   base * np.exp(-intervals.SMOOTH_SHRINK * rho))
    assert np.all(intervals.calibrate(err, [], 3, [], rho=0.9) == 1.0)  # no rolling origins: no calibration at all
