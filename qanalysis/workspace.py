"""Where one analysis lives: a workspace folder with its registry, raw data, processed data, runs and briefings.

Two kinds of workspace share one layout and one set of commands:
- a *reference* workspace is committed with the project: `data/` (Hangzhou's published figures) and any
  `examples/<policy>/`. Its processed files and the notebooks' outputs are what the tests check;
- an *analyst* workspace (`qanalysis init DIR`) holds the analyst's own bureau tables. By default it builds on a
  reference workspace's processed data, its own values taking precedence, and it never writes into the project.

A workspace is a folder with a `workspace.yaml`:

    id: my-analysis                  # a name for the workspace (reference workspaces are found by it)
    registry: registry.yaml          # the target registry, relative to the workspace
    reference: hangzhou-2018-27      # the reference workspace this one builds on, or null to stand alone
    briefings: briefings             # optional: where `report` writes (default: briefings)
    runs: runs                       # optional: where `notebooks` writes executed copies (default: runs)

and the fixed folders `raw/` (sources.csv, layouts.yaml, bureau/ workbooks: only ever read) and `processed/`
(written by `build`). Commands find it from `--workspace DIR`, else the QANALYSIS_WORKSPACE environment variable,
else the project's `data/`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from . import settings
from .errors import InputError
from .yamlfile import load_yaml

ENV = "QANALYSIS_WORKSPACE"
FILE = "workspace.yaml"
DEFAULT_REFERENCE = "hangzhou-2018-27"  # the reference workspace a new analyst workspace builds on
ANALYST_HOME = "workspaces"  # the one git-ignored folder of the project where analyst workspaces may live


class _Spec(BaseModel):
    """The fields of workspace.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    registry: str
    reference: str | None = None
    briefings: str = "briefings"
    runs: str = "runs"


@dataclass(frozen=True)
class Workspace:
    """The folders and files of one workspace, resolved to paths."""

    id: str
    root: Path
    registry: Path
    briefings: Path
    runs: Path
    reference_id: str | None = None

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "processed"

    @property
    def indicators(self) -> Path:
        return self.processed / "indicators.csv"

    @property
    def is_reference(self) -> bool:
        """Committed with the project: its outputs are test fixtures, so analyst runs never write into it."""
        return self.root.resolve() in {w.root.resolve() for w in reference_workspaces()}

    @property
    def reference(self) -> Workspace | None:
        """The reference workspace this one builds on, or None."""
        return None if self.reference_id is None else reference_workspace(self.reference_id)


def load_workspace(folder: Path | str) -> Workspace:
    """Read DIR/workspace.yaml; InputError naming the file and field when it is missing or malformed."""
    root = Path(folder)
    path = root / FILE
    if not root.is_dir():
        raise InputError(f"{root}: workspace folder not found; expected a folder made by `qanalysis init {root}`")
    if not path.is_file():
        raise InputError(f"{path}: not found; expected a workspace folder made by `qanalysis init`")
    doc = load_yaml(path, "workspace file")
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a mapping with id, registry and reference")
    try:
        spec = _Spec(**doc)
    except ValidationError as exc:
        raise InputError(f"{path}: " + "; ".join(f"field {'.'.join(map(str, e['loc']))}: {e['msg']}"
                                                  for e in exc.errors())) from None
    return Workspace(spec.id, root, root / spec.registry, root / spec.briefings, root / spec.runs, spec.reference)


def reference_workspaces() -> list[Workspace]:
    """The workspaces committed with the project: data/ and examples/*/ (those with a workspace.yaml)."""
    folders = [settings.ROOT / "data", *sorted((settings.ROOT / "examples").glob("*"))]
    return [load_workspace(f) for f in folders if (f / FILE).is_file()]


def reference_workspace(workspace_id: str) -> Workspace:
    """The reference workspace of that id."""
    found = {w.id: w for w in reference_workspaces()}
    if workspace_id not in found:
        raise InputError(f'reference workspace "{workspace_id}" not found; expected one of: {", ".join(found)}')
    return found[workspace_id]


def current(folder: Path | str | None = None) -> Workspace:
    """The workspace a command works in: `folder` (from --workspace), else $QANALYSIS_WORKSPACE, else data/."""
    chosen = folder or os.environ.get(ENV) or settings.ROOT / "data"
    return load_workspace(Path(chosen))
