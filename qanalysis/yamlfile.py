"""Every YAML the project reads (registries, layouts.yaml, workspace.yaml, a template's hidden layout sheet) is read here.

YAML from an analyst's folder is untrusted input, and PyYAML's safe loader still accepts three things that hurt:
anchors and aliases (a few hundred bytes of nested aliases expand to gigabytes: the "billion laughs"), a key given
twice in one mapping (the last one silently wins, so a corrected value can be undone by a stale line below it), and
files of any size (a registry pointed at /dev/zero grows until memory runs out). None of these has a use in our
files, so all three are refused, naming the file and the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

MAX_BYTES = 8 * 2**20  # the largest registry we know (378 targets) is under 0.3 MB
MAX_DEPTH = 50  # our files nest four levels deep; [[[[...]]]] a few thousand deep would exhaust Python's stack


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors, aliases, duplicate keys and deep nesting. The pure-Python one: the C
    loader composes nodes in C, where an alias cannot be stopped before it is expanded."""

    depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(event.start_mark, "anchors and aliases (&name, *name) are not allowed")
        if self.depth >= MAX_DEPTH:
            raise _Refused(event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):  # noqa: ANN001 - PyYAML's signature
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (dict, list)):
                raise _Refused(key_node.start_mark, "a mapping or list used as a key")
            if key in seen:
                raise _Refused(key_node.start_mark, f"key {key!r} is given twice in one mapping (first on line "
                                                    f"{seen[key].line + 1}); expected each key once")
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


MAX_NUMBER_LENGTH = 40  # characters of an int as written: 0x and 4000 hex digits is a number no str() can show


def _construct_int(loader: _StrictLoader, node: yaml.ScalarNode) -> int:
    """A YAML int, unless it is longer than any count or year (Python then cannot even print it in a message)."""
    if len(node.value) > MAX_NUMBER_LENGTH:
        raise _Refused(node.start_mark, f"a whole number of more than {MAX_NUMBER_LENGTH} characters")
    return loader.construct_yaml_int(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


class _Refused(Exception):
    def __init__(self, mark: Any, what: str) -> None:
        super().__init__(what)
        self.line = mark.line + 1 if mark is not None else None
        self.what = what


def load_yaml_text(text: str, shown: str) -> Any:
    """Parse YAML text from `shown` (a file or a workbook cell) strictly; InputError naming where and what."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise InputError(f"{shown}: refused: larger than {MAX_BYTES // 2**20} MB; expected a small YAML file")
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as exc:
        at = f", line {exc.line}" if exc.line else ""
        raise InputError(f"{shown}{at}: refused: {exc.what}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{shown}: not valid YAML ({exc})") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value the safe constructors cannot build: 2018-02-30,
        raise InputError(f"{shown}: not valid YAML (a value that cannot be read: {exc})") from None  # !!int x


def load_yaml(path: Path, what: str = "file", shown: str | None = None) -> Any:
    """Read and parse a YAML file strictly: a regular file, UTF-8, at most MAX_BYTES; InputError otherwise, naming
    the file as `shown` (default: the path) and calling it `what` ("registry file") when it is missing."""
    path = Path(path)
    shown = shown or str(path)
    if not path.exists():
        raise InputError(f"{shown}: {what} not found")
    if not path.is_file():
        raise InputError(f"{shown}: expected a YAML file, found a folder or a device")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"{shown}: refused: larger than {MAX_BYTES // 2**20} MB; expected a small YAML file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{shown}: not UTF-8 text (undecodable byte at offset {exc.start}); save it as UTF-8") from None
    return load_yaml_text(text, shown)
