"""Run the numbered notebooks: as executed copies for an analyst's workspace, or in place to refresh the repo's.

Two jobs, kept apart because they write to different places:

- `run_copies` is what an analyst runs (`qanalysis notebooks`). The committed notebooks are only read: papermill
  injects WORKSPACE, AS_OF and LANG after each notebook's `parameters` cell and the executed copies, with an HTML
  export each, go to `<workspace runs>/as-of-<Y>-<lang>/`. The run is all or nothing: it is written into a hidden
  sibling folder that replaces the destination only when every notebook succeeded, so a folder of results is never
  half old, half new. Timestamps papermill and nbclient record are dropped, so a rerun on the same data and machine
  writes the same bytes.
- `refresh` re-executes the committed notebooks in place (`qanalysis notebooks --refresh`, `make notebooks`) against
  the reference workspace (the project's data/), with their own parameters: nbval later re-runs them and compares
  with these outputs, so they are executed with the same kernel (`python3`, the environment's own) from the
  notebooks' folder. They are written only when all succeeded.

An error names the notebook and the cell (numbered as in the committed notebook, 1-based) and the exception, as an
InputError: a failing cell is almost always the workspace's data or the parameters, which the analyst must fix.
"""

from __future__ import annotations

import ast
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import papermill
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from nbclient.output_widget import OutputWidget
from nbconvert import HTMLExporter
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError
from tqdm import tqdm

from .. import settings
from ..errors import InputError
from ..lang import Lang, as_lang
from ..outputs import output_folder
from ..workspace import ENV, Workspace, current

PARAMETERS = ("WORKSPACE", "AS_OF", "LANG")  # what every notebook's parameters cell declares, and what is injected
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
NUMBERED = re.compile(r"[0-9][0-9]_.+")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
REFERENCE = settings.RAW.parent  # the workspace the committed outputs are for: what WORKSPACE = None resolves to
ENGINE = "qanalysis"  # the papermill engine below


class _OutputWidget(OutputWidget):
    """nbclient's stand-in for a frontend's Output widget, without the echo of its outputs back to the kernel.

    nbclient sends that echo on the shell channel while it awaits the cell's execute_reply on the same channel, and
    on a busy machine the reply is then often seen only when that wait times out: the cell stalls for the whole cell
    timeout (600 s by default) before the run goes on (jupyter/nbclient#312). With 70_explore's `interactive_output`
    on 2 loaded cores, 6 of 10 runs stalled with the echo and 0 of 10 without. The kernel needs no echo in a batch
    run, and the outputs the stand-in captures are the same."""

    def sync_state(self) -> None:
        pass


WIDGETS = {"@jupyter-widgets/output": {"OutputModel": _OutputWidget}}


class _Engine(NBClientEngine):
    """papermill's nbclient engine, with the Output widget stand-in above (papermill builds its client inside)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False, stdout_file: Any = None,
                                 stderr_file: Any = None, start_timeout: int = 60, execution_timeout: int | None = None,
                                 input_path: str | None = None, **kwargs: Any) -> nbformat.NotebookNode:
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.log import logger

        client = PapermillNotebookClient(nb_man, kernel_name=kernel_name, timeout=execution_timeout,
                                         startup_timeout=start_timeout, log=logger, log_output=log_output,
                                         stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
        client.widget_registry = WIDGETS
        return client.execute()


papermill_engines.register(ENGINE, _Engine)


def notebook_paths(folder: Path, only: list[str] | None = None) -> list[Path]:
    """The numbered notebooks (00_*.ipynb, 10_*.ipynb, ...), in execution order; with `only`, those named (by file
    name, stem or number: "30_environment.ipynb", "30_environment" or "30")."""
    found = sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise InputError(f"{folder}: no numbered notebooks (NN_name.ipynb) to run")
    if not only:
        return found
    unknown = [name for name in only if not any(name in (p.name, p.stem, p.stem[:2]) for p in found)]
    if unknown:
        raise InputError(f"--only {', '.join(unknown)}: no such notebook in {folder}; "
                         f"expected one of: {', '.join(p.stem for p in found)}")
    return [p for p in found if {p.name, p.stem, p.stem[:2]} & set(only)]


def parameters(path: Path) -> dict[str, Any]:
    """The defaults of a notebook's `parameters` cell, as papermill reads them. Each must be a plain `NAME = literal`
    line (a comment after it may not hold another "=", or papermill skips the line) and WORKSPACE, AS_OF and LANG
    must be there: those are injected after the cell, and a computed or unreadable default would leave the
    committed notebook and an executed copy disagreeing about what ran."""
    found: dict[str, Any] = {}
    for name, spec in papermill.inspect_notebook(str(path)).items():
        try:
            found[name] = ast.literal_eval(spec["default"])
        except (ValueError, SyntaxError):
            raise InputError(f"{path.name}, parameters cell: {name} = {spec['default']} is computed; "
                             "expected a literal") from None
    missing = [name for name in PARAMETERS if name not in found]
    if missing:
        raise InputError(f'{path.name}: the cell tagged "{PARAMETERS_TAG}" does not declare {", ".join(missing)} '
                         "(one NAME = literal per line, no \"=\" in the comment)")
    return found


def runs_on_workspaces(path: Path) -> bool:
    """Whether a notebook analyses the chosen workspace (its parameters cell declares WORKSPACE) rather than showing
    fixed evidence about a reference workspace (80_mdg_retrospective names its own): only the former belong in an
    analyst's run, where WORKSPACE is injected."""
    return "WORKSPACE" in papermill.inspect_notebook(str(path))


