"""forecast_series: tiers, scales, fallbacks, seeded paths that agree with the intervals, and calibration."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from qanalysis.errors import InputError, ModelError
from qanalysis.forecast.engine import (
    FORECAST_COLUMNS,
    Forecast,
    InsufficientData,
    candidate_names,
    forecast_series,
    forecast_table,
)
from qanalysis.ingest.series import read_series_csv


def test_two_points_drift_with_a_one_df_t_interval_from_the_change():
    fc = forecast_series([2018, 2020], [40.0, 32.4], 2, scale="level")
    # log drift = ln(0.81)/2 a year; 2022 point = 32.4 * 0.81 = 26.244.
    np.testing.assert_allclose(fc.mean, [32.4 * 0.9, 26.244], rtol=1e-9)
    assert (fc.model, fc.tier) == ("drift", "two points")  # falling: fitted on the log scale (engine._fits_values)
    s = abs(np.log(0.81)) / np.sqrt(2)  # one change over 2 years: its size per sqrt(year)
    sd = s * np.sqrt(2 + 2**2 / 2)  # random walk (h) plus drift uncertainty (h^2 / span)
    np.testing.assert_allclose(fc.lo95[1], 26.244 * np.exp(stats.t.ppf(0.025, 1) * sd), rtol=1e-9)
    # Upward the log-scale distance (26.244 * (exp(3.078 * 0.298) - 1) = 39.4) is longer than the same t on the
    # original scale: change -7.6 over 2 years, sd 7.6 / sqrt(2) * sqrt(2 + 2^2 / 2) = 10.75, so the cap applies
    # (recomputed by hand when the cap was added): 26.244 + 3.078 * 10.75 = 59.32.
    sd_raw = 7.6 / np.sqrt(2) * np.sqrt(2 + 2**2 / 2)
    np.testing.assert_allclose(fc.hi80[1], 26.244 + stats.t.ppf(0.9, 1) * sd_raw, rtol=1e-9)


def test_two_point_bands_stay_finite_and_paths_agree_with_them():
    fc = forecast_series([2007, 2008], [38.0, 141.7], 4, scale="level", n_paths=40000, seed=1)
    # log scale alone: upper 95 % near 1e34; the original-scale t caps it at the last value + 4 changes + 56.8 changes
    cap = 141.7 + 4 * 103.7 + stats.t.ppf(0.975, 1) * 103.7 * np.sqrt(4 + 16)
    assert np.all(np.isfinite(fc.hi95)) and fc.hi95[-1] <= cap * (1 + 1e-9)
    assert np.all(fc.lo95 > 0)
    for level, band in zip([0.025, 0.1, 0.9, 0.975], [fc.lo95, fc.lo80, fc.hi80, fc.hi95]):
        share_below = np.mean(fc.paths <= band, axis=0)  # in probability: t_1 quantiles are too noisy in value
        np.testing.assert_allclose(share_below, level, atol=0.01)


@pytest.mark.parametrize("values", [[4.4, 38.0, 141.7], [0.8, 7.4, 18.1], [15.5, 12.6, 27.5, 92.5, 155.4, 154.6]])
def test_log_growth_that_compounds_too_far_falls_back_to_a_straight_line(values):
    """Sunspots and Westinghouse capital: on the log scale these became 59,660, 4,257 and 1,058 four years on. The
    models now fit the original values of a rising series (engine._fits_values), so the automatic forecast does
    not compound; a model forced onto the log scale (loglinear) still does, and the original-scale guard, which caps
    the yearly move at 5 x the data's range per year, replaces it with drift, which stays within it."""
    years = np.arange(2000, 2000 + len(values))
    per_year = np.ptp(values) / (len(values) - 1)
    for model in (None, "loglinear"):
        fc = forecast_series(years, values, 4, scale="level", model=model)
        assert np.all(np.abs(fc.mean - values[-1]) <= 5 * per_year * np.arange(1, 5) * (1 + 1e-9))
    assert fc.model == "drift (fallback: loglinear compounded too far)"


