"""Every YAML the project reads refuses alias bombs, duplicate keys, non-files and oversized files, naming the line."""

from __future__ import annotations

import pytest

from qanalysis import settings, yamlfile
from qanalysis.errors import InputError
from qanalysis.registry import load_registry
from qanalysis.workspace import load_workspace

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n"


def test_an_alias_bomb_is_refused_before_it_expands():
    with pytest.raises(InputError, match=r"f.yaml, line 1: refused: anchors and aliases"):
        yamlfile.load_yaml_text(BOMB, "f.yaml")


def test_a_duplicate_key_is_refused_with_both_lines():
    with pytest.raises(InputError, match=r"f.yaml, line 3: refused: key 'value' is given twice in one mapping "
                                         r"\(first on line 2\)"):
        yamlfile.load_yaml_text("target:\n  value: 35\n  value: 30\n", "f.yaml")


def test_plain_yaml_reads_as_before():
    assert yamlfile.load_yaml_text("a: [1, 2]\nb: {c: x}\n", "f.yaml") == {"a": [1, 2], "b": {"c": "x"}}


def test_registry_with_a_duplicate_field_is_refused(tmp_path):
    text = settings.REGISTRY.read_text(encoding="utf-8").replace("  value: 35\n", "  value: 35\n  value: .nan\n", 1)
    assert "value: .nan" in text
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"r.yaml, line \d+: refused: key 'value' is given twice"):
        load_registry(path)


@pytest.mark.parametrize("make", ["folder", "device", "huge"])
def test_only_small_regular_files_are_read(tmp_path, make, monkeypatch):
    if make == "folder":
        path = tmp_path
        expected = "expected a YAML file, found a folder or a device"
    elif make == "device":
        path = tmp_path / "zero"
        path.symlink_to("/dev/zero")
        expected = "expected a YAML file, found a folder or a device"
    else:
        monkeypatch.setattr(yamlfile, "MAX_BYTES", 1000)
        path = tmp_path / "big.yaml"
        path.write_text("a: " + "x" * 2000, encoding="utf-8")
        expected = "refused: larger than"
    with pytest.raises(InputError, match=expected):
        load_registry(path)


def test_workspace_file_with_an_alias_is_refused(tmp_path):
    (tmp_path / "workspace.yaml").write_text("id: &i x\nregistry: *i\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"workspace.yaml, line 1: refused: anchors and aliases"):
        load_workspace(tmp_path)
