"""raw -> processed: read every bureau table, check it, and write the tidy indicators with their coverage.

`build` runs in the three visible parts of an owid/etl step: load (registry, sources.csv, layouts.yaml plus any
filled-in template workbooks, every table), process (unit conversion and checks across tables, coverage, data gaps,
the build report), save. Everything is computed in memory before a single file is written, and the files are written
to a temporary folder and moved into place only at the end, so a failed build leaves the previous outputs untouched.
The raw folder is only ever read. Outputs are sorted and carry no timestamps or absolute paths: a rebuild from the
same inputs is byte-identical.
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
from openpyxl.utils import column_index_from_string

from . import units
from .errors import InputError
from .loaders import (TIDY_COLUMNS, Layout, TableRead, check_values, decode_text, display_path, load_layouts,
                      parse_layouts, read_table)
from .targets import Registry, Target, load_registry
from .template import find_templates

SOURCE_COLUMNS = ["id", "title", "publisher", "address", "accessed", "quote", "note"]
FIRST_YEAR = 2013


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote and the counts an analyst checks first."""

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
            f"not published: {self.n_not_published} cells; skipped: {self.n_skipped} rows or columns"
            + (f"; data files not read: {self.n_unread}" if self.n_unread else "")
            + " (listed with why in build_report.md)",
            f"wrote {display_path(self.out_dir)}: {', '.join(self.files)}",
        ])


