"""`qanalysis notebooks`: executed copies of the numbered notebooks for a workspace (papermill, parameters injected,
HTML beside each, all or nothing), and `--refresh`, which re-executes the committed notebooks in place."""

import hashlib

import nbformat
import papermill
import pytest

from qanalysis import settings, workspace
from qanalysis.cli import main
from qanalysis.errors import InputError
from qanalysis.report.notebooks import PARAMETERS, notebook_paths, parameters, refresh, run_copies, runs_on_workspaces

PARAMS = 'WORKSPACE = None  # a workspace folder\nAS_OF = 2021      # the vintage\nLANG = "zh"       # "zh" or "en"'


def _notebook(path, *sources, params=True):
    """A notebook with a `parameters` cell (unless params=False) followed by one code cell per source."""
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_code_cell(PARAMS, metadata={"tags": ["parameters"]})] if params else []
    nb.cells = cells + [nbformat.v4.new_code_cell(src) for src in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.ipynb"))}


def _outputs(nb):
    """Every text an executed notebook shows: streams, text/plain and text/html, joined."""
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            texts += [out.get("text", ""), *(out.get("data", {}).get(k, "") for k in ("text/plain", "text/html"))]
    return "\n".join(texts)


@pytest.fixture(autouse=True)
def _no_workspace_variable(monkeypatch):
    """The runs below are for the reference workspace whatever the developer's shell holds."""
    monkeypatch.delenv(workspace.ENV, raising=False)


# --- the committed notebooks' parameters -------------------------------------------------------------------------


def test_every_notebook_declares_the_same_parameters_papermill_can_read():
    """papermill parses each `parameters` cell (one NAME = literal per line), finds exactly WORKSPACE, AS_OF and LANG
    with the same defaults (a section notebook also SECTION, which section of the registry it shows; a run does not
    inject it), and the next cell finds the workspace from WORKSPACE (60_method reads only the project's
    benchmark results, so it needs none). 80_mdg_retrospective shows the MDG reference workspace whatever the run's
    workspace: it declares no WORKSPACE and an analyst's run leaves it out."""
    paths = notebook_paths(settings.NOTEBOOKS)
    assert [p.stem for p in paths if not runs_on_workspaces(p)] == ["80_mdg_retrospective"]
    assert set(papermill.inspect_notebook(str(paths[-1]))) == {"MDG", "LANG"}
    for path in filter(runs_on_workspaces, paths):
        extra = {"SECTION"} if path.stem[:2] in ("10", "20", "30") else set()
        assert set(papermill.inspect_notebook(str(path))) == set(PARAMETERS) | extra, path.name
        found = parameters(path)
        assert {k: found[k] for k in PARAMETERS} == {"WORKSPACE": None, "AS_OF": 2021, "LANG": "zh"}, path.name
        if extra:  # 10 shows the registry's first section, 20 the second, 30 the third
            assert found["SECTION"] == int(path.stem[0]) - 1, path.name
        nb = nbformat.read(path, as_version=4)
        tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path.name
        if path.stem != "60_method":
            assert "ws = workspace.current(WORKSPACE)" in nb.cells[tagged[0] + 1].source, path.name
        assert "TARGET_YEAR = 2022" not in "".join(c.source for c in nb.cells), path.name


def test_a_computed_or_missing_parameter_is_a_clear_error(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("AS_OF = 2020 + 1\nLANG = 'zh'\nWORKSPACE = None",
                                          metadata={"tags": ["parameters"]})]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "00_x.ipynb")
    with pytest.raises(InputError, match=r"00_x.ipynb, parameters cell: AS_OF = 2020 \+ 1 is computed"):
        parameters(tmp_path / "00_x.ipynb")
    _notebook(tmp_path / "00_x.ipynb", "x = 1", params=False)
    with pytest.raises(InputError, match='00_x.ipynb: the cell tagged "parameters" does not declare WORKSPACE, AS_OF'):
        parameters(tmp_path / "00_x.ipynb")


