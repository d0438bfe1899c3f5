"""environment.yml (conda route) and pyproject.toml (pip route) must name the same packages at the same versions."""

import re
import tomllib

import yaml

from qanalysis import settings as paths


def _pins(lines):
    pins = {}
    for line in lines:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_environment_yml_and_pyproject_pin_the_same_packages():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip_route = _pins(project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra])
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    conda_route = _pins(pip_section)
    assert pip_route == conda_route
    assert len(pip_route) >= 15
    assert "python=3.11" in env["dependencies"]
    assert project["requires-python"].startswith(">=3.11")


def test_every_dependency_is_pinned():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    unpinned = [d for d in project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
                if "==" not in d]
    assert unpinned == []


def test_the_library_installs_without_the_notebook_stack():
    """Dependencies by use: the library and CLI need no Jupyter; the notebook stack is the `notebooks` extra."""
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {d.split("==")[0].lower() for d in project["dependencies"]}
    assert not core & {"jupyterlab", "ipykernel", "ipywidgets", "nbclient", "nbformat", "statsmodels"}
    assert {"jupyterlab", "nbclient", "nbformat"} <= {d.split("==")[0] for d in project["optional-dependencies"]["notebooks"]}
