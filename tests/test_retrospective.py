"""The retrospective: outcomes from published target-year values, each vintage's call scored against them."""

import numpy as np
import pandas as pd
import pytest

from qanalysis.assessment import retrospective
from qanalysis.registry import load_registry


def _frame(indicator, unit, start, values):
    return pd.DataFrame({"indicator": indicator, "year": range(start, start + len(values)), "value": values,
                         "unit": unit, "source": "S1"})


@pytest.fixture(scope="module")
def case():
    data = pd.concat([
        _frame("e_pm25", "微克/立方米", 2014, [60, 55, 50, 46, 42, 40, 37, 33, 30]),   # 2022 = 30 <= 35: met
        _frame("ind_new_product_rate", "%", 2014, [20, 21, 22, 23, 24, 25, 26, 27, 28]),  # 2022 = 28 < 35: missed
        _frame("c_prefab_share", "%", 2018, [9.0]),                                  # no 2022 value: no outcome
    ], ignore_index=True)
    return load_registry(), data


def test_outcomes_only_where_the_target_year_is_published(case):
    known = retrospective.outcomes(*case).set_index("subject")["outcome"].to_dict()
    assert known == {"e_pm25": "met", "ind_new_product_rate": "missed"}


def test_calls_are_scored_against_outcomes(case):
    retro = retrospective.retrospective(*case, as_of_years=(2018, 2020))
    assert len(retro) == 4 and set(retro["as_of"]) == {2018, 2020}
    npr = retro[retro["subject"] == "ind_new_product_rate"]
    assert (npr["p_meet"] < 0.05).all()           # a steady +1 point a year cannot reach 35 from 24 or 26
    assert list(npr["call"]) == ["missed", "missed"] and npr["right"].all()
    pm = retro[(retro["subject"] == "e_pm25") & (retro["as_of"] == 2020)].iloc[0]
    assert pm["p_meet"] > 0.66 and pm["call"] == "met" and bool(pm["right"])


def test_brier_score_is_the_mean_squared_probability_error(case):
    retro = retrospective.retrospective(*case, as_of_years=(2018, 2020))
    table = retrospective.scores(retro).set_index("as_of")
    for year, group in retro.groupby("as_of"):
        hit = (group["outcome"] == "met").to_numpy(float)
        expected = np.mean((group["p_meet"].to_numpy(float) - hit) ** 2)
        assert table.loc[year, "brier"] == pytest.approx(expected, abs=5e-4)
        assert table.loc[year, "calls"] == group["call"].notna().sum()
    assert table.loc[2020, "right"] == 2


@pytest.mark.parametrize("p, call", [(0.33, "missed"), (0.333, None), (0.5, None), (0.66, "met"), (0.659, None),
                                     (0.05, "missed"), (0.95, "met"), (float("nan"), None)])
def test_calls_follow_the_status_words(p, call):
    assert retrospective._call(p) == call


def test_default_vintages_run_from_the_launch_year_to_the_year_before_the_target_year(case):
    """The registry says launch 2018 and target 2022, so the calls scored are those made as of 2018-2021."""
    registry, _ = case
    retro = retrospective.retrospective(*case)
    assert (registry.launch_year, registry.target_year) == (2018, 2022)
    assert sorted(set(retro["as_of"])) == [2018, 2019, 2020, 2021]
    assert retro.equals(retrospective.retrospective(*case, as_of_years=range(2018, 2022)))
