"""The official cross-checks through `assess` with the real registry and tiny hand-made frames: they judge the target
year from values up to it only, never fill a passed target year or a closed window, count a flow milestone's window
only, and decide a visible target-year value outright."""

import math

import numpy as np
import pandas as pd
import pytest

from qanalysis import settings
from qanalysis.assessment import crosschecks
from qanalysis.assessment.assess import assess
from qanalysis.assessment.status import Status
from qanalysis.registry import load_registry
from qanalysis.report.pack import load_inputs

NO = "insufficient data"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _frame(indicator, unit, values: dict) -> pd.DataFrame:
    return pd.DataFrame({"indicator": indicator, "year": list(values), "value": [float(v) for v in values.values()],
                         "unit": unit, "source": "S01"})


def _row(registry, frame, target, as_of):
    out = assess(registry, frame, as_of)
    return out.set_index("target").loc[target]


def test_pm25_later_value_never_stands_in_for_an_unpublished_target_year(registry):
    # 2024 meets <= 35 (30) but 2022 is unpublished: the target year has passed, so there is no check at all,
    # and certainly not "target achieved" from the 2024 value.
    frame = _frame("e_pm25", "微克/立方米", {2018: 40, 2019: 38, 2020: 37, 2021: 36, 2024: 30})
    row = _row(registry, frame, "e_pm25", 2024)
    assert row["eurostat_category"] == NO and row["unsd_category"] == NO
    assert math.isnan(row["eurostat_ratio"]) and math.isnan(row["unsd_share"])
    assert row["status"] == "insufficient data"


def test_pm25_open_window_uses_values_up_to_as_of(registry):
    # as of 2021: first 40 (2018), latest 36 (2021). CAGR_obs = (36/40)^(1/3) - 1 = -0.034511,
    # CAGR_req = (35/40)^(1/4) - 1 = -0.032829; d = -1 (<=), so R = -1 * -0.034511 / 0.032829 = 1.0512 -> on track.
    frame = _frame("e_pm25", "微克/立方米", {2018: 40, 2019: 38, 2020: 37, 2021: 36})
    row = _row(registry, frame, "e_pm25", 2021)
    assert row["eurostat_ratio"] == pytest.approx(1.051, abs=0.002)
    assert row["eurostat_category"] == "on track"
    # UNSD: v_hat = 36 * (1 - 0.034511) = 34.758; share = (34.758 - 40) / (35 - 40) = 1.048 -> on track
    assert row["unsd_share"] == pytest.approx(1.048, abs=0.002)


def test_flow_milestone_counts_only_the_window(registry):
    # A 2016 award lies before the 2019 window: the window's running sum (0, 0) never reaches 1.
    frame = _frame("q_china_quality_award", "家", {2016: 1, 2019: 0, 2020: 0})
    row = _row(registry, frame, "q_china_quality_award", 2021)
    assert row["eurostat_category"] == "target not achieved"
    assert row["unsd_category"] == "target not achieved"


def test_flow_milestone_in_window_is_achieved(registry):
    frame = _frame("q_china_quality_award", "家", {2016: 0, 2019: 0, 2020: 1})
    row = _row(registry, frame, "q_china_quality_award", 2021)
    assert row["eurostat_category"] == "target achieved"


def test_level_with_only_the_target_year_value_is_decided(registry):
    frame = _frame("e_pm25", "微克/立方米", {2022: 30})
    row = _row(registry, frame, "e_pm25", 2022)
    assert row["eurostat_category"] == "target achieved" and row["unsd_category"] == "target achieved"
    assert row["status"] == "met"
    missed = _row(registry, _frame("e_pm25", "微克/立方米", {2022: 35.5}), "e_pm25", 2022)
    assert missed["eurostat_category"] == "target not achieved" and missed["status"] == "missed"


def test_stale_latest_value_gives_no_check(registry):
    tg, ind = registry.target("e_pm25"), registry.indicators["e_pm25"]
    hist = pd.Series([40.0, 38.0], index=pd.Index([2012, 2013], name="year"))
    # as of 2019 the latest value (2013) is 6 > STALE_YEARS = 5 years old: no check; as of 2018 (5 years) there is one
    # (measured from a base year of 2012, so that the base rule does not decide it instead)
    assert crosschecks.official(tg, ind, hist, 2019, base_year=2012) == pytest.approx(crosschecks.NO_CHECK, nan_ok=True)
    assert np.isfinite(crosschecks.official(tg, ind, hist, 2018, base_year=2012)["eurostat_ratio"])


