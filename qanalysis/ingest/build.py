"""raw -> processed: read every bureau table, check it, and write the tidy indicators with their coverage.

`build` runs in the three visible parts of an owid/etl step: load (registry, sources.csv, layouts.yaml plus any
filled-in template workbooks, every table), process (unit conversion and checks across tables, then coverage, data
gaps and the build report from coverage.py), save. The output folder is made whole in a hidden staging folder and
swapped in only when complete (`outputs.output_folder`), so a failed or interrupted build leaves the previous
outputs untouched, and a second build into the same folder at the same time is refused. The raw folder is only
ever read. Outputs are sorted and carry no timestamps or absolute paths: a rebuild from the same inputs is
byte-identical. `read_indicators` reads such a tidy csv back,
with the same scrutiny, for `assess`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..outputs import check_output, output_folder
from ..registry import Registry, load_registry
from ..text import spreadsheet_safe
from ..workspace import Workspace
from .coverage import build_report, coverage_indicators, coverage_targets, data_gaps, indicator_years, not_published
from .layers import Layered, check_source_ids, layer, layers_report, reference_values
from .layouts import Layout, load_layouts, parse_layouts
from .processed import load_sources, read_indicators
from .sheets import display_path, inside
from .tables import TIDY_COLUMNS, TableRead, read_table
from .template import find_templates
from .values import check_values


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote and the counts an analyst checks first.

    n_not_published counts indicator-years that no row of any table gives a number for, not blank cells: an
    indicator split over several rows (one per source) leaves each row blank where another row has the year.
    """

    out_dir: Path
    files: tuple[str, ...]
    n_values: int
    n_indicators: int
    n_registered: int
    n_tables: int
    n_not_published: int
    n_skipped: int
    n_unread: int = 0
    n_conflicts: int | None = None  # None: not a layered build

    def summary(self) -> str:
        conflicts = [] if self.n_conflicts is None else [
            f"conflicts with the reference data: {self.n_conflicts} indicator-years (your value used; listed in "
            "conflicts.csv and build_report.md)"]
        return "\n".join([
            f"built {self.n_values} values for {self.n_indicators} of {self.n_registered} indicators "
            f"from {self.n_tables} tables",
            f"not published: {self.n_not_published} indicator-years; skipped: {self.n_skipped} rows or columns"
            + (f"; data files not read: {self.n_unread}" if self.n_unread else "")
            + " (listed with why in build_report.md)",
            *conflicts,
            f"wrote {display_path(self.out_dir)}: {', '.join(self.files)}",
        ])


def _layouts(raw_dir: Path, registry: Registry, source_ids: set[str]) -> tuple[list[Layout], list[str]]:
    """layouts.yaml records (the file is optional when templates are present), then filled-in templates found in
    raw_dir (template.py), and the data files left unread."""
    path = raw_dir / "layouts.yaml"
    layouts = load_layouts(inside(raw_dir, "layouts.yaml"), registry, source_ids) if path.exists() else []
    templates, unread = find_templates(raw_dir, {x.file for x in layouts})
    for rel, records in templates.items():
        layouts += parse_layouts(records, f"{display_path(raw_dir / rel)} (template layout)", registry, source_ids)
    if not layouts:
        raise InputError(f"{display_path(raw_dir)}: no tables: expected a filled-in template workbook (qanalysis "
                         "template) under bureau/, or layout records in layouts.yaml")
    return layouts, unread


@dataclass(frozen=True)
class RawRead:
    """Everything read from one raw folder, checked, before anything is written."""

    registry: Registry
    sources: pd.DataFrame
    reads: list[TableRead]
    tidy: pd.DataFrame
    unread: list[str]
    reference: Layered | None = None


def read_raw(raw_dir: Path, registry_path: Path, reference: Workspace | None = None) -> RawRead:
    """Read and check every table of raw_dir, layered on `reference`'s processed values when given.

    Every problem of every table comes in one InputError, with the unit and range checks of all tables that could
    be read, so the analyst fixes a workbook in one pass (`qanalysis check`), not in waves. Only problems that leave
    nothing to check further (the registry, sources.csv, the layout records) stop earlier.
    """
    raw_dir = Path(raw_dir)
    registry = load_registry(registry_path)
    sources = load_sources(inside(raw_dir, "sources.csv"))
    ref_sources = None
    if reference is not None:
        ref_sources = load_sources(reference.processed / "sources.csv")
        check_source_ids(sources, ref_sources, display_path(raw_dir / "sources.csv"))
    source_ids = set(sources["id"]) | (set(ref_sources["id"]) if ref_sources is not None else set())
    layouts, unread = _layouts(raw_dir, registry, source_ids)
    reads, problems = [], []
    for layout in layouts:
        try:
            reads.append(read_table(layout, raw_dir, registry, source_ids, strict=False))
        except InputError as exc:
            problems.append(str(exc))
    problems += [p for r in reads for p in r.problems]
    tidy = pd.DataFrame(columns=TIDY_COLUMNS)
    if reads:
        frames = [r.frame for r in reads if not r.frame.empty]
        try:
            tidy = check_values(pd.concat(frames, ignore_index=True) if frames else reads[0].frame, registry)
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise InputError("\n".join(problems))
    if reference is None or ref_sources is None:
        return RawRead(registry, sources, reads, tidy, unread)
    values, outside = reference_values(read_indicators(reference.indicators, registry.units), registry)
    layered = layer(tidy, sources, values, ref_sources, reference.id, outside)
    return RawRead(registry, layered.sources, reads, layered.tidy, unread, layered)


