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
    assert view.to_dict("list") == {"target": ["a", "b"], "2018": ["n/a", "50%"], "2019": [">99%", "12%"]}


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


def test_sections_follow_the_registry_order_and_headings(registry):
    found = views.sections(registry)
    assert [len(s.targets) for s in found] == [12, 16, 3]
    assert found[2].heading == "二(三) 突出生态环境质量提升" and found[2].title("en") == "II.3 Better environmental quality"
    assert views.section(registry, 2).targets == ("e_pm25", "e_surface_water_iii", "e_eco_satisfaction")
    assert all(t.section == found[0].heading for t in registry.targets if t.id in found[0].targets)
    with pytest.raises(InputError, match=r"SECTION = 3: the registry has 3 sections \(0: 二\(一\)"):
        views.section(registry, 3)


def test_section_of_another_registry():
    from qanalysis.workspace import reference_workspace

    mdg = load_registry(reference_workspace("mdg-2015").registry)
    assert [s.title("en") for s in views.sections(mdg)] == ["4.A Reduce under-five mortality by two thirds",
                                                            "5.A Reduce maternal mortality by three quarters"]


def test_show_is_an_html_table_with_fixed_formats_and_coloured_status(registry):
    table = pd.DataFrame([_row("e_pm25", 0.998, "very likely", 28.0, 2021, 27.4567, 24.01, 31.2),
                          _row("c_xihu_cup", 0.002, "unlikely"), _row("c_dayu_award", np.nan, "insufficient data")])
    shown = views.show(views.scorecard(table, registry, "zh"), "zh")
    html = shown._repr_html_()
    assert html == views.show(views.scorecard(table, registry, "zh"), "zh")._repr_html_()  # same bytes every run
    assert "<th" in html and "达成概率" in html and "状态" in html and "P(meet)" not in html  # headers in Chinese
    assert "&gt;99%" in html and "&lt;1%" in html and "很可能达成" in html and "数据不足" in html
    assert "background-color: #2166ac;\n  color: #ffffff;" in html  # STATUS_COLOURS, readable ink on the dark blue
    assert 'class="row_heading' not in html and "blank level0" not in html  # no index
    assert "目标编号" in repr(shown) and "很可能达成" in repr(shown)  # the text form is the same table
    english = views.show(views.scorecard(table, registry, "en"), "en")._repr_html_()
    assert "P(meet)" in english and "very likely" in english and english != html


def test_show_formats_raw_numbers():
    frame = pd.DataFrame({"year": [2008], "median": [2.64321], "p_meet": [0.5], "n": pd.array([pd.NA], "Int64")})
    assert views.show(frame).shown.iloc[0].tolist() == ["2008", "2.64", "50%", "—"]


def test_section_findings_count_only_the_section_and_compare_with_the_year_before(registry):
    from qanalysis import workspace
    from qanalysis.assessment.assess import assess_vintage
    from qanalysis.report import findings, pack

    ws = workspace.current(None)
    data = pack.load_inputs(ws.indicators, ws.registry).data
    env = views.section(registry, 2)
    text = findings.paragraph(registry, data, assess_vintage(registry, data, 2021), "en", env.targets)
    assert text.startswith("As of 2021, of 3 quantified targets: 1 is likely or very likely")
    assert "Since the 2020 outlook" in text
    launch = findings.paragraph(registry, data, assess_vintage(registry, data, 2018), "en", env.targets)
    assert "of 3 quantified targets" in launch and launch.endswith("This is the first outlook, in the policy's launch year.")


def test_status_counts_and_the_sources_list():
    from qanalysis.report import tables
    counts = tables.status_counts(pd.DataFrame({"status": ["met", "likely", "met"]}))
    assert counts.to_dict("records") == [{"status": "met", "count": 2}, {"status": "likely", "count": 1}]
    listed = tables.sources(pd.DataFrame({"id": ["S01"], "title": ["x" * 80], "publisher": ["p"]}))
    assert listed.columns.tolist() == ["id", "title"] and listed.loc[0, "title"] == "x" * 50