def _default(paths: list[Path], name: str) -> Any:
    """The notebooks' shared default of one parameter: the run folder is named after it, so they must agree."""
    values = {p.name: parameters(p)[name] for p in paths}
    if len(set(values.values())) > 1:
        raise InputError(f"{name}: the notebooks' defaults differ ({', '.join(f'{k}: {v!r}' for k, v in values.items())});"
                         f" give --{name.lower().replace('_', '-')}")
    return next(iter(values.values()))


def _committed_cell(source: nbformat.NotebookNode, index: int) -> str:
    """`index` in the parameterised notebook as the analyst sees it: "cell N" of the committed notebook (the
    injected cell, right after the parameters cell, shifts the later ones by one)."""
    tagged = [i for i, c in enumerate(source.cells) if PARAMETERS_TAG in c.metadata.get("tags", [])]
    injected = tagged[0] + 1 if tagged else 0
    if index == injected:
        return "the injected parameters"
    return f"cell {index + (0 if index < injected else -1) + 1}"


def _drop_widget_state(nb: nbformat.NotebookNode) -> None:
    """Keep a widget's text form but not its view or saved state: their model ids are random on every run (so the
    committed notebook would never be byte-identical) and the controls do nothing without a live kernel anyway."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            out.get("data", {}).pop(WIDGET_VIEW, None)


def _drop_run_records(nb: nbformat.NotebookNode, output_path: Path) -> None:
    """Remove what differs on every run though nothing changed: papermill's start/end times and durations, and the
    random id of its injected cell. `output_path` is set to where the copy ends up, not the staging folder."""
    for meta in [nb.metadata.get("papermill", {}), *(c.metadata.get("papermill", {}) for c in nb.cells)]:
        for key in ("start_time", "end_time", "duration"):
            meta.pop(key, None)
    nb.metadata.setdefault("papermill", {})["output_path"] = str(output_path)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if INJECTED_TAG in cell.metadata.get("tags", []):
            cell["id"] = INJECTED_TAG
    _drop_widget_state(nb)


_HTML_LOG = logging.getLogger(f"{__name__}.html")
_HTML_LOG.setLevel(logging.ERROR)  # nbconvert warns that chart images have no alt text, once per notebook


def _html(nb: nbformat.NotebookNode, title: str) -> str:
    """The executed copy as one self-contained HTML page (JupyterLab look, no In/Out prompts)."""
    exporter = HTMLExporter(template_name="lab", exclude_input_prompt=True, exclude_output_prompt=True, log=_HTML_LOG)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return str(body)


def _execute_copy(path: Path, params: dict[str, Any], timeout: int) -> nbformat.NotebookNode:
    """Execute one notebook with papermill, in memory (nothing is written), from the notebooks' folder."""
    try:
        return papermill.execute_notebook(str(path.resolve()), None, parameters=params, engine_name=ENGINE,
                                          kernel_name="python3", cwd=str(path.parent), progress_bar=False,
                                          request_save_on_cell_execute=False, execution_timeout=timeout,
                                          record_timing=False)  # nbclient's per-cell timestamps
    except PapermillExecutionError as exc:
        where = _committed_cell(nbformat.read(path, as_version=4), exc.cell_index)
        raise InputError(f"{path.name}, {where}: {exc.ename}: {exc.evalue}") from None
    except CellTimeoutError:
        raise InputError(f"{path.name}: a cell ran longer than {timeout} s (--timeout)") from None


def _check_destination(out: Path, sources: Path) -> None:
    """Refuse a destination the run would wrongly replace: the committed notebooks' folder (or one holding it), a
    file, or a folder holding anything but a previous run's NN_*.ipynb / NN_*.html (and JupyterLab's checkpoints):
    the whole folder is replaced, and an analyst's own files must never go with it."""
    out, sources = out.resolve(), sources.resolve()
    if out == sources or out in sources.parents:
        raise InputError(f"--out {out}: holds the committed notebooks, which a run never rewrites; "
                         "choose another folder (or use --refresh to refresh the committed notebooks)")
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: is a file; expected a folder")
    if out.is_dir():
        other = sorted(p.name for p in out.iterdir() if p.name != ".ipynb_checkpoints"  # opened in JupyterLab
                       and not (p.is_file() and NUMBERED.fullmatch(p.name) and p.suffix in (".ipynb", ".html")))
        if other:
            raise InputError(f"--out {out}: holds {', '.join(other[:3])}{' ...' if len(other) > 3 else ''}, so it is "
                             "not a previous run's folder and is not replaced; choose a new or empty folder")


