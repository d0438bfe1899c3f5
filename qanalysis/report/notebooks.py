"""Execute the numbered notebooks in order, in place, so their committed outputs are fresh.

nbval later re-runs them and compares with these outputs; running them here with the same kernel (`python3`, the
environment's own) and from the notebooks' folder keeps that comparison fair. An error stops the run with the
notebook and cell named, because a half-refreshed suite is worse than a stale one.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from tqdm import tqdm

from ..errors import InputError


def notebook_paths(folder: Path) -> list[Path]:
    """The numbered notebooks (00_*.ipynb, 10_*.ipynb, ...), in execution order."""
    found = sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise InputError(f"{folder}: no numbered notebooks (NN_name.ipynb) to run")
    return found


def _failing_cell(nb: nbformat.NotebookNode) -> tuple[int, str] | None:
    """The first cell holding an error output, and its "ExceptionName: message" (no ANSI colour codes)."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                return index, f"{out.get('ename')}: {out.get('evalue')}"
    return None


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _drop_widget_state(nb: nbformat.NotebookNode) -> None:
    """Keep a widget's text form but not its view or saved state: their model ids are random on every run (so the
    committed notebook would never be byte-identical) and the controls do nothing without a live kernel anyway."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            out.get("data", {}).pop(WIDGET_VIEW, None)


def run_notebook(path: Path, timeout: int = 600) -> None:
    """Execute one notebook in place; raise InputError naming the notebook and the failing cell."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,  # no timestamps
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        failed = _failing_cell(nb)
        where, what = (f"cell {failed[0] + 1}", failed[1]) if failed else ("a cell", type(exc).__name__)
        raise InputError(f"{path.name}, {where}: {what}") from None
    _drop_widget_state(nb)
    nbformat.write(nb, path)


def run_all(folder: Path, timeout: int = 600) -> list[Path]:
    """Run every numbered notebook in `folder` in order, with a progress bar."""
    done = []
    with tqdm(notebook_paths(folder), unit="notebook") as bar:
        for path in bar:
            bar.set_description(path.stem)
            run_notebook(path, timeout=timeout)
            done.append(path)
    return done
