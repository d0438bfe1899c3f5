"""`qanalysis notebooks`: runs numbered notebooks in order and names the notebook and cell that fails."""

import nbformat
import pytest

from qanalysis.errors import InputError
from qanalysis.report.notebooks import notebook_paths, run_all


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.mark.slow
def test_runs_in_order_and_writes_outputs(tmp_path):
    _notebook(tmp_path / "10_second.ipynb", "print(open('order.txt').read() + 'b')")
    _notebook(tmp_path / "00_first.ipynb", "open('order.txt', 'w').write('a')")
    _notebook(tmp_path / "scratch.ipynb", "raise SystemExit('unnumbered notebooks are not run')")
    assert [p.name for p in notebook_paths(tmp_path)] == ["00_first.ipynb", "10_second.ipynb"]
    run_all(tmp_path, timeout=60)
    cell = nbformat.read(tmp_path / "10_second.ipynb", as_version=4).cells[0]
    assert cell.outputs[0]["text"] == "ab\n"
    assert "execution" not in cell.metadata  # no run timestamps, so a rerun is byte-identical


@pytest.mark.slow
def test_error_names_notebook_and_cell(tmp_path):
    _notebook(tmp_path / "00_ok.ipynb", "x = 1")
    _notebook(tmp_path / "10_bad.ipynb", "y = 2", "1 / 0")
    with pytest.raises(InputError, match=r"10_bad.ipynb, cell 2: ZeroDivisionError"):
        run_all(tmp_path, timeout=60)


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no numbered notebooks"):
        notebook_paths(tmp_path)


@pytest.mark.slow
def test_widget_views_are_not_stored(tmp_path):
    _notebook(tmp_path / "00_w.ipynb", "import ipywidgets as w\nw.IntSlider(value=3)")
    run_all(tmp_path, timeout=60)
    nb = nbformat.read(tmp_path / "00_w.ipynb", as_version=4)
    data = nb.cells[0].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" not in data and "IntSlider" in data["text/plain"]
    assert "widgets" not in nb.metadata