def years_text(years) -> str:
    """[2018, 2019, 2020, 2021, 2024] -> "2018-2021, 2024"."""
    runs: list[list[int]] = []
    for year in sorted(set(int(y) for y in years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)


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
    problems, seen, records = [], {}, []
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
    layouts, unread = _layouts(raw_dir, registry, set(sources["id"]))
    reads, problems = [], []
    for layout in layouts:
        try:
            reads.append(read_table(layout, raw_dir, registry, set(sources["id"])))
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
                       len(reads), sum(len(r.not_published) for r in reads), sum(len(r.skipped) for r in reads),
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


# ---------------------------------------------------------------- coverage and gaps

def _years_of(tidy: pd.DataFrame) -> dict[str, list[int]]:
    years: dict[str, list[int]] = {}
    for indicator, year in zip(tidy["indicator"], tidy["year"]):
        years.setdefault(indicator, []).append(int(year))
    return {indicator: sorted(found) for indicator, found in years.items()}


def coverage_indicators(tidy: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """One row per registered indicator: how many values, which years, from which sources."""
    years, rows = _years_of(tidy), []
    sources = {ind: ";".join(sorted(set(group))) for ind, group in tidy.groupby("indicator")["source"]}
    for ind in sorted(registry.indicators.values(), key=lambda x: x.id):
        have = years.get(ind.id, [])
        rows.append(dict(indicator=ind.id, name_zh=ind.name_zh, unit=ind.unit, n_values=len(have),
                         first_year=have[0] if have else None, last_year=have[-1] if have else None,
                         years=years_text(have), sources=sources.get(ind.id, "")))
    return pd.DataFrame(rows).astype({"first_year": "Int64", "last_year": "Int64"})


def coverage_targets(tidy: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """One row per target: the values of its own indicator, and which of its proxies have any."""
    years, rows = _years_of(tidy), []
    for t in sorted(registry.targets, key=lambda x: x.id):
        have = years.get(t.indicator, [])
        rows.append(dict(target=t.id, indicator=t.indicator, kind=t.kind, n_values=len(have), years=years_text(have),
                         latest_year=have[-1] if have else None, has_data=bool(have),
                         proxies_with_data=";".join(p for p in t.proxies if years.get(p))))
    return pd.DataFrame(rows).astype({"latest_year": "Int64"})


def _decisive(t: Target) -> list[int]:
    """The years whose values decide the target (the rest only give the forecast its history)."""
    if t.kind in ("avg_growth", "cumulative", "milestone") and t.window_start is not None:
        return list(range(t.window_start, t.target_year + 1))
    return [t.target_year]


def what_is_needed(t: Target, missing: list[int]) -> str:
    """Plain words for the data-gaps report: which missing values decide the target, which only add history."""
    decisive = [y for y in _decisive(t) if y in missing]
    history = [y for y in missing if y not in decisive]
    window = f"{t.window_start}-{t.target_year}" if t.window_start is not None else str(t.target_year)
    phrases = {
        "level": f"the {t.target_year} value decides the target",
        "rank": f"the {t.target_year} rank decides the target",
        "avg_growth": f"{years_text(decisive)} annual growth rates; their {window} average decides the target",
        "cumulative": f"{years_text(decisive)} annual additions; the {window} sum decides the target",
        "milestone": f"{years_text(decisive)} values; one year reaching {t.value:g} {t.unit} in {window} decides "
                     "the target",
    }
    parts = [phrases[t.kind]] if decisive else []
    if history:
        parts.append(f"{years_text(history)} values: history for the forecast")
    return "; ".join(parts)


def data_gaps(tidy: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Targets whose own indicator misses years in 2013..target year: which cells would change the assessment."""
    years, rows = _years_of(tidy), []
    for t in sorted(registry.targets, key=lambda x: x.id):
        missing = [y for y in range(FIRST_YEAR, t.target_year + 1) if y not in set(years.get(t.indicator, []))]
        if missing:
            rows.append(dict(target=t.id, indicator=t.indicator, missing_years=years_text(missing),
                             what_is_needed=what_is_needed(t, missing),
                             bureau_table=registry.indicators[t.indicator].bureau_table))
    return pd.DataFrame(rows, columns=["target", "indicator", "missing_years", "what_is_needed", "bureau_table"])


# ---------------------------------------------------------------- the build report

def compact_cells(cells: list[str]) -> str:
    """["E4", "F4", "G4", "I4", "E5"] -> "E4:G4 I4 E5": runs of neighbouring cells in a row as ranges."""
    runs: list[list] = []
    for cell in cells:
        match = re.fullmatch(r"([A-Z]+)(\d+)", cell)
        pos = (int(match.group(2)), column_index_from_string(match.group(1))) if match else None
        if pos and runs and runs[-1][2] and runs[-1][2] == (pos[0], pos[1] - 1):
            runs[-1][1:] = [cell, pos]
        else:
            runs.append([cell, cell, pos])
    return " ".join(a if a == b else f"{a}:{b}" for a, b, _ in runs)


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_md(x) for x in row) + " |" for row in rows] + [""]


def build_report(reads: list[TableRead], tidy: pd.DataFrame, registry: Registry, unread: list[str]) -> str:
    """Markdown: counts, then every cell or line not read and why. Paths are relative to the raw folder."""
    blanks = [n for r in reads for n in r.not_published]
    skipped = [s for r in reads for s in r.skipped]
    notes = [n for r in reads for n in r.notes]
    lines = ["# Build report", "", "Written by `qanalysis build`; the same inputs give this file byte for byte.", ""]
    lines += _table(["count", "n"], [
        ["tables read", len(reads)], ["values written", len(tidy)],
        ["indicators with values", f"{tidy['indicator'].nunique()} of {len(registry.indicators)}"],
        ['cells not published (blank, "-", "…", "—")', len(blanks)], ["rows or columns skipped", len(skipped)],
        ["notes (footnote marks and rows, encodings)", len(notes)], ["data files not read", len(unread)]])
    lines += ["## Tables", ""] + _table(["table", "file", "sheet", "values", "not published", "skipped"], [
        [r.layout.id, r.layout.file, r.layout.sheet or "", len(r.frame), len(r.not_published), len(r.skipped)]
        for r in reads])
    lines += ["## Skipped: not read, and why", ""]
    lines += _table(["table", "where", "what", "why", "non-blank cells"],
                    [[s.table, s.where, s.what, s.why, s.cells] for s in skipped]) if skipped else ["None.", ""]
    groups: dict[tuple[str, str], list] = {}
    for n in blanks:
        groups.setdefault((n.table, n.indicator), []).append(n)
    lines += ["## Not published: cells of read series without a number", ""]
    lines += _table(["table", "indicator", "years", "cells", "written as"], [
        [table, ind, years_text(n.year for n in ns), compact_cells([n.cell for n in ns]),
         ", ".join(sorted({f'"{n.shown}"' if n.shown else "blank" for n in ns}))]
        for (table, ind), ns in groups.items()]) if groups else ["None.", ""]
    lines += ["## Notes", ""] + ([f"- {_md(n)}" for n in notes] or ["None."]) + [""]
    lines += ["## Data files in the raw folder not read", ""]
    lines += [f"- {_md(f)}" for f in unread] or ["None."]
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------- reading a tidy csv back

def read_indicators(path: Path) -> pd.DataFrame:
    """Read any tidy csv in the contract format (`indicator,year,value,unit,source`), checked line by line.

    Used by `qanalysis assess --data`, so a hand-made file gets the same scrutiny as a built one: the contract
    columns, whole years, finite numbers, known units, and no indicator-year twice; errors name the line.
    """
    path = Path(path)
    header, rows = _csv_rows(path)
    _check_header(path, header, TIDY_COLUMNS)
    problems, seen, records = [], {}, []
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
    if problems:
        raise InputError("\n".join(problems[:30]) + (f"\n... and {len(problems) - 30} more" if len(problems) > 30 else ""))
    frame = pd.DataFrame(records, columns=TIDY_COLUMNS)
    return frame.astype({"indicator": "str", "year": "int64", "value": "float64", "unit": "str", "source": "str"})


def _tidy_problem(record: dict) -> str:
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
