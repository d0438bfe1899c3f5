"""`qanalysis check`: read a workspace's raw data as `build` would and list every problem, grouped by file and sheet.

An analyst fixing a workbook wants the whole list at once, in the order of the workbook, not one error per run. The
reading is `build.read_raw` itself (one rule in one place: what `check` passes, `build` accepts); this module only
groups its messages, whose "file, sheet S, cell C: what" form comes from `sheets.Grid.where`.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..errors import InputError
from ..workspace import Workspace
from .build import read_raw
from .sheets import display_path

# "file, sheet S, cell C: text" | "file, line N: text" | "file, C5: text" (csv cell) | "file: text" | "text"
_WHERE = re.compile(r"^(?P<place>[^:]+?(?:, sheet [^,:]+)?)(?:, (?P<at>(?:cell|line|row) [^:,]+|[A-Z]{1,3}\d+))?: "
                    r"(?P<text>.+)$")


def group_problems(message: str) -> str:
    """The lines of an InputError grouped under their file (and sheet), each line keeping its cell or line."""
    groups: dict[str, list[str]] = defaultdict(list)
    for line in (x for x in message.splitlines() if x.strip()):
        match = _WHERE.match(line)
        if match is None or line.startswith("..."):
            groups["other"].append(line)
        else:
            at = match["at"]
            groups[match["place"]].append(f"{at}: {match['text']}" if at else match["text"])
    count = sum(len(v) for v in groups.values())
    parts = [f"{count} problem{'s' * (count != 1)} in {len(groups)} place{'s' * (len(groups) != 1)}:"]
    for place, lines in groups.items():
        parts += ["", place, *(f"  {x}" for x in lines)]
    return "\n".join(parts)


def check(ws: Workspace, use_reference: bool = True) -> str:
    """What a build of `ws` would read, in one line; InputError with every problem, grouped, when it would fail."""
    reference = ws.reference if use_reference else None
    try:
        raw = read_raw(ws.raw, ws.registry, reference)
    except InputError as exc:
        raise InputError(group_problems(str(exc))) from None
    own = sum(len(r.frame) for r in raw.reads)
    text = f"no problems found in {display_path(ws.raw)}: {own} values in {len(raw.reads)} tables"
    if raw.reference is not None:
        text += (f"; with the reference data {len(raw.tidy)} values for {raw.tidy['indicator'].nunique()} of "
                 f"{len(raw.registry.indicators)} indicators, {len(raw.reference.conflicts)} of your values differing "
                 "from a published one (yours are used; listed in conflicts.csv after build)")
    if raw.unread:
        text += "\nnot read: " + "; ".join(raw.unread)
    return text + f"\nnext: .venv/bin/qanalysis build --workspace {display_path(ws.root)}"