def test_target_meets_scalars_and_arrays(registry):
    pm = registry.target("e_pm25")
    assert pm.meets(35) is True and pm.meets(np.float64(35.1)) is False
    assert pm.meets(np.array([34.0, 35.0, 36.0])).tolist() == [True, True, False]


# --- the base year (registry: base_year 2018) ----------------------------------------------------------------------

NOT = "not computable"


def _robot(values: dict) -> pd.DataFrame:
    return _frame("ind_robot_coverage", "%", values)  # a level target: >= 38% in 2022


def _check(registry, target, values, as_of, base_year):
    """The cross-checks straight from `official`, on the visible values."""
    tg = registry.target(target)
    hist = pd.Series({y: float(v) for y, v in values.items() if y <= as_of}, dtype=float).rename_axis("year")
    return crosschecks.official(tg, registry.indicators[tg.indicator], hist, as_of, base_year=base_year)


RISE_THEN_FLAT = {2013: 12, 2014: 16, 2015: 20, 2016: 25, 2017: 29, 2018: 31, 2019: 31.3}


def test_level_check_starts_from_the_base_year_not_the_first_value(registry):
    assert registry.base_year == 2018
    row = _row(registry, _robot(RISE_THEN_FLAT), "ind_robot_coverage", 2019)
    # from 2018: CAGR_o = 31.3/31 - 1 = 0.0096774, CAGR_r = (38/31)^(1/4) - 1 = 0.0522174, R = 0.18533;
    # UNSD: v_hat = 31.3 * 1.0096774^3 = 32.2175, share = (32.2175 - 31) / (38 - 31) = 0.17393
    assert row["eurostat_ratio"] == pytest.approx(0.1853, abs=1e-3) and row["eurostat_category"] == "limited progress"
    assert row["unsd_share"] == pytest.approx(0.1739, abs=1e-3) and row["unsd_category"] == "acceleration needed"
    # the old start, the first visible value (2013: 12), would have said on track: (31.3/12)^(1/6) - 1 = 0.17326
    # against (38/12)^(1/9) - 1 = 0.13664, R = 1.2680
    old = _check(registry, "ind_robot_coverage", RISE_THEN_FLAT, 2019, base_year=None)
    assert old["eurostat_ratio"] == pytest.approx(1.268, abs=1e-3) and old["eurostat_category"] == "on track"


def test_unpublished_base_year_looks_back_at_most_two_years(registry):
    # 2017 and 2018 unpublished: the base is 2016 (25), two years earlier. CAGR_o = (32/25)^(1/4) - 1 = 0.063659,
    # CAGR_r = (38/25)^(1/6) - 1 = 0.072278, R = 0.88076; share = (32 * 1.063659^2 - 25) / (38 - 25) = 0.86184.
    # From the first value (2015: 20) it would be R = 1.026, on track.
    values = {2015: 20, 2016: 25, 2019: 30, 2020: 32}
    row = _row(registry, _robot(values), "ind_robot_coverage", 2020)
    assert row["eurostat_ratio"] == pytest.approx(0.8808, abs=1e-3) and row["eurostat_category"] == "acceleration needed"
    assert row["unsd_share"] == pytest.approx(0.8618, abs=1e-3)
    assert _check(registry, "ind_robot_coverage", values, 2020, None)["eurostat_category"] == "on track"
    assert crosschecks.BASE_LOOKBACK == 2


@pytest.mark.parametrize("values, category", [
    ({2013: 12, 2015: 20, 2019: 30, 2020: 32}, NOT),  # nothing in 2016-2018; 2019 is never the base, nor 2015
    ({2015: 20, 2019: 39, 2020: 40}, "target achieved"),  # no base, but the latest value already meets the target
])
def test_no_base_value_within_the_look_back_gives_no_ratio(registry, values, category):
    row = _row(registry, _robot(values), "ind_robot_coverage", 2020)
    assert (row["eurostat_category"], row["unsd_category"]) == (category, category)
    assert math.isnan(row["eurostat_ratio"]) and math.isnan(row["unsd_share"])
    assert row["status"] not in (NO, "met", "missed")  # P(meet) still has its forecast: only the check has no base