def run_copies(ws: Workspace, as_of: int | None = None, lang: Lang | str | None = None, out: Path | None = None,
               folder: Path = settings.NOTEBOOKS, only: list[str] | None = None, timeout: int = 600) -> Path:
    """Execute the numbered notebooks in `folder` on workspace `ws` with AS_OF and LANG (default: the notebooks'
    own), writing NN_name.ipynb and NN_name.html for each into `out` (default `<ws.runs>/as-of-<Y>-<lang>`); return
    `out`. The notebooks in `folder` are never written. `out` is replaced only when every notebook succeeded."""
    paths = [p for p in notebook_paths(folder, only) if runs_on_workspaces(p)]
    if not paths:
        raise InputError(f"--only {', '.join(only or [])}: no notebook that runs on a workspace")
    as_of = int(_default(paths, "AS_OF")) if as_of is None else as_of
    lang = as_lang(_default(paths, "LANG") if lang is None else lang)
    out = (Path(out) if out is not None else ws.runs / f"as-of-{as_of}-{lang.value}").resolve()
    _check_destination(out, Path(folder))
    params = {"WORKSPACE": str(ws.root.resolve()), "AS_OF": as_of, "LANG": lang.value}

    # outputs.output_folder: staged, swapped in whole only when every notebook ran, locked, SIGTERM-safe. No marker:
    # `_check_destination` already knows a run's folder by its NN_* files.
    out.parent.mkdir(parents=True, exist_ok=True)  # the workspace's runs folder stays, even if this run fails
    with output_folder(out, "notebooks", marker=False, fsync=False) as staging:
        with tqdm(paths, unit="notebook", file=sys.stderr) as bar:
            for path in bar:
                bar.set_description(path.stem)
                nb = _execute_copy(path, params, timeout)
                _drop_run_records(nb, out / path.name)
                nbformat.write(nb, staging / path.name)
                (staging / f"{path.stem}.html").write_text(_html(nb, path.stem), encoding="utf-8")
    return out


def _failing_cell(nb: nbformat.NotebookNode) -> tuple[int, str] | None:
    """The first cell holding an error output, and its "ExceptionName: message" (no ANSI colour codes)."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                return index, f"{out.get('ename')}: {out.get('evalue')}"
    return None


def _execute_in_place(path: Path, timeout: int) -> nbformat.NotebookNode:
    """Execute one notebook as committed (its own parameters) with nbclient; InputError naming notebook and cell."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,  # no timestamps
                            resources={"metadata": {"path": str(path.parent)}})
    client.widget_registry = WIDGETS
    try:
        client.execute(env={**os.environ, ENV: str(REFERENCE)})  # WORKSPACE = None is data/, whatever the shell says
    except CellExecutionError as exc:
        failed = _failing_cell(nb)
        where, what = (f"cell {failed[0] + 1}", failed[1]) if failed else ("a cell", type(exc).__name__)
        raise InputError(f"{path.name}, {where}: {what}") from None
    except CellTimeoutError:
        raise InputError(f"{path.name}: a cell ran longer than {timeout} s (--timeout)") from None
    _drop_widget_state(nb)
    return nb


def refresh(ws: Workspace | None = None, folder: Path = settings.NOTEBOOKS, only: list[str] | None = None,
            timeout: int = 600) -> list[Path]:
    """Re-execute the committed notebooks in place so their outputs are fresh; return the notebooks written.

    Only against the reference workspace, data/ (`ws`, default the current one): the committed outputs are what nbval
    checks, so an analyst's workspace must never end up in them. Nothing is written unless every notebook
    succeeded, because a half-refreshed suite is worse than a stale one. The kernels get QANALYSIS_WORKSPACE=data/
    whatever the shell holds."""
    ws = current() if ws is None else ws
    if ws.root.resolve() != REFERENCE.resolve():
        raise InputError(f"--refresh: runs only against the reference workspace {REFERENCE} (whose outputs are "
                         f"committed), not {ws.root}; unset QANALYSIS_WORKSPACE, or run without --refresh "
                         "to write executed copies for this workspace")
    paths = notebook_paths(folder, only)
    executed = []
    with tqdm(paths, unit="notebook", file=sys.stderr) as bar:
        for path in bar:
            bar.set_description(path.stem)
            executed.append((path, _execute_in_place(path, timeout)))
    for path, nb in executed:
        nbformat.write(nb, path)
    return paths