def test_years_and_shapes():
    fc = forecast_series([2016, 2017, 2018, 2019], [1.0, 2.0, 3.0, 5.0], 3, n_paths=500)
    np.testing.assert_array_equal(fc.years, [2020, 2021, 2022])
    assert fc.paths.shape == (500, 3) and fc.years.dtype.kind == "i"
    assert isinstance(fc, Forecast) and fc.tier == "short (3-5)"
    assert fc.model == "combination(drift, trend, damped)"
    assert np.all(fc.lo95 <= fc.lo80) and np.all(fc.lo80 <= fc.mean) and np.all(fc.mean <= fc.hi80)
    assert np.all(fc.hi80 <= fc.hi95)


def test_paths_agree_with_the_intervals_and_are_seeded():
    years, values = np.arange(2010, 2020), 50 * np.exp(0.05 * np.arange(10)) * (1 + 0.03 * np.sin(np.arange(10)))
    a = forecast_series(years, values, 4, seed=3, n_paths=20000)
    b = forecast_series(years, values, 4, seed=3, n_paths=20000)
    c = forecast_series(years, values, 4, seed=4, n_paths=20000)
    np.testing.assert_array_equal(a.paths, b.paths)
    assert not np.array_equal(a.paths, c.paths)
    q = np.quantile(a.paths, [0.025, 0.1, 0.5, 0.9, 0.975], axis=0)
    for got, want in zip(q, [a.lo95, a.lo80, a.mean, a.hi80, a.hi95]):
        np.testing.assert_allclose(got, want, rtol=0.02)
    assert a.tier == "full (6+)"


def test_shares_and_scores_stay_within_0_100():
    fc = forecast_series([2018, 2019, 2020, 2021], [80.0, 90.0, 97.0, 99.0], 5, scale="share")
    assert fc.paths.min() >= 0 and fc.paths.max() <= 100 and fc.hi95.max() <= 100
    at100 = forecast_series([2019, 2020, 2021], [99.0, 100.0, 100.0], 2, scale="share")
    assert any("moved to 0.5 or 99.5" in n.text for n in at100.notes)
    assert 99 < at100.mean[0] <= 100


def test_counts_with_zeros_use_log1p_and_never_go_negative():
    fc = forecast_series(np.arange(2014, 2022), [0, 2, 1, 0, 3, 1, 0, 2], 4, scale="count")
    assert fc.paths.min() >= 0 and fc.lo95.min() >= 0


def test_growth_rates_are_modelled_on_the_raw_scale_and_may_turn_negative():
    fc = forecast_series([2016, 2017, 2018], [3.0, 0.0, -3.0], 2, scale="growth", model="drift")
    np.testing.assert_allclose(fc.mean, [-6.0, -9.0])


def test_a_level_with_negative_values_falls_to_the_raw_scale_with_a_note():
    fc = forecast_series([2018, 2019, 2020], [-2.0, 1.0, 4.0], 1, scale="level", model="drift")
    np.testing.assert_allclose(fc.mean, [7.0])
    assert any("negative values" in n.text for n in fc.notes)


@pytest.mark.parametrize("values,why", [([5.0], "only one value"), ([np.nan, np.nan], "no values"),
                                        ([np.nan, 3.0], "only one value")])
def test_one_value_or_none_is_insufficient_data(values, why):
    with pytest.raises(InsufficientData, match=why):
        forecast_series(list(range(2020, 2020 + len(values))), values, 2)
    assert issubclass(InsufficientData, ModelError) and not issubclass(InsufficientData, ValueError)


def test_constant_series_gets_a_flat_forecast_and_a_nonzero_interval():
    for n in (2, 4, 8):
        fc = forecast_series(np.arange(2015, 2015 + n), np.full(n, 12.0), 3)
        np.testing.assert_allclose(fc.mean, 12.0)
        assert np.all(fc.hi80 > 12.0) and np.all(fc.lo80 < 12.0)


def test_huge_values_are_fine_on_the_log_scale():
    y = 1e12 * 1.05 ** np.arange(8)
    fc = forecast_series(np.arange(2012, 2020), y, 3, model="drift")  # drift fitted to the original values
    np.testing.assert_allclose(fc.mean, y[-1] + (y[-1] - y[0]) / 7 * np.arange(1, 4), rtol=1e-9)
    fc = forecast_series(np.arange(2012, 2020), y, 3, model="loglinear")
    np.testing.assert_allclose(fc.mean, 1e12 * 1.05 ** np.arange(8, 11), rtol=1e-9)
    assert np.isfinite(fc.paths).all()


