"""What a build found and what it misses: coverage per indicator and target, data gaps, and the build report.

These are the outputs an analyst reads before trusting the assessment: which years each indicator has, which
targets rest on no data, which missing cells would change a verdict (data_gaps.csv names the bureau table to ask),
and everything the reader deliberately did not read, with why (build_report.md). All of it is computed from the
tidy frame and the per-table reads, sorted, with paths relative to the raw folder, so it is byte-identical on rerun.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
from openpyxl.utils import column_index_from_string

from ..registry import Kind, Registry, Target
from ..text import markdown_text, years_text
from .tables import NotPublished, TableRead


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
        rows.append(dict(target=t.id, indicator=t.indicator, kind=t.kind.value, n_values=len(have), years=years_text(have),
                         latest_year=have[-1] if have else None, has_data=bool(have),
                         proxies_with_data=";".join(p for p in t.proxies if years.get(p))))
    return pd.DataFrame(rows).astype({"latest_year": "Int64"})


def _decisive(t: Target) -> list[int]:
    """The years whose values decide the target (the rest only give the forecast its history)."""
    if t.kind in (Kind.AVG_GROWTH, Kind.CUMULATIVE, Kind.MILESTONE) and t.window is not None:
        return list(t.window)
    return [t.target_year]


def what_is_needed(t: Target, missing: list[int]) -> str:
    """Plain words for the data-gaps report: which missing values decide the target, which only add history."""
    decisive = [y for y in _decisive(t) if y in missing]
    history = [y for y in missing if y not in decisive]
    window = f"{t.window_start}-{t.target_year}" if t.window_start is not None else str(t.target_year)
    phrases = {
        Kind.LEVEL: f"the {t.target_year} value decides the target",
        Kind.RANK: f"the {t.target_year} rank decides the target",
        Kind.AVG_GROWTH: f"{years_text(decisive)} annual growth rates; their {window} average decides the target",
        Kind.CUMULATIVE: f"{years_text(decisive)} annual additions; the {window} sum decides the target",
        Kind.MILESTONE: f"{years_text(decisive)} values; one year reaching {t.value:g} {t.unit} in {window} decides "
                     "the target",
    }
    parts = [phrases[t.kind]] if decisive else []
    if history:
        parts.append(f"{years_text(history)} values: history for the forecast")
    return "; ".join(parts)


def data_gaps(tidy: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Targets whose own indicator misses years in data_from..target year: which cells would change the assessment.

    The first year is the registry's `data_from`, the first year the template asks for, so the gaps listed are the
    cells an analyst could fill in."""
    years, rows = _years_of(tidy), []
    for t in sorted(registry.targets, key=lambda x: x.id):
        missing = [y for y in range(registry.data_from, t.target_year + 1) if y not in set(years.get(t.indicator, []))]
        if missing:
            rows.append(dict(target=t.id, indicator=t.indicator, missing_years=years_text(missing),
                             what_is_needed=what_is_needed(t, missing),
                             bureau_table=registry.indicators[t.indicator].bureau_table))
    return pd.DataFrame(rows, columns=["target", "indicator", "missing_years", "what_is_needed", "bureau_table"])


# ---------------------------------------------------------------- the build report

def not_published(reads: list[TableRead], tidy: pd.DataFrame) -> list[NotPublished]:
    """The empty cells of read series whose indicator-year has a value in no row of any table.

    An indicator may take several rows, one per source, each filling only its own years (the template asks for
    that); a blank in one row is not a gap when another row has the year, so only the rest is reported.
    """
    have = set(zip(tidy["indicator"], tidy["year"]))
    return [n for r in reads for n in r.not_published if (n.indicator, n.year) not in have]


def indicator_years(cells: Iterable[NotPublished]) -> int:
    """How many distinct indicator-years the cells stand for (two blank rows of one year count once)."""
    return len({(n.indicator, n.year) for n in cells})


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
    """A cell's text, label or note in the report: shown as written, never as markup (text.markdown_text)."""
    return markdown_text(str(text)).replace("|", "\\|")


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_md(x) for x in row) + " |" for row in rows] + [""]


def build_report(reads: list[TableRead], tidy: pd.DataFrame, registry: Registry, unread: list[str]) -> str:
    """Markdown: counts, then every cell or line not read and why. Paths are relative to the raw folder."""
    blanks = not_published(reads, tidy)
    skipped = [s for r in reads for s in r.skipped]
    notes = [n for r in reads for n in r.notes]
    lines = ["# Build report", "", "Written by `qanalysis build`; the same inputs give this file byte for byte.", ""]
    lines += _table(["count", "n"], [
        ["tables read", len(reads)], ["values written", len(tidy)],
        ["indicators with values", f"{tidy['indicator'].nunique()} of {len(registry.indicators)}"],
        ['indicator-years not published (no row has a number: blank, "-", "…", "—")', indicator_years(blanks)],
        ["rows or columns skipped", len(skipped)],
        ["notes (footnote marks and rows, encodings)", len(notes)], ["data files not read", len(unread)]])
    lines += ["## Tables", ""] + _table(["table", "file", "sheet", "values", "indicator-years not published",
                                         "skipped"], [
        [r.layout.id, r.layout.file, r.layout.sheet or "", len(r.frame),
         indicator_years(n for n in blanks if n.table == r.layout.id), len(r.skipped)] for r in reads])
    lines += ["## Skipped: not read, and why", ""]
    lines += _table(["table", "where", "what", "why", "non-blank cells"],
                    [[s.table, s.where, s.what, s.why, s.cells] for s in skipped]) if skipped else ["None.", ""]
    groups: dict[tuple[str, str], list] = {}
    for n in blanks:
        groups.setdefault((n.table, n.indicator), []).append(n)
    lines += ["## Not published: indicator-years without a number in any row, and their cells", ""]
    lines += _table(["table", "indicator", "years", "cells", "written as"], [
        [table, ind, years_text({n.year for n in ns}), compact_cells([n.cell for n in ns]),
         ", ".join(sorted({f'"{n.shown}"' if n.shown else "blank" for n in ns}))]
        for (table, ind), ns in groups.items()]) if groups else ["None.", ""]
    lines += ["## Notes", ""] + ([f"- {_md(n)}" for n in notes] or ["None."]) + [""]
    lines += ["## Data files in the raw folder not read", ""]
    lines += [f"- {_md(f)}" for f in unread] or ["None."]
    return "\n".join(lines).rstrip("\n") + "\n"