OUTPUT_FILES = frozenset({"indicators.csv", "sources.csv", "coverage_indicators.csv", "coverage_targets.csv",
                          "data_gaps.csv", "build_report.md", "conflicts.csv"})  # a build's folder before markers


def build(raw_dir: Path, out_dir: Path, registry_path: Path, reference: Workspace | None = None,
          force: bool = False) -> BuildResult:
    """Read the raw folder (on top of `reference`'s values, when given) and write out_dir/{indicators,sources,
    coverage_*,data_gaps}.csv, build_report.md and, for a layered build, conflicts.csv.

    out_dir is replaced whole (outputs.output_folder), so it holds exactly this build's files; it must not be or
    hold an input, and an existing folder must be an earlier build's (or `force`)."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    inputs = {"the raw folder": raw_dir, "the registry": Path(registry_path),
              "the reference workspace's processed data": reference.processed if reference is not None else None}
    check_output(out_dir, "build", inputs, folder=True, force=force, known=OUTPUT_FILES)
    with output_folder(out_dir, "build") as staging:
        result = _build(raw_dir, staging, registry_path, reference)
    return replace(result, out_dir=out_dir)


def _build(raw_dir: Path, staging: Path, registry_path: Path, reference: Workspace | None) -> BuildResult:
    """load, process, save into the staging folder (see build)."""
    raw = read_raw(raw_dir, registry_path, reference)
    tidy, registry = raw.tidy, raw.registry
    report = build_report(raw.reads, tidy, registry, raw.unread)
    files = {
        "indicators.csv": _csv_text(tidy[TIDY_COLUMNS], value_column="value"),
        "sources.csv": _csv_text(raw.sources[raw.sources["id"].isin(set(tidy["source"]))].sort_values("id")),
        "coverage_indicators.csv": _csv_text(coverage_indicators(tidy, registry)),
        "coverage_targets.csv": _csv_text(coverage_targets(tidy, registry)),
        "data_gaps.csv": _csv_text(data_gaps(tidy, registry)),
        "build_report.md": report,
    }
    if raw.reference is not None and reference is not None:
        files["build_report.md"] += layers_report(raw.reference, display_path(reference.root))
        files["conflicts.csv"] = _csv_text(raw.reference.conflicts, ("published", "bureau", "difference"))
    _write_all(staging, files)
    return BuildResult(staging, tuple(files), len(tidy), tidy["indicator"].nunique(), len(registry.indicators),
                       len(raw.reads), indicator_years(not_published(raw.reads, tidy)),
                       sum(len(r.skipped) for r in raw.reads), len(raw.unread),
                       len(raw.reference.conflicts) if raw.reference is not None else None)


def _number(value: float) -> str:
    """Shortest positional form ("12.5", "38", "1.2345") at 12 significant digits (30 - 29.8 is 0.2, not
    0.1999999999999993); values are already rounded so."""
    return np.format_float_positional(float(f"{float(value):.12g}"), trim="-")


def _csv_text(frame: pd.DataFrame, value_column: str | tuple[str, ...] = ()) -> str:
    """The csv text of a processed table: text fields safe to open in a spreadsheet (text.spreadsheet_safe: a source
    title "=HYPERLINK(...)" stays text), then the value columns as shortest 12-digit numbers."""
    frame = frame.reset_index(drop=True)
    columns = (value_column,) if isinstance(value_column, str) else value_column
    frame = frame.assign(**{c: frame[c].map(spreadsheet_safe) for c in frame.columns if c not in columns})
    frame = frame.assign(**{c: frame[c].map(_number) for c in columns})
    return frame.to_csv(index=False, lineterminator="\n")


def _write_all(folder: Path, files: dict[str, str]) -> None:
    """Write every file into the (staging) folder; csv with a byte-order mark: Excel on Chinese Windows reads it as
    UTF-8 only then, and our readers skip it."""
    for name, text in files.items():
        encoding = "utf-8-sig" if name.endswith(".csv") else "utf-8"
        (folder / name).write_text(text, encoding=encoding, newline="")
