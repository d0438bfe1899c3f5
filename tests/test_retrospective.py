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


# --- the baselines beside the suite: drift, the Eurostat ratio call, the base rate ----------------------------------

def _level(op="<=", value=5.0, target_year=2010):
    from qanalysis.registry import Target
    return Target(id="t", section="s", name_zh="t", name_en="t", indicator="t", kind="level", op=op, value=value,
                  unit="%", target_year=target_year, window_start=None, clause="c")


def test_drift_probability_is_the_gaussian_random_walk_with_drift():
    from scipy.stats import norm
    history = pd.Series([10.0, 9.0, 8.5, 7.0, 6.0], index=pd.Index(range(2000, 2005), name="year"))
    slope = (6.0 - 10.0) / 4
    sigma = np.sqrt(np.sum((np.diff(history.to_numpy()) - slope) ** 2) / 3)
    h = 6  # 2004 -> 2010
    mean, sd = 6.0 + slope * h, sigma * np.sqrt(h * (1 + h / 4))
    p = retrospective.drift_probability(_level("<=", 5.0), history)
    assert p == pytest.approx(norm.cdf((5.0 - mean) / sd), rel=1e-12)
    assert retrospective.drift_probability(_level(">=", 5.0), history) == pytest.approx(1 - p, rel=1e-12)


def test_drift_probability_without_noise_or_history_or_horizon():
    line = pd.Series([10.0, 9.0, 8.0], index=pd.Index([2000, 2001, 2002], name="year"))  # sigma 0: the line decides
    assert retrospective.drift_probability(_level("<=", 3.0), line) == 1.0  # 8 - 8 = 0 by 2010
    assert retrospective.drift_probability(_level(">=", 3.0), line) == 0.0
    assert np.isnan(retrospective.drift_probability(_level(), line.iloc[:2]))  # two values: no sigma
    assert np.isnan(retrospective.drift_probability(_level(target_year=2002), line))  # the target year is visible
    windowed = _level().model_copy(update={"kind": "avg_growth", "window_start": 2003})
    assert np.isnan(retrospective.drift_probability(windowed, line))  # level targets only


@pytest.mark.parametrize("category, call", [("on track", "met"), ("target achieved", "met"),
                                            ("acceleration needed", "missed"), ("limited progress", "missed"),
                                            ("deterioration", "missed"), ("target not achieved", "missed"),
                                            ("not computable", None), ("insufficient data", None)])
def test_ratio_category_as_a_call(category, call):
    assert retrospective.ratio_call(category) == call


def test_baselines_score_the_targets_own_measures_against_three_references(case):
    table = retrospective.baselines(*case, as_of_years=(2018, 2020))
    assert list(table.columns) == retrospective.BASELINE_COLUMNS
    assert sorted(set(table["target"])) == ["e_pm25", "ind_new_product_rate"]  # targets with an outcome, no proxies
    assert (table["p_base"] == 0.5).all()  # one of the two met
    retro = retrospective.retrospective(*case, as_of_years=(2018, 2020))
    own = retro[~retro["proxy"]].set_index(["as_of", "target"])["p_meet"]
    assert table.set_index(["as_of", "target"])["p_meet"].equals(own.astype(float).sort_index())
    scores = retrospective.baseline_scores(table).set_index("as_of")
    for year, g in table.groupby("as_of"):
        hit = (g["outcome"] == "met").to_numpy(float)
        for column, p in (("brier_suite", g["p_meet"]), ("brier_drift", g["p_drift"]), ("brier_base", g["p_base"])):
            assert scores.loc[year, column] == pytest.approx(np.mean((p.to_numpy(float) - hit) ** 2), abs=1e-12)
        made = g[g["ratio_call"].notna()]
        assert scores.loc[year, "calls_ratio"] == len(made) == (0 if year == 2018 else 2)  # 2018: the base year's
        if made.empty:  # values are the latest, so no pace since it: "not computable", no call and no Brier score
            assert np.isnan(scores.loc[year, "brier_ratio"])
            continue
        wrong = (made["ratio_call"] != made["outcome"]).mean()  # a 0/1 call's Brier score is its error rate
        assert scores.loc[year, "brier_ratio"] == pytest.approx(wrong, abs=1e-12)
        assert scores.loc[year, "right_ratio"] == (made["ratio_call"] == made["outcome"]).sum()
    by_section = retrospective.baseline_scores(table, by="section")
    assert set(by_section["section"]) == {"二(一)", "二(三)"}  # ind_new_product_rate, e_pm25
    assert by_section.groupby("as_of")["targets"].sum().equals(scores["targets"])


def test_baselines_reuse_vintages_already_assessed(case):
    from qanalysis.assessment.assess import assess_vintages
    vintages = assess_vintages(*case, [2018, 2020])
    assert retrospective.baselines(*case, (2018, 2020), vintages=vintages).equals(
        retrospective.baselines(*case, (2018, 2020)))
    assert retrospective.retrospective(*case, (2018, 2020), vintages=vintages).equals(
        retrospective.retrospective(*case, (2018, 2020)))


def test_vintage_years_run_from_the_launch_to_the_year_before_the_target_year(case):
    registry, _ = case
    assert retrospective.vintage_years(registry) == [2018, 2021]
    assert retrospective.vintage_years(registry, step=1) == [2018, 2019, 2020, 2021]
    mdg = registry.model_copy(update={"info": registry.info.model_copy(update={"launch_year": 2000,
                                                                                "target_years": (2015,)})})
    assert retrospective.vintage_years(mdg) == [2000, 2005, 2010, 2014]


def test_screen_tables_of_the_baselines(case):
    from qanalysis.report import tables
    table = retrospective.baselines(*case, as_of_years=(2018, 2020))
    shown = tables.baseline_scores(retrospective.baseline_scores(table))
    assert list(shown.columns[:3]) == ["as_of", "targets", "met"]
    assert all(isinstance(x, str) and x.count("/") == 1 for x in shown["right/calls suite"])
    wrong = tables.wrong_calls(table.assign(call="met"), case[0], 2020)  # every call "met": the missed one is wrong
    assert list(wrong["target"]) == ["ind_new_product_rate"] and list(wrong["outcome"]) == ["missed"]


def test_call_years_run_from_launch_to_the_year_before_the_target():
    from qanalysis.assessment.retrospective import call_years
    from qanalysis.registry import load_registry

    registry = load_registry()  # launch 2018, target 2022
    assert call_years(registry, 2021) == range(2018, 2022)
    assert call_years(registry, 2024) == range(2018, 2022)  # 2022 on is observed, not a call
    assert call_years(registry, 2019) == range(2018, 2020)


def test_scored_pairs_keep_rows_with_a_probability_of_the_vintage_asked_for():
    table = pd.DataFrame({"as_of": [2000, 2000, 2000, 2005], "p_meet": [0.9, float("nan"), 0.2, 0.6],
                          "outcome": ["met", "met", "missed", "met"]})
    p, hit = retrospective.scored_pairs(table, 2000)
    assert p.tolist() == [0.9, 0.2] and hit.tolist() == [1.0, 0.0]
    p, hit = retrospective.scored_pairs(table)
    assert p.tolist() == [0.9, 0.2, 0.6] and hit.tolist() == [1.0, 0.0, 1.0]
