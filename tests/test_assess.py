"""assess: every kind on a hand-computed example, status words, the official cross-checks, probability sanity and
reliability, proxies and vintages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qanalysis.assessment import assess as A
from qanalysis.assessment.status import status_word
from qanalysis.errors import InputError
from qanalysis.registry import Indicator, Registry, RegistryInfo, Target


def ind(id_, unit, scale, flow=False, proxy_for=None) -> Indicator:
    return Indicator(id=id_, name_zh=id_, name_en=f"{id_} (en)", unit=unit, scale=scale, flow=flow, scope="全市",
                     proxy_for=proxy_for, bureau_table=f"{id_} table")


def tgt(id_, indicator, kind, op, value, unit, window_start=None, proxies=()) -> Target:
    return Target(id=id_, section="s", name_zh=id_, name_en=id_, indicator=indicator, kind=kind, op=op, value=value,
                  unit=unit, target_year=2022, window_start=window_start, clause="c", proxies=proxies)


INDICATORS = [
    ind("pm25", "微克/立方米", "level"), ind("pm25_zj", "微克/立方米", "level", proxy_for="pm25"),
    ind("share", "%", "share"), ind("growth", "%", "growth"), ind("va", "亿元", "level"),
    ind("awards", "家", "count", flow=True), ind("rank", "位", "rank"), ind("prize", "家", "count", flow=True),
    ind("clusters", "个", "count"), ind("sat_zj", "分", "score", proxy_for="share"),
]
TARGETS = [
    tgt("t_pm25", "pm25", "level", "<=", 35, "微克/立方米", proxies=("pm25_zj",)),
    tgt("t_share", "share", "level", ">=", 60, "%", proxies=("sat_zj",)),
    tgt("t_growth", "growth", "avg_growth", ">=", 4, "%", window_start=2019),
    tgt("t_cagr", "va", "avg_growth", ">=", 4, "%", window_start=2019),
    tgt("t_awards", "awards", "cumulative", ">=", 70, "家", window_start=2019),
    tgt("t_rank", "rank", "rank", "<=", 1, "位"),
    tgt("t_prize", "prize", "milestone", ">=", 1, "家", window_start=2019),
    tgt("t_clusters", "clusters", "milestone", ">=", 1, "个", window_start=2019),
]
REG = Registry(targets=tuple(TARGETS), indicators={i.id: i for i in INDICATORS})


def frame(**series: dict) -> pd.DataFrame:
    rows = [(k, y, v, "", "S01") for k, values in series.items() for y, v in values.items()]
    return pd.DataFrame(rows, columns=["indicator", "year", "value", "unit", "source"])


def row(target_id, as_of, **series) -> dict:
    return A.outlook_for(REG, frame(**series), target_id, as_of).row


# --- status words -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("p,word", [(1.0, "very likely"), (0.90, "very likely"), (0.899, "likely"), (0.66, "likely"),
                                    (0.659, "about as likely as not"), (0.331, "about as likely as not"),
                                    (0.33, "unlikely"), (0.101, "unlikely"), (0.10, "very unlikely"),
                                    (0.0, "very unlikely"), (float("nan"), "insufficient data")])
def test_status_word_boundaries(p, word):
    assert status_word(p) == word


def test_contract_columns():
    assert A.contract_columns() == ["target", "as_of", "latest_year", "latest_value", "projected", "lo80", "hi80",
                                    "p_meet", "status", "method", "reason"]


# --- level --------------------------------------------------------------------------------------------------------

def test_level_two_points_hand_computed():
    r = row("t_pm25", 2020, pm25={2018: 40.0, 2020: 32.4})
    # log drift ln(0.81)/2 a year -> 2022 point 32.4 * 0.81 = 26.244; s = |ln 0.81|/sqrt 2, sd(h=2) = 2 s = 0.2980;
    # P(<= 35) = P(T_1 <= ln(35/26.244)/0.2980 = 0.9657) = 0.5 + atan(0.9657)/pi = 0.7446.
    assert r["projected"] == pytest.approx(26.24, abs=0.005)
    assert r["p_meet"] == pytest.approx(0.7446, abs=0.02)
    assert r["status"] == "likely" and r["latest_year"] == 2020 and r["latest_value"] == 32.4
    assert r["method"] == "drift on log, 2 points; t interval from one change (1 df)"
    assert r["reason"] == ("Latest 32.4 μg/m³ (2020); falling about 3.8 a year; 35 μg/m³ needs no further fall; "
                           f"{round(100 * r['p_meet'])}% chance of ≤ 35 μg/m³ in 2022.")
    out = A.outlook_for(REG, frame(pm25={2018: 40.0, 2020: 32.4}), "t_pm25", 2020)
    np.testing.assert_allclose(out.required_path.to_numpy(), [32.4, 33.7, 35.0])
    assert out.required_path.index.tolist() == [2020, 2021, 2022] and out.measure == "2022 value"


def test_level_met_missed_and_unpublished_target_year():
    assert row("t_pm25", 2022, pm25={2021: 28.0, 2022: 30.0})["status"] == "met"
    r = row("t_pm25", 2024, pm25={2021: 28.0, 2022: 36.0, 2024: 30.0})
    assert (r["status"], r["p_meet"], r["projected"]) == ("missed", 0.0, 36.0)
    assert r["reason"] == "2022 value 36 μg/m³ misses the target of ≤ 35 μg/m³."
    r = row("t_pm25", 2024, pm25={2021: 28.0, 2024: 30.0})
    assert r["status"] == "insufficient data"
    assert r["reason"] == "The 2022 value is not published; later values are not used to fill it."


STALE = "Latest value is from 2015, more than 5 years before 2021; too old to project."


@pytest.mark.parametrize("series,why", [({}, "No value published up to 2021."),
                                        ({2019: 50.0}, "Only one value (50% in 2019); a trend needs at least two."),
                                        ({2013: 50.0, 2015: 52.0}, STALE)])
def test_level_insufficient_data_says_why(series, why):
    r = row("t_share", 2021, share=series)
    assert (r["status"], r["reason"], r["method"]) == ("insufficient data", why, "none")
    assert np.isnan(r["p_meet"])


def test_probability_sanity_far_beyond_and_far_behind_the_trend():
    history = {2013 + i: 30 + 2.0 * i + (0.4 if i % 2 else -0.4) for i in range(8)}  # about 30 -> 44, +2 a year
    far = Registry(targets=(tgt("hi", "share", "level", ">=", 80, "%"), tgt("lo", "share", "level", ">=", 30, "%")),
                   indicators={"share": INDICATORS[2]})
    table = A.assess(far, frame(share=history), 2020)
    p = dict(zip(table["target"], table["p_meet"]))
    assert p["hi"] < 0.02 and p["lo"] > 0.98  # trend gives ~48% in 2022


# --- average growth -----------------------------------------------------------------------------------------------

def test_avg_growth_observed_window_geometric_mean():
    r = row("t_growth", 2022, growth={2018: 9.0, 2019: 5.0, 2020: 3.0, 2021: 4.0, 2022: 4.5})
    # (1.05 * 1.03 * 1.04 * 1.045) ** (1/4) - 1 = 4.1223%
    assert (r["status"], r["projected"]) == ("met", pytest.approx(4.122, abs=1e-3))
    r = row("t_growth", 2022, growth={2019: 3.0, 2020: 4.0, 2021: 4.0, 2022: 4.0})
    assert (r["status"], r["projected"]) == ("missed", pytest.approx(3.749, abs=1e-3))


def test_avg_growth_mixes_observed_years_with_simulated_ones():
    out = A.outlook_for(REG, frame(growth={2016: 6.0, 2017: 6.0, 2018: 6.0, 2019: 6.0, 2020: 6.0}), "t_growth", 2020)
    # A flat 6% series: drift, trend and damped all say 6 for 2021-2022, so the window average is 6% at the median.
    assert out.row["projected"] == pytest.approx(6.0, abs=0.05)
    assert out.row["p_meet"] > 0.9 and out.measure == "average annual growth 2019-2022"
    assert out.forecast is not None and out.forecast.years.tolist() == [2021, 2022] and out.required_path is None
    gap = row("t_growth", 2021, growth={2018: 5.0, 2019: 5.0, 2021: 5.0})
    assert gap["status"] == "insufficient data"
    assert gap["reason"] == "No growth published for 2020, a gap inside the 2019-2022 window; gaps are not filled."


def test_avg_growth_of_a_level_series_is_its_cagr():
    r = row("t_cagr", 2022, va={2018: 100.0, 2022: 120.0})
    assert (r["status"], r["projected"]) == ("met", pytest.approx(4.664, abs=1e-3))  # 1.2 ** 0.25 - 1
    r = row("t_cagr", 2020, va={2016: 90.0, 2018: 100.0, 2020: 104.0})
    assert r["status"] not in ("met", "missed", "insufficient data") and 0 <= r["p_meet"] <= 1
    no_base = row("t_cagr", 2020, va={2019: 100.0, 2020: 104.0})
    assert no_base["reason"] == "No positive 2018 value to measure growth from."


# --- cumulative ---------------------------------------------------------------------------------------------------

def test_cumulative_partial_sum_already_met_regardless_of_gaps():
    r = row("t_awards", 2021, awards={2019: 50.0, 2021: 25.0})
    assert (r["status"], r["p_meet"], r["projected"]) == ("met", 1.0, 75.0)


def test_cumulative_complete_window_and_gap():
    assert row("t_awards", 2022, awards={2019: 20.0, 2020: 18.0, 2021: 17.0, 2022: 14.0})["status"] == "missed"
    r = row("t_awards", 2021, awards={2018: 17.0, 2019: 20.0, 2021: 15.0})
    assert r["status"] == "insufficient data"
    assert r["reason"] == ("No annual additions published for 2020, a gap inside the 2019-2022 window; gaps are not "
                           "filled (35 counted so far).")


def test_cumulative_forecasts_the_unobserved_years_and_needs_a_pace():
    history = {2016: 15.0, 2017: 16.0, 2018: 17.0, 2019: 20.0, 2020: 18.0}
    out = A.outlook_for(REG, frame(awards=history), "t_awards", 2020)
    np.testing.assert_allclose(out.required_path.to_numpy(), [38, 54, 70])  # from 38 in 2020 to 70 in 2022
    assert out.required_path.index.tolist() == [2020, 2021, 2022]
    # About 19 a year is expected, so the total is near 38 + 38 = 76 against 70.
    assert 72 <= out.row["projected"] <= 80 and 0.6 <= out.row["p_meet"] <= 0.95
    assert out.measure == "sum of annual additions 2019-2022"
    high = Registry(targets=(tgt("x", "awards", "cumulative", ">=", 200, "家", window_start=2019),),
                    indicators={"awards": INDICATORS[5]})
    assert A.outlook_for(high, frame(awards=history), "x", 2020).row["p_meet"] < 0.05


# --- rank and milestone -------------------------------------------------------------------------------------------

def test_rank_is_judged_on_observations_only():
    assert row("t_rank", 2022, rank={2021: 2.0, 2022: 1.0})["status"] == "met"
    assert row("t_rank", 2022, rank={2022: 2.0})["status"] == "missed"
    r = row("t_rank", 2021, rank={2019: 2.0, 2021: 1.0})
    assert (r["status"], r["reason"]) == ("insufficient data",
                                          "No rank published for 2022; latest rank 1 (2021); ranks are not forecast.")
    assert r["eurostat_category"] == "target achieved"


def test_milestone_flow_sum_and_stock_any_value():
    r = row("t_prize", 2020, prize={2013: 0.0, 2019: 0.0, 2020: 1.0})
    assert (r["status"], r["reason"]) == ("met", "Achieved in 2020 (1); a milestone once reached stays met.")
    assert r["method"] == "observed" and r["projected"] == 1.0
    r = row("t_prize", 2020, prize={2019: 0.0, 2020: 0.0})
    assert (r["status"], r["reason"]) == ("insufficient data", "Not achieved as of 2020; milestones are not forecast.")
    assert row("t_prize", 2022, prize={2019: 0.0, 2020: 0.0, 2021: 0.0, 2022: 0.0})["status"] == "missed"
    assert row("t_clusters", 2019, clusters={2019: 4.0})["status"] == "met"


# --- official cross-checks -----------------------------------------------------------------------------------

def test_eurostat_and_unsd_on_a_falling_level_hand_computed():
    reg = Registry(targets=(tgt("x", "pm25", "level", "<=", 35, "微克/立方米"),),
                   indicators={"pm25": INDICATORS[0]})
    r = A.outlook_for(reg, frame(pm25={2013: 70.0, 2017: 45.0}), "x", 2017).row
    # CAGR_o = (45/70)^(1/4) - 1 = -0.104572; CAGR_r = (35/70)^(1/9) - 1 = -0.074125; R = -(-0.104572)/0.074125.
    assert r["eurostat_ratio"] == pytest.approx(1.411, abs=1e-3) and r["eurostat_category"] == "on track"
    # v_hat = 45 * 0.895428^5 = 25.904; share = (25.904 - 70) / (35 - 70) = 1.260.
    assert r["unsd_share"] == pytest.approx(1.260, abs=1e-3) and r["unsd_category"] == "on track"


@pytest.mark.parametrize("history,value,ratio,eu,share,un", [
    ({2015: 50.0, 2018: 45.0}, 60, -1.308, "deterioration", -1.090, "stagnation or regression"),
    ({2016: 20.0, 2018: 25.0}, 45, 0.816, "acceleration needed", 0.7625, "acceleration needed"),
    ({2016: 20.0, 2018: 62.0}, 60, None, "target achieved", None, "target achieved"),
])
def test_cross_check_categories(history, value, ratio, eu, share, un):
    reg = Registry(targets=(tgt("x", "share", "level", ">=", value, "%"),), indicators={"share": INDICATORS[2]})
    r = A.outlook_for(reg, frame(share=history), "x", 2018).row
    assert (r["eurostat_category"], r["unsd_category"]) == (eu, un)
    if ratio is not None:
        assert r["eurostat_ratio"] == pytest.approx(ratio, abs=1e-3)
        assert r["unsd_share"] == pytest.approx(share, abs=1e-3)


def test_cross_checks_for_growth_and_cumulative_compare_paces():
    r = row("t_growth", 2020, growth={2019: 6.0, 2020: 5.0})
    # mean growth sqrt(1.06 * 1.05) - 1 = 5.4988%, target 4%: R = 1.3747; UNSD: needed
    # 1.04^4 - 1 = 0.169859, got 1.113 * 1.113 - 1 = 0.238769 -> share 1.4057.
    assert r["eurostat_ratio"] == pytest.approx(1.375, abs=1e-3) and r["eurostat_category"] == "on track"
    assert r["unsd_share"] == pytest.approx(1.406, abs=1e-3)
    r = row("t_awards", 2020, awards={2019: 20.0, 2020: 18.0})
    # pace 19 a year against 70 / 4 = 17.5 needed; share (38 + 2 * 19) / 70.
    assert r["eurostat_ratio"] == pytest.approx(1.086, abs=1e-3) and r["unsd_share"] == pytest.approx(1.086, abs=1e-3)
    assert row("t_pm25", 2020, pm25={2020: 30.0})["eurostat_category"] == "insufficient data"


def _with_base_year(registry: Registry, base_year: int) -> Registry:
    """The same targets under a `registry:` block that declares `base_year`."""
    info = RegistryInfo(id="t", policy="p", title_zh="t", title_en="t", issued="2018-12-10", launch_year=2018,
                        base_year=base_year, target_years=(2022,), data_from=2010)
    return Registry(targets=registry.targets, indicators=registry.indicators, info=info)


def test_cross_checks_start_from_the_declared_base_year_else_the_first_value():
    reg = Registry(targets=(tgt("x", "share", "level", ">=", 60, "%"),), indicators={"share": INDICATORS[2]})
    data = frame(share={2013: 30.0, 2015: 40.0, 2018: 45.0})
    # no `registry:` block, no base year: from the first value, CAGR_o = (45/30)^(1/5) - 1 = 0.084472,
    # CAGR_r = (60/30)^(1/9) - 1 = 0.080060, R = 1.0551 (on track)
    r = A.outlook_for(reg, data, "x", 2018).row
    assert r["eurostat_ratio"] == pytest.approx(1.055, abs=1e-3) and r["eurostat_category"] == "on track"
    # base year 2015: CAGR_o = (45/40)^(1/3) - 1 = 0.040042, CAGR_r = (60/40)^(1/7) - 1 = 0.059634, R = 0.67146
    r = A.outlook_for(_with_base_year(reg, 2015), data, "x", 2018).row
    assert r["eurostat_ratio"] == pytest.approx(0.6715, abs=1e-3) and r["eurostat_category"] == "acceleration needed"
    # base year 2018 is the latest value: no pace since it
    assert A.outlook_for(_with_base_year(reg, 2018), data, "x", 2018).row["eurostat_category"] == "not computable"


def test_average_growth_of_a_level_series_starts_the_year_before_its_window():
    # 2018 (the year before the 2019 window) unpublished: the base is 2017 (90), not the first value (2013: 50).
    # CAGR_o = (104/90)^(1/3) - 1 = 0.049374, required 4%: R = 1.2343; the required 2022 value is 90 * 1.04^5, so
    # share = (104 * 1.049374^2 - 90) / (90 * 1.04^5 - 90) = 1.2577. From 2013 it would be R = 2.757.
    r = row("t_cagr", 2020, va={2013: 50.0, 2017: 90.0, 2019: 100.0, 2020: 104.0})
    assert r["eurostat_ratio"] == pytest.approx(1.234, abs=1e-3) and r["unsd_share"] == pytest.approx(1.258, abs=1e-3)
    far = row("t_cagr", 2020, va={2013: 50.0, 2015: 60.0, 2019: 100.0, 2020: 104.0})  # nothing in 2016-2018
    assert far["eurostat_category"] == "not computable" and np.isnan(far["eurostat_ratio"])


# --- proxies, tables, vintages ------------------------------------------------------------------------------------

def test_proxies_are_shown_beside_never_in_place():
    data = frame(pm25={2020: 30.0}, pm25_zj={2018: 34.0, 2019: 31.0, 2020: 25.0, 2021: 24.0})
    main = A.outlook_for(REG, data, "t_pm25", 2021).row
    assert main["status"] == "insufficient data" and main["indicator"] == "pm25"
    assert main["proxies"].startswith("pm25_zj: very likely (")
    proxy = A.outlook_for(REG, data, "t_pm25", 2021, indicator="pm25_zj").row
    assert proxy["method"].startswith("proxy pm25_zj: ")
    assert proxy["reason"].startswith("Proxy (pm25_zj (en)): Latest 24")
    table = A.assess_proxies(REG, data, 2021)
    assert table["proxy"].tolist() == ["pm25_zj", "sat_zj"] and table["target"].tolist() == ["t_pm25", "t_share"]
    unit_clash = table.set_index("proxy").loc["sat_zj"]
    assert unit_clash["reason"] == "Proxy (sat_zj (en)): The proxy is in 分, the target in %; they cannot be compared."


def test_assess_table_shape_order_and_extra_values():
    data = frame(pm25={2018: 40.0, 2019: 38.0, 2020: 30.0}, share={2017: 40.0, 2018: 45.0})
    table = A.assess(REG, data, 2020)
    assert table.columns.tolist() == A.CONTRACT + A.EXTRAS
    assert table["target"].tolist() == [t.id for t in TARGETS]
    assert str(table["latest_year"].dtype) == "Int64" and table["as_of"].eq(2020).all()
    what_if = A.outlook_for(REG, data, "t_share", 2020, extra_values={2019: 58.0, 2020: 61.0, 2023: 99.0}).row
    assert what_if["latest_year"] == 2020 and what_if["latest_value"] == 61.0 and what_if["n_obs"] == 4
    forced = A.outlook_for(REG, data, "t_pm25", 2020, model="naive").row
    assert forced["projected"] == 30.0 and forced["method"].startswith("naive on log, 3 points")
    with pytest.raises(InputError, match="no target 'nope'"):
        A.outlook_for(REG, data, "nope", 2020)


def test_bad_visible_data_is_an_input_error_naming_the_record():
    data = frame(pm25={2018: 40.0, 2019: 38.0})
    twice = pd.concat([data, data.iloc[[0]]])
    with pytest.raises(InputError, match="pm25 2018: given twice"):
        A.assess(REG, twice, 2020)
    A.assess(REG, twice, 2017)  # the duplicate is after as_of: not seen, not checked


def test_vintage_matrix():
    data = frame(pm25={2018: 40.0, 2019: 38.0, 2020: 30.0, 2021: 28.0}, awards={2019: 50.0, 2020: 30.0})
    vm = A.vintage_matrix(A.assess_vintages(REG, data, (2018, 2019, 2020, 2021)))
    assert vm.columns.tolist() == [2018, 2019, 2020, 2021] and vm.index.tolist() == [t.id for t in TARGETS]
    assert np.isnan(vm.loc["t_pm25", 2018]) and vm.loc["t_pm25", 2021] > 0.9
    assert vm.loc["t_awards", 2020] == 1.0
    status = vm.attrs["status"]
    assert status.loc["t_pm25", 2018] == "insufficient data" and status.loc["t_awards", 2020] == "met"
    assert status.loc["t_awards", 2019] == "insufficient data"  # one value: no pace yet


def test_p_meet_is_reliable_on_simulated_series():
    """P(meet) from 8 points of a log random walk with drift, 400 seeds, thresholds around the last value: in each
    band of the status words (<= 1/3, 1/3-2/3, >= 2/3) the observed frequency is within 2.5 standard errors (or 0.1)
    of the mean predicted probability."""
    rng = np.random.default_rng(7)
    reg = Registry(targets=(tgt("x", "va", "level", ">=", 1.0, "亿元"),), indicators={"va": INDICATORS[4]})
    preds, outcomes = [], []
    for i in range(400):
        mu, s = rng.uniform(-0.08, 0.08), rng.uniform(0.03, 0.15)
        y = np.exp(np.log(50) + np.cumsum(mu + s * rng.standard_normal(11)))
        threshold = y[7] * np.exp(rng.uniform(-0.5, 0.5))
        one = Registry(targets=(reg.targets[0].model_copy(update={"value": float(threshold)}),),
                       indicators=reg.indicators)
        r = A.outlook_for(one, frame(va=dict(zip(range(2012, 2020), y[:8]))), "x", 2019, seed=i).row
        preds.append(r["p_meet"])
        outcomes.append(y[10] >= threshold)
    preds, outcomes = np.array(preds), np.array(outcomes)
    for lo, hi in [(0, 1 / 3), (1 / 3, 2 / 3), (2 / 3, 1.01)]:
        m = (preds >= lo) & (preds < hi)
        assert m.sum() >= 40
        p = preds[m].mean()
        assert abs(outcomes[m].mean() - p) <= max(0.1, 2.5 * np.sqrt(p * (1 - p) / m.sum())), (lo, m.sum())
    assert np.mean((preds - outcomes) ** 2) < 0.13  # Brier; climatology is about 0.25


# --- one source for the row and the chart --------------------------------------------------------------------------

@pytest.mark.parametrize("as_of,history", [(2020, {2018: 40.0, 2020: 29.8}),  # two points: 1-df t, widest MC error
                                           (2021, {2018: 40.0, 2019: 38.0, 2020: 29.8, 2021: 28.0})])
def test_fan_chart_at_the_target_year_shows_the_rows_numbers(as_of, history):
    from qanalysis.report.fanchart import fan_chart

    out = A.outlook_for(REG, frame(pm25=history), "t_pm25", as_of)
    r, fc = out.row, out.forecast
    assert fc.years[-1] == 2022
    # The outlook's bands are read off the same sample paths as the row (the row keeps 4 significant digits).
    for column, drawn in [("projected", fc.mean[-1]), ("lo80", fc.lo80[-1]), ("hi80", fc.hi80[-1])]:
        assert r[column] == float(f"{drawn:.4g}"), column
    assert fc.lo95[-1] < r["lo80"] < r["projected"] < r["hi80"] < fc.hi95[-1]
    fig = fan_chart(out, "en")
    ax = fig.axes[0]
    (central,) = [a for a in ax.lines if a.get_gid() == "forecast"]
    assert central.get_ydata()[-1] == pytest.approx(r["projected"], rel=1e-3)
    (band,) = [a for a in ax.collections if a.get_gid() == "band80"]
    at = band.get_paths()[0].vertices
    at = at[np.isclose(at[:, 0], 2022), 1]
    assert at.min() == pytest.approx(r["lo80"], rel=1e-3) and at.max() == pytest.approx(r["hi80"], rel=1e-3)


def test_required_growth_of_the_remaining_window_years_comes_from_the_engine():
    from qanalysis.report.fanchart import fan_chart

    out = A.outlook_for(REG, frame(growth={2018: 5.0, 2019: 3.0, 2020: -2.0}), "t_growth", 2020)
    need = A.required_growth(out)
    expected = 100 * ((1.04 ** 4 / (1.03 * 0.98)) ** 0.5 - 1)  # 2021-2022 must make up for 2019-2020
    assert need.index.tolist() == [2021, 2022] and need.to_numpy() == pytest.approx([expected, expected])
    (line,) = [a for a in fan_chart(out, "zh").axes[0].lines if a.get_gid() == "required"]
    np.testing.assert_allclose(line.get_ydata(), [expected, expected])
    assert A.required_growth(A.outlook_for(REG, frame(growth={2017: 5.0, 2018: 5.0}), "t_growth", 2018)) is None
    assert A.required_growth(A.outlook_for(REG, frame(pm25={2019: 40.0, 2020: 38.0}), "t_pm25", 2020)) is None


def test_the_chinese_reason_follows_the_contract_columns():
    table = A.assess(REG, frame(pm25={2018: 40.0, 2020: 32.4}), 2020)
    assert table.columns[len(A.CONTRACT)] == "reason_zh" and "reason_zh" not in A.contract_columns()
    assert table.set_index("target").loc["t_pm25", "reason_zh"].startswith("最新值 32.4 微克/立方米(2020年);")
