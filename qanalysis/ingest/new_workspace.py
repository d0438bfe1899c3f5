"""`qanalysis init DIR`: a new analyst workspace, ready to be filled in Excel.

What an analyst needs to start, and nothing to edit by hand first: the fill-in bureau template (its layout travels
in the workbook, so no YAML), an empty sources.csv with its header, a copy of the registry (theirs to adapt), the
workspace.yaml that ties them to a reference workspace, and folders for processed data, runs and briefings. The
folder is made in a temporary sibling and renamed into place (`outputs.output_folder`), so a failed or interrupted
init leaves nothing half-made; the project's own folders are refused (its committed data are the reference
analysis), except the git-ignored `workspaces/`.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import settings
from ..errors import InputError
from ..outputs import output_folder
from ..registry import load_registry
from ..workspace import ANALYST_HOME, FILE, Workspace, load_workspace, reference_workspace
from .processed import SOURCE_COLUMNS
from .template import write_template

TEMPLATE = Path("raw") / "bureau" / "bureau-tables.xlsx"

GUIDE = """# {id}: a qanalysis workspace

Your own data for {policy}, kept apart from the project's reference analysis.

1. Open `raw/bureau/bureau-tables.xlsx` in Excel. Type each value in its year column, the unit in 单位 and a source
   id (like B01) in 来源. Leave a cell empty when there is no published or bureau figure; never fill a gap.
2. List each source once in `raw/sources.csv` (id,title,publisher,address,accessed,quote,note); an internal bureau
   table may have no web address.
3. Run, from the project folder (after `make briefing` has installed it):

       .venv/bin/qanalysis check --workspace {root}
       .venv/bin/qanalysis build --workspace {root}
       .venv/bin/qanalysis report --workspace {root} --as-of {as_of} --lang en
       .venv/bin/qanalysis notebooks --workspace {root} --as-of {as_of} --lang en

`processed/` holds the built data ({layer}), `briefings/` the briefing packs, `runs/` the executed notebooks.
"""


def _refuse_project_folder(folder: Path) -> None:
    """A workspace inside the project would mix the analyst's data into the committed reference analysis."""
    root, home = settings.ROOT.resolve(), settings.ROOT.resolve() / ANALYST_HOME
    target = folder.resolve()
    if target.is_relative_to(root) and not target.is_relative_to(home):
        raise InputError(f"{folder}: refused: a workspace inside the project would mix your data into its reference "
                         f"analysis; expected a folder outside it, or under {ANALYST_HOME}/ (ignored by git)")


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "workspace"


def init_workspace(folder: Path, registry: Path | None = None, reference: str | None = None) -> Workspace:
    """Create the workspace at `folder` (which must not exist or be empty); return it.

    `registry`: the policy's registry YAML to copy (default: the reference workspace's); `reference`: the id of the
    reference workspace to build on, or None to stand alone.
    """
    folder = Path(folder)
    _refuse_project_folder(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder}: already exists and is not an empty folder; expected a new folder for the workspace")
    ref = reference_workspace(reference) if reference else None
    source = Path(registry) if registry else (ref.registry if ref else None)
    if source is None:
        raise InputError("init: a workspace without a reference needs its own registry; expected --targets FILE")
    parsed = load_registry(source)  # refuse a broken registry before anything is made
    with output_folder(folder, "init", marker=False) as staging:  # no marker: rerunning init must never replace it
        _fill(staging, folder, source, parsed, reference)
    return load_workspace(folder)


def _fill(staging: Path, folder: Path, registry_file: Path, registry, reference: str | None) -> None:
    for sub in ("raw/bureau", "processed", "runs", "briefings"):
        (staging / sub).mkdir(parents=True)
    (staging / "registry.yaml").write_bytes(registry_file.read_bytes())
    (staging / "raw" / "sources.csv").write_text(",".join(SOURCE_COLUMNS) + "\n", encoding="utf-8")
    write_template(registry, staging / TEMPLATE)
    spec = (f"# qanalysis workspace (qanalysis/workspace.py describes the fields)\nid: {_slug(folder.name)}\n"
            f"registry: registry.yaml\nreference: {reference or 'null'}\nbriefings: briefings\nruns: runs\n")
    (staging / FILE).write_text(spec, encoding="utf-8")
    layer = (f"your values on top of the reference workspace {reference}; yours take precedence" if reference
             else "your values alone")
    guide = GUIDE.format(id=_slug(folder.name), policy=registry.policy or "your policy", root=folder, layer=layer,
                         as_of=registry.target_year - 1)
    (staging / "README.md").write_text(guide, encoding="utf-8")