@pytest.mark.parametrize("values", [{2016: 25, 2017: 29, 2018: 31}, {2015: 20, 2016: 25, 2017: 29}])
def test_latest_value_at_the_base_is_not_computable(registry, values):
    # as of 2018 the latest value is the base (2018's own, or 2017's standing in for it): no pace since the base
    row = _row(registry, _robot(values), "ind_robot_coverage", 2018)
    assert (row["eurostat_category"], row["unsd_category"]) == (NOT, NOT)
    assert _check(registry, "ind_robot_coverage", values, 2018, None)["eurostat_category"] == "on track"


def test_pace_checks_count_only_the_window_after_the_base_year(registry):
    before = {2016: 6.0, 2017: 7.0, 2018: 8.0}  # growth >= 4% a year over 2019-2022: none of the window published
    assert _check(registry, "ind_trad_mfg_va_growth", before, 2018, 2018)["eurostat_category"] == NOT
    assert _check(registry, "ind_trad_mfg_va_growth", before, 2018, None)["eurostat_category"] == "on track"
    # 2019-2020 published: mean growth sqrt(1.03 * 1.04) - 1 = 3.4988%, R = 0.87470 whatever 2016-2018 were
    seen = {**before, 2019: 3.0, 2020: 4.0}
    for base_year in (2018, None):
        check = _check(registry, "ind_trad_mfg_va_growth", seen, 2020, base_year)
        assert check["eurostat_ratio"] == pytest.approx(0.8747, abs=1e-3)
        assert check["eurostat_category"] == "acceleration needed"
    awards = {2017: 5.0, 2018: 5.0}  # >= 10 new awards over 2019-2022: 5 a year before the window says nothing yet
    assert _check(registry, "q_prov_quality_award", awards, 2018, 2018)["eurostat_category"] == NOT
    assert _check(registry, "q_prov_quality_award", awards, 2018, None)["eurostat_ratio"] == pytest.approx(2.0)


# --- where a cross-check and P(meet) disagree --------------------------------------------------------------------

FLAGS, CALLS = ("unlikely", "very unlikely"), ("likely", "very likely")
SLOW = ("limited progress", "deterioration", "stagnation or regression")


def _contradicts(row) -> bool:
    """Written out here, apart from the code: on track beside a flag, or a slow pace beside a likely call."""
    cats = (row["eurostat_category"], row["unsd_category"])
    return ((row["status"] in FLAGS and "on track" in cats)
            or (row["status"] in CALLS and any(c in SLOW for c in cats)))


def test_a_disagreement_says_why_in_both_languages(registry):
    rising_then_dip = {2013: 10, 2014: 16, 2015: 22, 2016: 28, 2017: 33, 2018: 37, 2019: 36.8}
    row = _row(registry, _robot(rising_then_dip), "ind_robot_coverage", 2019)
    # from 2018 the value fell (37 -> 36.8): R = -(0.2/37) / ((38/37)^(1/4) - 1) = -0.808, deterioration; the
    # forecast from 2013 still rises: likely
    assert row["eurostat_ratio"] == pytest.approx(-0.808, abs=1e-3) and row["status"] in CALLS
    mid = f"{row['projected']:.3g}"
    assert row["reason"].endswith(
        ' The official ratio and share checks say "deterioration" and "stagnation or regression", measured from 2018 '
        "to 2019; P(meet) is higher because its forecast also counts the years before 2018: from the 7 values since "
        f"2013, its median for 2022 is {mid}%, which meets the target of ≥ 38%.")
    assert row["reason_zh"].endswith(
        "。官方比值与份额核查(2018—2019年)显示“倒退”、“停滞或倒退”，P(达成)较高，因为其预测还计入了2018年以前的数值，"
        f"基于2013年以来的7个数值，2022年中位数为{mid}%，达到目标≥38%。")


