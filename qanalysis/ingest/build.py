"""raw -> processed: read every bureau table, check it, and write the tidy indicators with their coverage.

`build` runs in the three visible parts of an owid/etl step: load (registry, sources.csv, layouts.yaml plus any
filled-in template workbooks, every table), process (unit conversion and checks across tables, then coverage, data
gaps and the build report from coverage.py), save. Everything is computed in memory before a single file is
written, and the files are written to a temporary folder and moved into place only at the end, so a failed build
leaves the previous outputs untouched. The raw folder is only ever read. Outputs are sorted and carry no timestamps
or absolute paths: a rebuild from the same inputs is byte-identical. `read_indicators` reads such a tidy csv back,
with the same scrutiny, for `assess`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..registry import Registry, load_registry
from .coverage import build_report, coverage_indicators, coverage_targets, data_gaps, indicator_years, not_published
from .layouts import Layout, load_layouts, parse_layouts
from .processed import load_sources
from .sheets import display_path
from .tables import TIDY_COLUMNS, read_table
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

    def summary(self) -> str:
        return "\n".join([
            f"built {self.n_values} values for {self.n_indicators} of {self.n_registered} indicators "
            f"from {self.n_tables} tables",
            f"not published: {self.n_not_published} indicator-years; skipped: {self.n_skipped} rows or columns"
            + (f"; data files not read: {self.n_unread}" if self.n_unread else "")
            + " (listed with why in build_report.md)",
            f"wrote {display_path(self.out_dir)}: {', '.join(self.files)}",
        ])


def _layouts(raw_dir: Path, registry: Registry, source_ids: set[str]) -> tuple[list[Layout], list[str]]:
    """layouts.yaml records, then filled-in templates found in raw_dir (template.py), and the data files left unread."""
    layouts = load_layouts(raw_dir / "layouts.yaml", registry, source_ids)
    templates, unread = find_templates(raw_dir, {x.file for x in layouts})
    for rel, records in templates.items():
        layouts += parse_layouts(records, f"{display_path(raw_dir / rel)} (template layout)", registry, source_ids)
    if not layouts:
        raise InputError(f"{display_path(raw_dir / 'layouts.yaml')}: no tables: expected layout records under "
                         "`tables:` or a filled-in template workbook in the raw folder")
    return layouts, unread


def build(raw_dir: Path, out_dir: Path, registry_path: Path) -> BuildResult:
    """Read the raw folder and write out_dir/{indicators,sources,coverage_*,data_gaps}.csv and build_report.md."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if out_dir.resolve().is_relative_to(raw_dir.resolve()):
        raise InputError(f"{display_path(out_dir)}: refused: the output folder is inside the raw folder "
                         f"{display_path(raw_dir)}, which is only ever read; expected e.g. data/processed")
    registry = load_registry(registry_path)
    sources = load_sources(raw_dir / "sources.csv")
    source_ids = set(sources["id"])
    layouts, unread = _layouts(raw_dir, registry, source_ids)
    reads, problems = [], []
    for layout in layouts:
        try:
            reads.append(read_table(layout, raw_dir, registry, source_ids))
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise InputError("\n".join(problems))
    frames = [r.frame for r in reads if not r.frame.empty]
    tidy = check_values(pd.concat(frames, ignore_index=True) if frames else reads[0].frame, registry)
    files = {
        "indicators.csv": _csv_text(tidy[TIDY_COLUMNS], value_column="value"),
        "sources.csv": _csv_text(sources[sources["id"].isin(set(tidy["source"]))].sort_values("id")),
        "coverage_indicators.csv": _csv_text(coverage_indicators(tidy, registry)),
        "coverage_targets.csv": _csv_text(coverage_targets(tidy, registry)),
        "data_gaps.csv": _csv_text(data_gaps(tidy, registry)),
        "build_report.md": build_report(reads, tidy, registry, unread),
    }
    _write_all(out_dir, files)
    return BuildResult(out_dir, tuple(files), len(tidy), tidy["indicator"].nunique(), len(registry.indicators),
                       len(reads), indicator_years(not_published(reads, tidy)), sum(len(r.skipped) for r in reads),
                       len(unread))


def _number(value: float) -> str:
    """Shortest positional form ("12.5", "38", "1.2345"): values are already rounded to 12 significant digits."""
    return np.format_float_positional(float(value), trim="-")


def _csv_text(frame: pd.DataFrame, value_column: str | None = None) -> str:
    frame = frame.reset_index(drop=True)
    if value_column:
        frame = frame.assign(**{value_column: frame[value_column].map(_number)})
    return frame.to_csv(index=False, lineterminator="\n")


def _write_all(out_dir: Path, files: dict[str, str]) -> None:
    """Write every file into a temporary sibling folder, then swap them into out_dir: no partial output.

    Files are swapped one by one (out_dir may hold other steps' outputs, so the folder is not replaced whole); if a
    move fails, the files already swapped are put back, so out_dir holds either every new file or the old ones.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-build-", dir=out_dir.parent))
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8", newline="")
        out_dir.mkdir(exist_ok=True)
        _swap_in(staging, out_dir, list(files))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, out_dir: Path, names: list[str]) -> None:
    """Move the staged files into out_dir, keeping the old ones aside until all moved (see _write_all)."""
    done: list[str] = []
    try:
        for name in names:
            if (out_dir / name).exists():
                os.replace(out_dir / name, staging / f"{name}.previous")
            done.append(name)
            os.replace(staging / name, out_dir / name)
    except OSError:
        for name in reversed(done):
            if (staging / f"{name}.previous").exists():
                os.replace(staging / f"{name}.previous", out_dir / name)
            elif (out_dir / name).exists():
                (out_dir / name).unlink()
        raise
