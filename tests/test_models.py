"""Candidate forecasters: exact on lines where the method is exact, and the same numbers as statsmodels."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from qanalysis.forecast import models

YEARS = np.arange(2011, 2021)
LINE = 3.0 + 0.5 * np.arange(10)  # 3, 3.5, ..., 7.5


def test_drift_trend_and_arima_continue_an_exact_line():
    expected = 7.5 + 0.5 * np.arange(1, 5)
    for model in (models.drift, models.trend, models.arima):
        np.testing.assert_allclose(model(YEARS, LINE, 4), expected, rtol=0, atol=1e-9, err_msg=model.__name__)


def test_naive_carries_the_last_value():
    np.testing.assert_array_equal(models.naive(YEARS, LINE, 3), [7.5, 7.5, 7.5])


def test_theta_on_a_line_adds_half_the_slope():
    # SES on a line picks alpha = 1 (level = last value); Theta adds b/2 * (h - 1 + 1) = b*h/2 (Hyndman & Billah).
    np.testing.assert_allclose(models.theta(YEARS, LINE, 3), 7.5 + 0.25 * np.arange(1, 4), atol=1e-9)


def test_damped_fixed_is_drift_with_fading_slope():
    out = models.damped_fixed(np.array([2015, 2018]), np.array([10.0, 16.0]), 3)  # slope 2 a year
    np.testing.assert_allclose(out, [16 + 2 * 0.8, 16 + 2 * (0.8 + 0.64), 16 + 2 * (0.8 + 0.64 + 0.512)])


def test_damped_on_a_line_stays_close_to_it_and_below_it():
    out = models.damped(YEARS, LINE, 4)
    line = 7.5 + 0.5 * np.arange(1, 5)
    assert np.all(out <= line + 1e-9) and np.all(out >= line - 0.1)  # phi <= 0.98 bends it a little


def test_drift_and_trend_use_actual_years_across_a_gap():
    years = np.array([2018, 2019, 2020, 2021, 2024])
    values = 10 + 2.0 * (years - 2018)  # a line observed with a gap: 10, 12, 14, 16, 22
    np.testing.assert_allclose(models.drift(years, values, 2), [24, 26])
    np.testing.assert_allclose(models.trend(years, values, 2), [24, 26])


def test_equal_spacing_models_use_the_latest_run_of_consecutive_years():
    years = np.array([2010, 2011, 2012, 2013, 2016, 2017, 2018])
    t, z = models.latest_run(years, np.arange(7.0))
    np.testing.assert_array_equal(t, [2016, 2017, 2018])
    np.testing.assert_array_equal(z, [4, 5, 6])
    with pytest.raises(models.TooShort, match="arima needs at least 6 consecutive years, has 3"):
        models.arima(years, np.arange(7.0), 2)
    assert np.isfinite(models.theta(years, np.arange(7.0), 2)).all()  # 3 consecutive years suffice


@pytest.mark.parametrize("model,k", [(models.drift, 2), (models.trend, 3), (models.theta, 3)])
def test_too_short_is_refused_with_the_reason(model, k):
    with pytest.raises(models.TooShort, match=f"at least {k}"):
        model(YEARS[: k - 1], LINE[: k - 1], 2)


def _series(seed: int, n: int = 12) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 50 + np.cumsum(1.0 + rng.normal(0, 2.0, n))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_theta_matches_statsmodels_theta_model(seed):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    y = _series(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ThetaModel(pd.Series(y, index=pd.RangeIndex(len(y))), period=1, deseasonalize=False,
                         method="additive").fit(use_mle=False)
        theirs = np.asarray(res.forecast(4, theta=2))
    ours = models.theta(np.arange(len(y)), y, 4)
    # statsmodels optimises alpha continuously, ours on a 0.01 grid: forecasts agree to a fraction of the noise (sd 2).
    np.testing.assert_allclose(ours, theirs, atol=0.15)


@pytest.mark.parametrize("seed", [4, 5, 8, 9])
def test_damped_is_as_good_a_least_squares_fit_as_statsmodels(seed):
    """Same model as ExponentialSmoothing(trend='add', damped_trend=True, initialization_method='estimated'):
    our grid-and-exact-initial-states fit reaches an in-sample SSE within 1% of statsmodels' optimiser (or lower),
    and the forecasts agree to a small fraction of the series' noise (sd 2)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = _series(seed, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ExponentialSmoothing(pd.Series(y, index=pd.RangeIndex(len(y))), trend="add", damped_trend=True,
                                   initialization_method="estimated").fit()
    sse, _, _, _ = models.damped_fit(y)
    assert sse <= 1.01 * res.sse
    np.testing.assert_allclose(models.damped(np.arange(len(y)), y, 3), np.asarray(res.forecast(3)), atol=0.2)


def test_arima_is_an_ar1_of_the_changes_around_their_mean():
    # Changes 1, 3, 1, 3, 1, 3: mean mu = 2, demeaned -1, +1, ...; the least-squares autocorrelation is -1, clipped to
    # -0.98. Hand computation: next change 2 + (3 - 2) * (-0.98) = 1.02, then 2 + 1 * 0.9604 = 2.9604; last value 12.
    y = np.array([0.0, 1.0, 4.0, 5.0, 8.0, 9.0, 12.0])
    np.testing.assert_allclose(models.arima(np.arange(7), y, 2), [13.02, 15.9804], atol=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_arima_matches_statsmodels_arima_110_with_drift(seed):
    """Momentum data, d_t - 1 = 0.5 (d_{t-1} - 1) + noise (sd 1): our least squares and statsmodels' maximum
    likelihood for ARIMA(1,1,0) with trend "t" agree to a small fraction of the noise."""
    from statsmodels.tsa.arima.model import ARIMA

    rng = np.random.default_rng(seed)
    d = np.empty(14)
    d[0] = 1.0
    for i in range(1, 14):
        d[i] = 1 + 0.5 * (d[i - 1] - 1) + rng.normal(0, 1)
    y = 50 + np.cumsum(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ARIMA(y, order=(1, 1, 0), trend="t").fit().forecast(4)
    np.testing.assert_allclose(models.arima(np.arange(14), y, 4), theirs, atol=0.1)
