"""An analyst's workspace end to end: init, fill the template, check, build on the reference data, report.

The analyst's values must take precedence over the published ones, conflicts must be listed with both sources, and
nothing the analyst does may change the project's committed data, notebooks or test fixtures.
"""

from __future__ import annotations

import hashlib

import openpyxl
import pandas as pd
import pytest
from conftest import BUREAU_ROWS, BUREAU_SOURCES, fill_template

from qanalysis import settings
from qanalysis.cli import main
from qanalysis.errors import InputError
from qanalysis.ingest.new_workspace import TEMPLATE, init_workspace
from qanalysis.workspace import DEFAULT_REFERENCE, ENV, current


def _project_files() -> dict[str, str]:
    """Hashes of everything committed that a workspace run could touch: data/ and the notebooks."""
    files = [*(settings.ROOT / "data").rglob("*"), *settings.NOTEBOOKS.glob("*.ipynb")]
    return {str(p.relative_to(settings.ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(files) if p.is_file()}


@pytest.fixture
def filled(tmp_path):
    """A new workspace with the synthetic bureau values of conftest filled in, as an analyst would in Excel."""
    ws = init_workspace(tmp_path / "ws", reference=DEFAULT_REFERENCE)
    fill_template(ws.root / TEMPLATE, BUREAU_ROWS)
    (ws.raw / "sources.csv").write_text(BUREAU_SOURCES, encoding="utf-8")
    return ws


def test_init_makes_a_ready_workspace(tmp_path, capsys):
    assert main(["init", str(tmp_path / "mine")]) == 0
    ws = current(tmp_path / "mine")
    assert ws.reference_id == DEFAULT_REFERENCE and not ws.is_reference
    assert ws.registry.read_bytes() == current().registry.read_bytes()
    assert (ws.raw / "sources.csv").read_text(encoding="utf-8").startswith("id,title,publisher,address")
    book = openpyxl.load_workbook(ws.root / TEMPLATE)
    assert book.sheetnames[:3] == ["产业", "产品服务工程", "生态环境"]
    assert all((ws.root / d).is_dir() for d in ("processed", "runs", "briefings"))
    assert "qanalysis check --workspace" in capsys.readouterr().out


@pytest.mark.parametrize("where", ["inside", "non-empty"])
def test_init_refuses_the_project_and_existing_folders(tmp_path, where):
    folder = settings.ROOT / "notebooks" / "mine" if where == "inside" else tmp_path
    (tmp_path / "x.txt").write_text("keep me", encoding="utf-8")
    expected = "inside the project" if where == "inside" else "already exists and is not an empty folder"
    with pytest.raises(InputError, match=expected):
        init_workspace(folder, reference=DEFAULT_REFERENCE)
    assert not (settings.ROOT / "notebooks" / "mine").exists() and (tmp_path / "x.txt").exists()


def test_bureau_values_take_precedence_and_conflicts_are_listed(filled, capsys):
    before = _project_files()
    assert main(["check", "--workspace", str(filled.root)]) == 0
    assert "36 values in 4 tables" in capsys.readouterr().out
    assert main(["build", "--workspace", str(filled.root)]) == 0
    conflicts = (filled.processed / "conflicts.csv").read_text(encoding="utf-8-sig")
    assert conflicts == ("indicator,year,published,bureau,difference,published_source,bureau_source\n"
                         "e_pm25,2020,29.8,30,0.2,S11,B01\n"
                         "q_city_quality_award,2023,5,6,1,S05,B02\n")
    data = pd.read_csv(filled.indicators).set_index(["indicator", "year"])
    assert data.loc[("e_pm25", 2020), "source"] == "B01"  # the bureau's value replaced the published one
    assert data.loc[("e_pm25", 2024), "source"] == "S13"  # a published year the bureau lacks is kept
    assert data.loc[("e_pm25", 2018), "value"] == 40  # identical in both: one value, no conflict
    assert len(data) == 52 + 36 - 6 and not data.index.duplicated().any()
    report = (filled.processed / "build_report.md").read_text(encoding="utf-8")
    assert "46 of its values kept; 4 given again identically" in report and "| e_pm25 | 2020 | 29.8 | 30 | +0.2 |" in report
    sources = pd.read_csv(filled.processed / "sources.csv")
    assert {"B01", "B02", "S13"} <= set(sources["id"]) and "S11" not in set(sources["id"])  # S11 only gave 2020

    assert main(["report", "--workspace", str(filled.root), "--as-of", "2021", "--lang", "en"]) == 0
    pack = filled.briefings / "briefing-2021-en"
    summary = (pack / "summary.md").read_text(encoding="utf-8")
    assert "## Values that differ from the published ones — 2" in summary
    assert "| Urban PM2.5 annual mean concentration | 2020 | 29.8 | 30 | 0.2 | S11 | B01 |" in summary
    assert "## Findings" in summary and "主要发现" not in summary
    book = openpyxl.load_workbook(pack / "scorecard.xlsx")
    assert [c.value for c in book["Conflicts"]["A"]][1:] == ["e_pm25", "q_city_quality_award"]
    assert (pack / "figures" / "e_pm25.png").stat().st_size > 10_000
    assert _project_files() == before


def test_no_reference_builds_from_the_workspace_alone(filled):
    assert main(["build", "--workspace", str(filled.root), "--no-reference"]) == 0
    data = pd.read_csv(filled.indicators)
    assert len(data) == 36 and set(data["source"]) == {"B01", "B02"}
    assert not (filled.processed / "conflicts.csv").exists()


def test_the_environment_variable_names_the_workspace(filled, monkeypatch):
    monkeypatch.setenv(ENV, str(filled.root))
    assert main(["build"]) == 0
    assert (filled.processed / "conflicts.csv").exists()


def test_check_lists_every_problem_at_once_grouped_by_sheet(filled, capsys):
    book = openpyxl.load_workbook(filled.root / TEMPLATE)
    book["产业"]["H7"] = "n/a?"  # ind_new_product_rate 2016: not a number
    book["产业"]["C12"] = "台"  # ind_robot_coverage: a unit that is not a share
    book["生态环境"]["A4"] = "e_pm52"  # a mistyped code
    book["产品服务工程"]["D4"] = "B09"  # a source nobody listed
    book["产业"]["I7"] = -5  # a negative share: found by the range check in the same pass
    book.save(filled.root / TEMPLATE)
    assert main(["check", "--workspace", str(filled.root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: 5 problems in 3 places:")
    sheets = [line for line in err.splitlines() if line.endswith(("产业", "生态环境", "产品服务工程"))]
    assert [s.rsplit("sheet ", 1)[1] for s in sheets] == ["产业", "产品服务工程", "生态环境"]
    assert "  cell H7: expected a number for 2016" in err
    assert '  cell C12: unknown unit "台"' in err
    assert "  cell I7: expected a share between 0 and 100 for ind_new_product_rate 2017 (%), found -5" in err
    assert 'indicator code "e_pm52" is not in the registry; did you mean "e_pm25"?' in err
    assert '  cell D4: source "B09" is not in sources.csv' in err


def test_a_source_id_the_reference_uses_is_refused(filled, capsys):
    (filled.raw / "sources.csv").write_text(BUREAU_SOURCES.replace("B01,", "S01,"), encoding="utf-8")
    assert main(["check", "--workspace", str(filled.root)]) == 2
    assert 'source id "S01" is already used by the reference data' in capsys.readouterr().err


def test_another_policy_runs_from_init_to_report_with_no_code_change(tmp_path, capsys):
    """The fictional demo registry (targets for 2025, its own 吨/万吨) through the analyst's commands."""
    registry = settings.ROOT / "tests" / "fixtures" / "demo-2021" / "registry.yaml"
    root = tmp_path / "demo"
    assert main(["init", str(root), "--targets", str(registry)]) == 0
    ws = current(root)
    assert ws.reference_id is None  # another policy stands alone
    header = [c.value for c in openpyxl.load_workbook(root / TEMPLATE).worksheets[0][3]]
    assert header[4] == "2016年" and header[-1] == "2027年"  # data_from .. last target year + 2
    fill_template(root / TEMPLATE, {
        "air_pm25": ("微克/立方米", "D1", {2016: 45, 2017: 42, 2018: 40, 2019: 37, 2020: 34, 2021: 33}),
        "waste_reuse": ("吨", "D1", {2017: 3_900_000, 2018: 4_000_000, 2019: 4_100_000, 2020: 4_150_000,
                                    2021: 4_260_000}),
    })
    (ws.raw / "sources.csv").write_text("id,title,publisher,address,accessed,quote,note\n"
                                        "D1,测试用报表,示例市统计局,,,,synthetic test source\n", encoding="utf-8")
    for command in (["check"], ["build"], ["report", "--as-of", "2021"]):
        assert main([*command, "--workspace", str(root)]) == 0
    data = pd.read_csv(ws.indicators).set_index(["indicator", "year"])
    assert data.loc[("waste_reuse", 2021), "value"] == pytest.approx(426.0)  # 吨 read into the registry's 万吨
    assert data.loc[("waste_reuse", 2021), "unit"] == "万吨"
    summary = (ws.briefings / "briefing-2021-zh" / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# 2025年量化目标评估 (截至 2021 年)") and "2022" not in summary
