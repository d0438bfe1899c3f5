"""The functions behind the explore notebook's widget: a what-if value moves P(meet) the way it should."""

import pandas as pd
import pytest

from qanalysis import settings
from qanalysis.registry import load_registry
from qanalysis.report.explore import default_target, explore_view, what_if_outlook, widget


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


def test_the_default_target_has_the_most_data(case):
    registry, data = case
    assert default_target(registry, data, 2020) == "e_pm25"
    more = pd.concat([data, pd.DataFrame({"indicator": "ind_new_product_rate", "year": range(2013, 2019),
                                          "value": 30.0, "unit": "%", "source": "S1"})])
    assert default_target(registry, more, 2020) == "ind_new_product_rate"
    assert default_target(registry, more, 2014) == "ind_new_product_rate"  # ties (2 values each): registry order


def test_without_a_kernel_the_widget_shows_a_static_view(case):
    bundle = widget(*case, as_of=2020, lang="en")._repr_mimebundle_()
    assert "VBox" not in bundle["text/plain"]
    html = bundle["text/html"]
    assert html.startswith('<img alt="e_pm25" src="data:image/png;base64,') and "<table" in html
    assert "P(meet)" in html and "likely" in html  # e_pm25 as of 2020: likely (P 82%)


def test_the_explorer_labels_a_declared_unit_in_english():
    """The MDG registry declares ‰; an English explorer chart writes its English label, not the symbol."""
    from qanalysis.report.pack import load_inputs
    from qanalysis.workspace import load_workspace
    ws = load_workspace(settings.ROOT / "examples" / "mdg")
    inputs = load_inputs(ws.indicators, ws.registry)
    fig, _ = explore_view(inputs.registry, inputs.data, "mdg4a_afg", 2000, lang="en")
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "per 1,000 live births"  # the unit above the y axis
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.endswith("per 1,000 live births") for t in legend) and not any("‰" in t for t in legend)
