"""The second reference workspace, examples/mdg: it loads, its registry validates, its committed processed files are
what a build gives, its outcomes are the engine's, and RESULTS.md reports the launch vintage's Brier scores that the
library computes."""

import re

import pandas as pd
import pytest

from qanalysis import settings
from qanalysis.assessment import retrospective
from qanalysis.ingest.build import build
from qanalysis.outputs import MARKER
from qanalysis.report.evidence import section
from qanalysis.report.pack import load_inputs
from qanalysis.workspace import load_workspace, reference_workspace

ROOT = settings.ROOT / "examples" / "mdg"


@pytest.fixture(scope="module")
def ws():
    return load_workspace(ROOT)


@pytest.fixture(scope="module")
def inputs(ws):
    return load_inputs(ws.indicators, ws.registry)


def test_workspace_is_a_reference_workspace(ws):
    assert ws.id == "mdg-2015" and ws.reference_id is None and ws.is_reference
    assert reference_workspace("mdg-2015").root.resolve() == ROOT.resolve()
    assert ws.registry == ROOT / "registry.yaml"
    # briefings and notebook runs go to the project's git-ignored out/, never into the committed example
    assert ws.briefings.resolve() == (settings.ROOT / "out" / "mdg").resolve()
    assert ws.runs.resolve() == (settings.ROOT / "out" / "mdg" / "runs").resolve()


def test_registry_validates_with_a_target_per_country_and_goal(inputs):
    registry = inputs.registry
    assert (registry.info.id, registry.policy, registry.base_year, registry.launch_year, registry.target_years,
            registry.data_from, str(registry.info.issued)) == ("mdg-2015", "A/RES/55/2", 1990, 2000, (2015,), 1990,
                                                                "2000-09-08")
    assert len(registry.targets) >= 30 and len(registry.targets) == len(registry.indicators) == 190
    sections = {t.section.split()[0] for t in registry.targets}
    assert sections == {"4.A", "5.A"}
    countries = {t.id.split("_")[1] for t in registry.targets}
    assert all(f"mdg4a_{c}" in {t.id for t in registry.targets} for c in countries)  # both goals for every country
    assert all(t.kind == "level" and t.op == "<=" and t.target_year == 2015 for t in registry.targets)
    assert registry.units.conversion_factor("‰", "‰") == 1.0 and registry.units.parse("/10万活产").factor == 1e-5


def test_targets_are_the_stated_fraction_of_the_1990_value(inputs):
    data = inputs.data.set_index(["indicator", "year"])["value"]
    for t in inputs.registry.targets:
        fraction = 3 if t.id.startswith("mdg4a") else 4
        assert t.value == round(data[(t.indicator, 1990)] / fraction, 2), t.id


def test_every_value_is_cited_and_every_year_1990_to_2015_is_there(inputs):
    data = inputs.data
    assert len(data) == 190 * 26 and sorted(set(data["year"])) == list(range(1990, 2016))
    assert set(data["source"]) == {"S01", "S02"}
    sources = pd.read_csv(ROOT / "raw" / "sources.csv", dtype=str, keep_default_na=False).set_index("id")
    for sid in ("S01", "S02", "S05"):
        assert re.search(r"github\.com/[^/]+/[^/]+/blob/[0-9a-f]{40}/", sources.loc[sid, "address"]), sid
        assert "Licence" in sources.loc[sid, "note"]


def test_rebuild_is_byte_identical_to_the_committed_processed_files(ws, tmp_path):
    result = build(ws.raw, tmp_path / "processed", ws.registry)
    committed = sorted(p.name for p in ws.processed.iterdir() if p.name != MARKER)
    assert sorted(result.files) == committed
    for name in committed:
        assert (tmp_path / "processed" / name).read_bytes() == (ws.processed / name).read_bytes(), name


def test_outcomes_csv_agrees_with_the_engine(inputs):
    table = pd.read_csv(ROOT / "outcomes.csv", dtype={"official": str}, keep_default_na=False)
    engine = retrospective.outcomes(inputs.registry, inputs.data).set_index("target")["outcome"]
    assert table.set_index("target")["outcome"].to_dict() == engine.to_dict()
    official = table[table["official"] != ""]
    assert len(official) == 95 and (official["agrees"] == "yes").sum() == 94  # MDG 5.A: all but Romania


def test_results_md_reports_the_launch_vintages_brier_scores(inputs):
    launch = inputs.registry.launch_year
    table = retrospective.baselines(inputs.registry, inputs.data, [launch])
    scores = retrospective.baseline_scores(table).iloc[0]
    line = re.search(rf"Launch vintage {launch}, Brier to 6 decimals: suite ([\d.]+); drift ([\d.]+); ratio call "
                     r"([\d.]+); base rate ([\d.]+)\.", section("mdg-retrospective"))
    assert line, "RESULTS.md has no launch-vintage line; rerun benchmarks/mdg_retrospective.py"
    reported = [float(x) for x in line.groups()]
    computed = [scores.brier_suite, scores.brier_drift, scores.brier_ratio, scores.brier_base]
    assert [abs(round(c, 6) - r) < 1e-9 for c, r in zip(computed, reported)] == [True] * 4
