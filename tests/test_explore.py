"""The functions behind the explore notebook's widget: a what-if value moves P(meet) the way it should."""

import pandas as pd
import pytest

from qanalysis.registry import load_registry
from qanalysis.report.explore import explore_view, what_if_outlook, widget


@pytest.fixture(scope="module")
def case():
    data = pd.DataFrame({"indicator": "e_pm25", "year": [2017, 2018, 2019, 2020], "value": [45.0, 40.0, 38.0, 36.0],
                         "unit": "微克/立方米", "source": "S1"})
    return load_registry(), data


def test_what_if_value_is_taken_as_published_next_year(case):
    base = what_if_outlook(*case, "e_pm25", 2020)
    good = what_if_outlook(*case, "e_pm25", 2020, next_value=30.0)
    bad = what_if_outlook(*case, "e_pm25", 2020, next_value=44.0)
    assert base.row["as_of"] == 2020 and good.row["as_of"] == 2021
    assert good.row["latest_year"] == 2021 and good.row["latest_value"] == 30.0
    assert good.row["p_meet"] > base.row["p_meet"] > bad.row["p_meet"]


def test_forcing_a_model_is_reported(case):
    out = what_if_outlook(*case, "e_pm25", 2020, model="naive")
    assert "naive" in out.row["method"]
    assert out.row["projected"] == pytest.approx(36.0, abs=0.5)  # naive carries the last value forward


def test_view_returns_a_chart_and_the_row(case):
    fig, row = explore_view(*case, "e_pm25", 2020, lang="en")
    assert row["target"] == "e_pm25" and fig.axes
    controls = widget(*case, as_of=2020, lang="en")
    assert len(controls.children) == 3


def test_the_as_of_slider_spans_the_registrys_years(case):
    """data_from 2013 to the target year 2022, starting at the as-of year given, else the year before the target."""
    slider = widget(*case, as_of=2020).children[0].children[1]
    assert (slider.min, slider.max, slider.value) == (2013, 2022, 2020)
    assert widget(*case).children[0].children[1].value == 2021
