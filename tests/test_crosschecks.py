"""The official cross-checks through `assess` with the real registry and tiny hand-made frames: they judge the target
year from values up to it only, never fill a passed target year or a closed window, count a flow milestone's window
only, and decide a visible target-year value outright."""

import math

import numpy as np
import pandas as pd
import pytest

from qanalysis.assessment import crosschecks
from qanalysis.assessment.assess import assess
from qanalysis.registry import load_registry

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
    assert crosschecks.official(tg, ind, hist, 2019) == pytest.approx(crosschecks.NO_CHECK, nan_ok=True)
    assert crosschecks.official(tg, ind, hist, 2018)["eurostat_category"] != NO


def test_target_meets_scalars_and_arrays(registry):
    pm = registry.target("e_pm25")
    assert pm.meets(35) is True and pm.meets(np.float64(35.1)) is False
    assert pm.meets(np.array([34.0, 35.0, 36.0])).tolist() == [True, True, False]
