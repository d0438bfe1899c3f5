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

import csv
import io
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import units
from .coverage import build_report, coverage_indicators, coverage_targets, data_gaps, indicator_years, not_published
from .errors import InputError
from .layouts import Layout, load_layouts, parse_layouts
from .loaders import TIDY_COLUMNS, check_values, read_table
from .sheets import decode_text, display_path
from .targets import Registry, load_registry
from .template import find_templates

SOURCE_COLUMNS = ["id", "title", "publisher", "address", "accessed", "quote", "note"]


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


def _csv_rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and (line number, record) pairs of a UTF-8 or GB18030 csv."""
    shown = display_path(path)
    if not path.is_file():
        raise InputError(f"{shown}: file not found")
    text, _ = decode_text(path.read_bytes(), shown)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    return header, [(reader.line_num, row) for row in reader]


def _check_header(path: Path, header: list[str], expected: list[str]) -> None:
    missing, extra = [c for c in expected if c not in header], [c for c in header if c not in expected]
    if missing or extra or len(set(header)) != len(header):
        raise InputError(f"{display_path(path)}, line 1: expected the columns {','.join(expected)}; found "
                         f"{','.join(header) or 'no header'}")


def load_sources(path: Path) -> pd.DataFrame:
    """The sources table (id,title,publisher,address,accessed,quote,note): ids unique and non-empty, titles given."""
    header, rows = _csv_rows(path)
    _check_header(path, header, SOURCE_COLUMNS)
    problems, seen, records, lines = [], {}, [], []
    for line, row in rows:
        record = {c: (row.get(c) or "").strip() for c in SOURCE_COLUMNS}
        if not record["id"] or not record["title"]:
            problems.append(f"{display_path(path)}, line {line}: expected an id and a title, found "
                            f'id "{record["id"]}", title "{record["title"]}"')
        elif record["id"] in seen:
            problems.append(f'{display_path(path)}, line {line}: source id "{record["id"]}" is also on line '
                            f'{seen[record["id"]]}')
        seen.setdefault(record["id"], line)
        records.append(record)
    if problems:
        raise InputError("\n".join(problems))
    return pd.DataFrame(records, columns=SOURCE_COLUMNS, dtype=str)


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


# ---------------------------------------------------------------- reading a tidy csv back

def read_indicators(path: Path) -> pd.DataFrame:
    """Read any tidy csv in the contract format (`indicator,year,value,unit,source`), checked line by line.

    Used by `qanalysis assess --data`, so a hand-made file gets the same scrutiny as a built one: the contract
    columns, whole years, finite numbers, known units, and no indicator-year twice; errors name the line.
    """
    path = Path(path)
    header, rows = _csv_rows(path)
    _check_header(path, header, TIDY_COLUMNS)
    problems, seen, records, lines = [], {}, [], []
    for line, row in rows:
        record, where = {c: (row.get(c) or "").strip() for c in TIDY_COLUMNS}, f"{display_path(path)}, line {line}"
        problem = _tidy_problem(record)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        key = (record["indicator"], int(record["year"]))
        if key in seen:
            problems.append(f"{where}: {key[0]} {key[1]} is also on line {seen[key]}; expected one value per "
                            "indicator-year")
        seen.setdefault(key, line)
        records.append(dict(record, year=int(record["year"]), value=float(record["value"]),
                            unit=units.parse(record["unit"]).symbol))
        lines.append(line)
    if problems:
        raise InputError("\n".join(problems[:30]) + (f"\n... and {len(problems) - 30} more" if len(problems) > 30 else ""))
    frame = pd.DataFrame(records, columns=TIDY_COLUMNS)
    frame = frame.astype({"indicator": "str", "year": "int64", "value": "float64", "unit": "str", "source": "str"})
    frame.attrs.update(path=display_path(path), lines=lines)  # so `conform` can name the csv line of a record
    return frame


def _tidy_problem(record: dict) -> str:
    """What is wrong with one record of a tidy csv, in the analyst's words; "" when nothing is."""
    if not record["indicator"]:
        return "expected an indicator id, found a blank cell"
    if not re.fullmatch(r"\d{4}", record["year"]):
        return f'expected a whole year like 2018, found "{record["year"]}"'
    try:
        value = float(record["value"])
    except ValueError:
        return f'expected a number in value, found "{record["value"]}"'
    if not math.isfinite(value):
        return f'expected a finite number in value, found "{record["value"]}"'
    try:
        units.parse(record["unit"])
    except ValueError as exc:
        return str(exc)
    return ""


def conform(data: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Express every value of a tidy frame in its indicator's registry unit, refusing ids the registry lacks.

    `read_indicators` only checks that each unit is a known spelling; a hand-made csv may still hold 万元 where the
    registry says 亿元, or 万元 for a PM2.5 concentration. Assessing such a file unconverted would compare numbers
    10 000 times off, and dropping unknown ids would hide a typo, so both are errors naming the record: the file
    and csv line when the frame came from `read_indicators`, else its row number.
    """
    problems, factors = [], []
    lines, where = data.attrs.get("lines"), data.attrs.get("path", "indicators")
    for i, (indicator, year, unit) in enumerate(zip(data["indicator"], data["year"], data["unit"])):
        at = f"line {lines[i]}" if lines is not None and len(lines) == len(data) else f"row {i + 1}"
        record = f"{where}, {at} ({indicator} {int(year)})"
        ind = registry.indicators.get(indicator)
        if ind is None:
            problems.append(f'{record}: indicator "{indicator}" is not in the target registry; expected one of its '
                            "indicator ids")
            factors.append(np.nan)
            continue
        try:
            factors.append(units.conversion_factor(unit, ind.unit))
        except ValueError as exc:
            problems.append(f'{record}: unit "{unit}" cannot be expressed in the registry unit "{ind.unit}" ({exc})')
            factors.append(np.nan)
    if problems:
        raise InputError("\n".join(problems[:30]) + (f"\n... and {len(problems) - 30} more" if len(problems) > 30 else ""))
    out = data.copy()
    out.attrs = {}
    out["value"] = out["value"].to_numpy(dtype=float) * np.asarray(factors, dtype=float)
    out["unit"] = [registry.indicators[i].unit for i in out["indicator"]]
    return out.reset_index(drop=True)
