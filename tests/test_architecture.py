"""The layers are real: the import contract in pyproject.toml holds, and no two modules import each other, even
through others. Checked by import-linter (and its graph library, grimp) on the package as it is on disk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

from qanalysis import settings


def test_the_import_layer_contract_is_kept():
    """The contracts in [tool.importlinter] of pyproject.toml, run as CI would run them."""
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    result = subprocess.run(command, cwd=settings.ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_no_import_cycles_between_modules():
    graph = grimp.build_graph("qanalysis")
    modules = sorted(graph.modules)
    cycles = [(a, b) for i, a in enumerate(modules) for b in modules[i + 1:]
              if graph.find_shortest_chain(a, b) and graph.find_shortest_chain(b, a)
              and a not in ("qanalysis", "qanalysis.__main__") and b != "qanalysis.__main__"]
    assert cycles == []


def test_every_stage_is_a_subpackage():
    graph = grimp.build_graph("qanalysis")
    stages = {m.split(".")[1] for m in graph.modules if m.count(".") == 2}
    assert stages == {"ingest", "forecast", "assessment", "report"}