def test_missing_values_are_left_out_with_a_note_and_gaps_use_actual_years():
    fc = forecast_series([2018, 2019, 2020, 2021, 2024], [10.0, np.nan, 14.0, 16.0, 22.0], 1, scale="growth",
                         model="drift")
    np.testing.assert_allclose(fc.mean, [24.0])  # (22 - 10) / 6 years = 2 a year
    np.testing.assert_array_equal(fc.years, [2025])
    assert any("missing value" in n.text and "2019" in n.text for n in fc.notes)


def test_a_forced_model_without_enough_points_falls_back_with_the_reason():
    fc = forecast_series([2019, 2020], [10.0, 12.0], 2, scale="growth", model="theta")
    assert fc.model == "drift (fallback: theta needs at least 3 consecutive years, has 2)"
    np.testing.assert_allclose(fc.mean, [14.0, 16.0])
    with pytest.raises(ValueError, match="unknown model"):
        forecast_series([2019, 2020], [10.0, 12.0], 2, model="prophet")


def test_an_exploding_forecast_falls_back_step_by_step():
    # An exact line plus one jump: the linear trend stays sane, but on the raw scale a doubling series with a
    # horizon of 40 years moves more than 10x the data range: every model explodes and naive is left.
    fc = forecast_series([2019, 2020, 2021], [1.0, 2.0, 3.0], 40, scale="growth", model="trend")
    assert fc.model.startswith("naive (fallback: trend exploded")
    np.testing.assert_allclose(fc.mean, 3.0)
    assert any("exploded" in n.text for n in fc.notes)


def test_exact_lines_through_the_full_tier():
    years = np.arange(2011, 2021)
    line = 20.0 + 1.5 * np.arange(10)
    for model, expected in [("drift", 33.5 + 1.5 * np.arange(1, 4)), ("trend", 33.5 + 1.5 * np.arange(1, 4)),
                            ("theta", 33.5 + 0.75 * np.arange(1, 4)), ("arima", 33.5 + 1.5 * np.arange(1, 4))]:
        fc = forecast_series(years, line, 3, scale="growth", model=model)
        np.testing.assert_allclose(fc.mean, expected, atol=1e-6, err_msg=model)
        assert fc.model == model


def test_candidate_names():
    assert candidate_names() == ["naive", "drift", "trend", "damped", "theta", "arima", "loglinear", "combination"]
    fc = forecast_series(np.arange(2015, 2020), 10 * 1.1 ** np.arange(5), 2, scale="share", model="loglinear")
    np.testing.assert_allclose(fc.mean, 10 * 1.1 ** np.array([5, 6]), rtol=1e-6)


def test_no_warnings_escape():
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in (2, 3, 6, 12):
            for scale in ("level", "share", "count", "growth"):
                values = np.abs(50 + np.cumsum(rng.normal(0, 5, n)))
                forecast_series(np.arange(2000, 2000 + n), np.minimum(values, 100), 4, scale=scale)


def test_80_percent_intervals_cover_about_80_percent_of_random_walks_with_drift():
    """Known law: log-level random walk with drift, 8 points, 300 seeds; the 80% interval must cover 70-90%."""
    rng = np.random.default_rng(2024)
    hits = []
    for i in range(300):
        mu, s = rng.uniform(-0.08, 0.08), rng.uniform(0.03, 0.15)
        y = np.exp(np.log(50) + np.cumsum(mu + s * rng.standard_normal(11)))
        fc = forecast_series(np.arange(2011, 2019), y[:8], 3, seed=i, n_paths=2)
        hits.append((y[8:] >= fc.lo80) & (y[8:] <= fc.hi80))
    coverage = np.mean(hits, axis=0)
    assert np.all((coverage >= 0.70) & (coverage <= 0.90)), coverage


