"""No traceback for bad input, and one line for a bug: YAML values that PyYAML builds with a ValueError, nesting that
exhausts the stack, registry shapes that are not mappings, and the command line's last line of defence.
"""

from __future__ import annotations

import copy

import pytest
import yaml
from conftest import REGISTRY

from qanalysis import cli
from qanalysis.errors import InputError
from qanalysis.registry import load_registry


def _registry_text(tmp_path, text: str):
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _valid_text() -> str:
    return yaml.safe_dump(copy.deepcopy(REGISTRY), allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize("old, new, expected", [
    ("issued: '2018-12-10'", "issued: 2018-02-30", "not valid YAML (a value that cannot be read: day is out of range"),
    ("issued: '2018-12-10'", "issued: 2018-13-45", "not valid YAML (a value that cannot be read: month must be in"),
    ("launch_year: 2018", "launch_year: !!int x", "not valid YAML (a value that cannot be read: invalid literal"),
    ("launch_year: 2018", "launch_year: 0x" + "f" * 5000, "line 7: refused: a whole number of more than 40 characters"),
])
def test_yaml_values_the_safe_loader_cannot_build_are_input_errors(tmp_path, old, new, expected):
    """PyYAML's constructors raise ValueError (not YAMLError) for an impossible date or a bad !!int; a 5000-digit
    hex number loads, then cannot be printed in any message ("Exceeds the limit (4300 digits)")."""
    text = _valid_text()
    assert old in text
    path = _registry_text(tmp_path, text.replace(old, new))
    with pytest.raises(InputError) as info:
        load_registry(path)
    assert str(info.value).startswith(str(path)) and expected in str(info.value)


def test_yaml_nested_thousands_deep_is_refused_not_a_recursion_error(tmp_path):
    path = _registry_text(tmp_path, "targets: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError, match=r"targets.yaml, line 1: refused: nested more than 50 levels deep"):
        load_registry(path)


@pytest.mark.parametrize("text, expected", [
    ("registry: [1, 2]\ntargets: []\nindicators: []\n", "expected a `registry:` block with the fields id"),
    ("- 1\n- 2\n", "expected a mapping with a `registry:` block"),
    ("registry: {id: [1], policy: 2}\n", "registry, field id"),
])
def test_registry_shapes_that_are_not_mappings_are_named(tmp_path, text, expected):
    with pytest.raises(InputError, match=expected):
        load_registry(_registry_text(tmp_path, text))


def test_a_folder_or_a_non_utf8_file_as_the_registry_is_named(tmp_path):
    with pytest.raises(InputError, match="expected a YAML file, found a folder or a device"):
        load_registry(tmp_path)
    path = tmp_path / "targets.yaml"
    path.write_bytes(_valid_text().encode("gb18030"))
    with pytest.raises(InputError, match=r"targets.yaml: not UTF-8 text \(undecodable byte at offset \d+\)"):
        load_registry(path)


# --- the command line: a bug is one line, its traceback under -v ----------------------------------------------------

def _bug(*args, **kwargs):
    raise ZeroDivisionError("float division by zero\n  in a model we did not guard")


def test_a_bug_is_one_line_naming_it_and_exit_code_1(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("qanalysis.ingest.build.build", _bug)
    assert cli.main(["build", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err == ("qanalysis: internal error: ZeroDivisionError: float division by zero in a model we did not guard; "
                   "run with -v to see the traceback\n")


def test_with_v_a_bug_shows_its_traceback(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("qanalysis.ingest.build.build", _bug)
    assert cli.main(["-v", "build", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "in _bug" in err
    assert err.rstrip().endswith("qanalysis: internal error: ZeroDivisionError: float division by zero in a model we "
                                 "did not guard")


def test_bad_input_is_still_exit_code_2_without_internal_error(capsys, tmp_path):
    data = tmp_path / "s.csv"
    data.write_text("series,year,value\na,²⁰¹⁸,1\n", encoding="utf-8")
    assert cli.main(["forecast", "--data", str(data), "--horizon", "1", "--out", str(tmp_path / "f.csv"),
                     "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {data}, line 2: expected a whole year like 2018") and "internal" not in err