def test_no_sentence_where_they_agree(registry):
    row = _row(registry, _robot(RISE_THEN_FLAT), "ind_robot_coverage", 2019)  # limited progress, about even
    assert not _contradicts(row)
    assert "official" not in row["reason"] and "官方" not in row["reason_zh"]


def test_the_sentence_appears_exactly_where_the_categories_contradict_the_status():
    inputs = load_inputs(settings.ROOT / "examples" / "mdg" / "processed" / "indicators.csv",
                         settings.ROOT / "examples" / "mdg" / "registry.yaml")
    table = assess(inputs.registry, inputs.data, 2000)
    said_en = table["reason"].str.contains("The official ")
    said_zh = table["reason_zh"].str.contains("官方")
    expected = table.apply(_contradicts, axis=1)
    assert expected.sum() >= 5  # the MDG launch vintage has several: on track since 1990, yet flagged
    assert said_en.equals(expected) and said_zh.equals(expected)


def _facts(registry, values, checks, status, projected=36.0, base_year=2018):
    tg = registry.target("ind_robot_coverage")
    hist = pd.Series({y: float(v) for y, v in values.items()}, dtype=float).rename_axis("year")
    full = crosschecks.NO_CHECK | checks
    return crosschecks.disagreement(tg, registry.indicators[tg.indicator], hist, base_year, full, Status(status),
                                    projected)


ON = {"eurostat_ratio": 1.2, "eurostat_category": "on track", "unsd_share": 1.3, "unsd_category": "on track"}


@pytest.mark.parametrize("checks, status, found", [
    (ON, "unlikely", ["ratio", "share"]),
    (ON, "about as likely as not", None), (ON, "likely", None),
    ({"eurostat_ratio": 0.97, "eurostat_category": "on track", "unsd_share": 0.5,
      "unsd_category": "acceleration needed"}, "very unlikely", ["ratio"]),
    ({"eurostat_ratio": 0.7, "eurostat_category": "acceleration needed", "unsd_share": 0.05,
      "unsd_category": "stagnation or regression"}, "very likely", ["share"]),
    ({"eurostat_ratio": 0.7, "eurostat_category": "acceleration needed", "unsd_share": 0.5,
      "unsd_category": "acceleration needed"}, "very likely", None),
    ({"eurostat_ratio": -0.2, "eurostat_category": "deterioration"}, "unlikely", None),
])
def test_which_checks_contradict_the_status(registry, checks, status, found):
    facts = _facts(registry, {2018: 30, 2019: 33}, checks, status)
    assert (facts and facts["checks"]) == found


@pytest.mark.parametrize("values, checks, status, because", [
    # on track at 97% of the required pace beside a flag: the pace is just short
    ({2018: 30, 2019: 31}, {**ON, "eurostat_ratio": 0.97}, "unlikely",
     {"because": "pace", "check": "ratio", "value": 0.97}),
    # on track beside a flag, values before 2018 that the forecast counts
    ({2016: 40, 2017: 35, 2018: 30, 2019: 33}, ON, "unlikely",
     {"because": "forecast", "first": 2016, "n": 4, "mid": 36.0, "meets": False, "earlier": True}),
    # nothing before the base year, latest change away from a >= target
    ({2018: 30, 2019: 34, 2020: 33}, ON, "very unlikely",
     {"because": "latest", "y1": 2019, "v1": 34.0, "y2": 2020, "v2": 33.0, "toward": False}),
    # nothing before the base year, the latest change towards the target: the forecast
    ({2018: 30, 2019: 31, 2020: 33}, ON, "very unlikely",
     {"because": "forecast", "first": 2018, "n": 3, "mid": 36.0, "meets": False, "earlier": False}),
    # a pace called too slow beside a likely call, the latest change towards the target
    ({2018: 30, 2019: 29, 2020: 29.5}, {"eurostat_ratio": -0.1, "eurostat_category": "deterioration"}, "likely",
     {"because": "latest", "y1": 2019, "v1": 29.0, "y2": 2020, "v2": 29.5, "toward": True}),
])
def test_the_first_fact_that_accounts_for_the_difference(registry, values, checks, status, because):
    facts = _facts(registry, values, checks, status)
    assert {k: facts[k] for k in because} == because
    assert facts["start"] == 2018 and facts["end"] == max(values) and facts["lower"] == (status != "likely")
