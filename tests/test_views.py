"""Screen tables: rounded, labelled text that prints the same everywhere; and the method notebook's helpers."""

import numpy as np
import pandas as pd
import pytest

from qanalysis.errors import InputError
from qanalysis.registry import load_registry
from qanalysis.report import evidence as benchmark
from qanalysis.report import tables as views


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _row(target, p, status, latest=None, year=None, projected=np.nan, lo=np.nan, hi=np.nan):
    return {"target": target, "p_meet": p, "status": status, "latest_value": latest, "latest_year": year,
            "projected": projected, "lo80": lo, "hi80": hi, "eurostat_ratio": np.nan, "eurostat_category": "",
            "unsd_share": np.nan, "unsd_category": "", "reason": f"why {target}"}


def test_scorecard_rounds_to_whole_percents_and_three_figures(registry):
    table = pd.DataFrame([_row("e_pm25", 0.94812, "very likely", 28.0, 2021, 27.4567, 24.01, 31.2),
                          _row("c_xihu_cup", np.nan, "insufficient data")])
    view = views.scorecard(table, registry, "en")
    assert view.loc[0, "P(meet)"] == "95%" and view.loc[0, "latest"] == "28 (2021)"
    assert view.loc[0, "projected [80%]"] == "27.5 [24, 31.2]"
    assert view.loc[0, "goal"] == "≤ 35 μg/m³ (2022)"  # English units in an English table
    assert views.scorecard(table, registry, "zh").loc[0, "goal"] == "≤ 35 微克/立方米 (2022)"
    assert view.loc[1, "P(meet)"] == "—" and view.loc[1, "projected [80%]"] == "—"


def test_crosschecks_keep_only_rows_with_a_number(registry):
    rows = [_row("e_pm25", 0.9, "very likely"), _row("c_xihu_cup", np.nan, "insufficient data")]
    rows[1]["eurostat_category"] = "insufficient data"
    assert list(views.crosschecks(pd.DataFrame(rows))["target"]) == ["e_pm25"]


def test_vintages_show_percent_or_status():
    matrix = pd.DataFrame({2018: [np.nan, 0.5], 2019: [1.0, 0.123]}, index=["a", "b"])
    matrix.attrs["status"] = pd.DataFrame({2018: ["insufficient data", "about as likely as not"],
                                           2019: ["met", "unlikely"]}, index=["a", "b"])
    view = views.vintages(matrix)
    assert view.to_dict("list") == {"target": ["a", "b"], "2018": ["n/a", "50%"], "2019": ["100%", "12%"]}


def test_coverage_counts():
    cov = pd.DataFrame({"n_values": ["0", "1", "3", "7", "2"]})
    assert views.coverage_counts(cov)["count"].tolist() == [4, 2, 1]


def test_benchmark_example_sets_forecast_beside_truth():
    out = benchmark.example("India", range(1998, 2008), horizon=4)
    assert list(out["year"]) == [2008, 2009, 2010, 2011]
    assert out["actual"].tolist() == pytest.approx([2.643, 2.6, 2.563, 2.532], abs=1e-3)  # World Bank values as shipped
    assert ((out["lo80"] <= out["median"]) & (out["median"] <= out["hi80"])).all()
    with pytest.raises(InputError, match="no country 'Atlantis'"):
        benchmark.example("Atlantis", range(1998, 2008))


def test_benchmark_section_reads_marked_part():
    assert "MASE" in benchmark.section("accuracy")
    with pytest.raises(InputError, match="no section 'nope'"):
        benchmark.section("nope")


def test_benchmark_tables_pick_the_named_tables_of_a_subsection():
    text = benchmark.tables("accuracy", ("Point accuracy", "Goals measured"), after="### Main set")
    assert text.startswith("**Point accuracy") and "**Goals measured" in text
    assert all(line.startswith(("|", "**")) for line in text.splitlines() if line)
    with pytest.raises(InputError, match="no table 'Nonsense'"):
        benchmark.tables("accuracy", ("Nonsense",))


def test_retrospective_view_formats_calls():
    retro = pd.DataFrame({"p_meet": [0.95, np.nan], "call": ["met", None],
                          "right": pd.array([True, pd.NA], dtype="boolean")})
    view = views.retrospective(retro)
    assert view.to_dict("list") == {"p_meet": ["95%", "—"], "call": ["met", "—"], "right": ["yes", "—"]}