def test_forecast_table_contract_and_short_series():
    df = pd.DataFrame({"series": ["b", "b", "b", "a", "c", "c"], "year": [2019, 2020, 2021, 2020, 2019, 2020],
                       "value": [1.0, 2.0, 3.0, 5.0, np.nan, np.nan]})
    out = forecast_table(df, horizon=2)
    assert list(out.columns) == FORECAST_COLUMNS
    assert out["series"].tolist() == ["a", "a", "b", "b", "c", "c"]
    assert out["year"].tolist() == [2021, 2022, 2022, 2023, 2021, 2022]
    short = out[out["series"] == "a"]
    assert short[["mean", "lo80", "hi80", "lo95", "hi95"]].isna().all().all()
    assert short["model"].iloc[0] == "insufficient data: only one value (2020); a trend needs at least two"
    assert out[out["series"] == "c"]["model"].iloc[0] == "insufficient data: no values"
    assert out[out["series"] == "b"]["mean"].notna().all()
    pd.testing.assert_frame_equal(out, forecast_table(df, horizon=2))  # deterministic


def test_read_series_csv_reads_and_names_the_bad_line(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("series,year,value\nx,2019,1.5\nx,2020,\n", encoding="utf-8")
    frame = read_series_csv(good)
    assert frame["year"].tolist() == [2019, 2020] and np.isnan(frame["value"].iloc[1])
    bad = tmp_path / "bad.csv"
    bad.write_text("series,year,value\nx,2019,1.5\nx,2020,abc\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv, line 3: expected a number .* found 'abc'"):
        read_series_csv(bad)
    bad.write_text("series,year,value\nx,20x9,1.5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: expected a whole year"):
        read_series_csv(bad)
    bad.write_text("series,year,value\nx,2019,1\nx,2019,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3: x 2019 already given on line 2"):
        read_series_csv(bad)
    bad.write_text("name,year,value\nx,2019,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: expected the columns series,year,value \(each once\); found name,year,value"):
        read_series_csv(bad)
    with pytest.raises(InputError, match="file not found"):
        read_series_csv(tmp_path / "none.csv")
    chinese = tmp_path / "excel.csv"
    chinese.write_bytes("series,year,value\n指标,2019,1\n".encode("gb18030"))  # what Chinese Excel saves
    assert read_series_csv(chinese)["series"].tolist() == ["指标"]


DEGENERATE = {
    "constant": lambda n: np.full(n, 7.0),
    "zeros": lambda n: np.zeros(n),
    "negatives": lambda n: -5.0 - np.arange(n),
    "huge": lambda n: 1e12 * (1 + 0.1 * np.arange(n)),
    "at 100": lambda n: np.full(n, 100.0),
    "at 0": lambda n: np.zeros(n),
    "one spike": lambda n: np.r_[np.ones(n - 1), 1e6],
    "zigzag": lambda n: np.where(np.arange(n) % 2, 90.0, 1.0),
    "with NaN": lambda n: np.r_[np.nan, 3.0 + np.arange(n - 1)] if n > 2 else np.array([3.0, 4.0]),
}


@pytest.mark.parametrize("kind", sorted(DEGENERATE))
def test_degenerate_series_never_crash_and_stay_possible(kind):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in (2, 3, 6, 10):
            values = DEGENERATE[kind](n)
            for scale in ("level", "count", "share", "score", "growth"):
                if scale in ("share", "score"):
                    values = np.clip(values, 0, 100)
                fc = forecast_series(np.arange(2010, 2010 + n), values, 5, scale=scale, n_paths=200)
                assert np.isfinite(fc.paths).all() and np.isfinite(fc.mean).all(), (kind, n, scale)
                assert np.all(fc.lo95 <= fc.mean + 1e-9 * np.abs(fc.mean)) and np.all(fc.mean <= fc.hi95 * (1 + 1e-9))
                if scale in ("share", "score"):
                    assert fc.paths.min() >= 0 and fc.paths.max() <= 100
                if scale == "count" and (values[np.isfinite(values)] >= 0).all():
                    assert fc.paths.min() >= 0


def test_the_method_names_the_scale_the_points_were_fitted_on():
    """A rising positive series is fitted on its values (engine._fits_values) and the forecast says so; a falling one
    on the logs; a forced loglinear trend on the logs whatever the series does."""
    years = range(2010, 2016)
    assert forecast_series(years, [10, 12, 15, 19, 24, 30], 3).fitted_on == "values (bands on log)"
    assert forecast_series(years, [30, 24, 19, 15, 12, 10], 3).fitted_on == "log"
    assert forecast_series(range(2010, 2013), [10, 12, 15], 3, scale="share").fitted_on == "logit"
    assert forecast_series(years, [10, 12, 15, 19, 24, 30], 3, model="loglinear").fitted_on == "log"