# --- executed copies -------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_run_writes_parameterised_copies_and_html_and_never_the_committed_notebooks(tmp_path, capsys):
    """The analyst's command on the reference workspace: AS_OF 2019, English. 30_environment (three targets) is the
    fast notebook in which AS_OF and LANG both show: PM2.5's latest value is the 2019 one and the words are English.
    A second run into the same folder replaces it with the same bytes (no run timestamps)."""
    committed = _hashes(settings.NOTEBOOKS)
    out = tmp_path / "runs" / "en"
    argv = ["notebooks", "--as-of", "2019", "--lang", "en", "--out", str(out), "--only", "30_environment"]
    assert main(argv) == 0
    assert f"wrote {out}" in capsys.readouterr().out

    assert sorted(p.name for p in out.iterdir()) == ["30_environment.html", "30_environment.ipynb"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["en"]  # no staging folder left beside it
    nb = nbformat.read(out / "30_environment.ipynb", as_version=4)
    data = str((settings.ROOT / "data").resolve())
    assert nb.metadata.papermill.parameters == {"WORKSPACE": data, "AS_OF": 2019, "LANG": "en"}
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f'WORKSPACE = "{data}"' in injected.source and "AS_OF = 2019" in injected.source
    assert 'LANG = "en"' in injected.source
    shown = _outputs(nb)
    assert "Urban PM2.5 annual mean" in shown and "about as likely as not" in shown
    assert "Latest 38 μg/m³ (2019)" in shown  # the committed (2021, zh) notebook shows 2021's 28 and Chinese words
    assert "start_time" not in nb.metadata.papermill and all("execution" not in c.metadata for c in nb.cells)
    html = (out / "30_environment.html").read_text(encoding="utf-8")
    assert "Urban PM2.5 annual mean" in html and "In&nbsp;[" not in html

    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(argv) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert _hashes(settings.NOTEBOOKS) == committed


@pytest.mark.slow
def test_a_failing_notebook_leaves_no_output_and_keeps_the_previous_run(tmp_path, capsys):
    """All or nothing: 00_ok runs, 10_bad fails in its third cell; the error names both (cells numbered as in the
    committed notebook, not counting the injected one), no new folder or staging folder appears, and a previous run
    in the destination is left as it was."""
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs / "00_ok.ipynb", "print(AS_OF)")
    _notebook(nbs / "10_bad.ipynb", "y = 2", "1 / 0")
    runs = tmp_path / "runs"
    assert main(["notebooks", "--dir", str(nbs), "--out", str(runs / "new")]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "error: 10_bad.ipynb, cell 3: ZeroDivisionError: division by zero"
    assert "Traceback" not in err
    assert list(runs.iterdir()) == []

    (runs / "old").mkdir()
    (runs / "old" / "00_ok.html").write_text("the previous run", encoding="utf-8")
    assert main(["notebooks", "--dir", str(nbs), "--out", str(runs / "old")]) == 2
    assert sorted(p.name for p in runs.iterdir()) == ["old"]
    assert (runs / "old" / "00_ok.html").read_text(encoding="utf-8") == "the previous run"
    assert [p.name for p in (runs / "old").iterdir()] == ["00_ok.html"]


@pytest.mark.slow
def test_widget_outputs_are_captured_without_views(tmp_path):
    """An interactive_output widget (as in 70_explore) runs through the Output widget stand-in: the cell keeps the
    widget's text form, not its random-id view or the widget state."""
    _notebook(tmp_path / "00_w.ipynb", "import ipywidgets as w\n"
              "w.VBox([w.interactive_output(lambda v: print('value', v), {'v': w.IntSlider(value=3)})])")
    out = run_copies(workspace.current(), out=tmp_path / "run", folder=tmp_path, timeout=60)
    nb = nbformat.read(out / "00_w.ipynb", as_version=4)
    data = nb.cells[-1].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" not in data and "VBox" in data["text/plain"]
    assert "widgets" not in nb.metadata and "value 3" not in _outputs(nb)  # captured by the widget, not the cell


def test_a_destination_holding_other_files_is_refused(tmp_path):
    """The whole destination folder is replaced, so one with an analyst's own files (or the committed notebooks) is
    refused before anything runs."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="holds notes.txt, so it is not a previous run's folder"):
        run_copies(workspace.current(), out=mine, only=["01"])
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"
    with pytest.raises(InputError, match="holds the committed notebooks"):
        run_copies(workspace.current(), out=settings.NOTEBOOKS)
    with pytest.raises(InputError, match="holds the committed notebooks"):
        run_copies(workspace.current(), out=settings.ROOT)


def test_only_names_an_existing_notebook(tmp_path):
    assert [p.stem for p in notebook_paths(settings.NOTEBOOKS, ["30", "01_targets.ipynb", "40_scorecard"])] == [
        "01_targets", "30_environment", "40_scorecard"]
    with pytest.raises(InputError, match="--only 31: no such notebook .*expected one of: 00_data, 01_targets"):
        notebook_paths(settings.NOTEBOOKS, ["31"])


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no numbered notebooks"):
        notebook_paths(tmp_path)


# --- refreshing the committed notebooks ------------------------------------------------------------------------------


@pytest.mark.slow
def test_refresh_runs_in_order_and_writes_outputs_in_place(tmp_path):
    _notebook(tmp_path / "10_second.ipynb", "print(open('order.txt').read() + 'b')", params=False)
    _notebook(tmp_path / "00_first.ipynb", "open('order.txt', 'w').write('a')", params=False)
    _notebook(tmp_path / "scratch.ipynb", "raise SystemExit('unnumbered notebooks are not run')", params=False)
    assert [p.name for p in notebook_paths(tmp_path)] == ["00_first.ipynb", "10_second.ipynb"]
    refresh(folder=tmp_path, timeout=60)
    cell = nbformat.read(tmp_path / "10_second.ipynb", as_version=4).cells[0]
    assert cell.outputs[0]["text"] == "ab\n"
    assert "execution" not in cell.metadata  # no run timestamps, so a rerun is byte-identical


@pytest.mark.slow
def test_refresh_writes_nothing_when_a_notebook_fails(tmp_path):
    """The error names the notebook and cell, and 00_ok, which ran, is not rewritten either."""
    _notebook(tmp_path / "00_ok.ipynb", "x = 1", params=False)
    _notebook(tmp_path / "10_bad.ipynb", "y = 2", "1 / 0", params=False)
    before = _hashes(tmp_path)
    with pytest.raises(InputError, match=r"10_bad.ipynb, cell 2: ZeroDivisionError"):
        refresh(folder=tmp_path, timeout=60)
    assert _hashes(tmp_path) == before


@pytest.mark.slow
def test_refresh_kernels_see_the_reference_workspace(tmp_path, monkeypatch):
    """WORKSPACE = None resolves to data/ in a refresh even when the shell names another workspace: an analyst's
    data must never reach the committed outputs."""
    _notebook(tmp_path / "00_ws.ipynb", "from qanalysis import workspace\nprint(workspace.current(WORKSPACE).id)")
    monkeypatch.setenv(workspace.ENV, str(tmp_path / "elsewhere"))
    refresh(workspace.current(settings.ROOT / "data"), folder=tmp_path, timeout=60)
    cell = nbformat.read(tmp_path / "00_ws.ipynb", as_version=4).cells[1]
    assert cell.outputs[0]["text"] == "hangzhou-2018-27\n"


@pytest.mark.slow
def test_widget_views_are_not_stored_by_refresh(tmp_path):
    _notebook(tmp_path / "00_w.ipynb", "import ipywidgets as w\nw.IntSlider(value=3)", params=False)
    refresh(folder=tmp_path, timeout=60)
    nb = nbformat.read(tmp_path / "00_w.ipynb", as_version=4)
    data = nb.cells[0].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" not in data and "IntSlider" in data["text/plain"]
    assert "widgets" not in nb.metadata


def test_refresh_only_against_the_reference_workspace(tmp_path, capsys):
    other = tmp_path / "mine"
    other.mkdir()
    (other / "workspace.yaml").write_text("id: mine\nregistry: registry.yaml\n", encoding="utf-8")
    assert main(["notebooks", "--refresh", "--workspace", str(other)]) == 2
    assert "--refresh: runs only against the reference workspace" in capsys.readouterr().err
    assert main(["notebooks", "--refresh", "--as-of", "2019", "--lang", "en"]) == 2
    assert "it takes no --as-of, --lang" in capsys.readouterr().err


def test_committed_notebooks_mark_nbval_cells_by_tag_not_by_comment():
    """nbval reads `nbval-check-output` / `nbval-ignore-output` cell tags, so the analyst's view of a cell (and its
    HTML export) carries no test markers; and no section notebook names its section by one policy's heading."""
    checked = 0
    for path in notebook_paths(settings.NOTEBOOKS):
        for cell in nbformat.read(path, as_version=4).cells:
            assert "NBVAL_" not in cell.source, f"{path.name}: a # NBVAL_ comment; use a cell tag"
            assert "startswith(\"二(" not in cell.source, f"{path.name}: selects targets by a hard-coded heading"
            checked += "nbval-check-output" in cell.metadata.get("tags", [])
    assert checked >= 20
