"""The briefing pack for one vintage: charts, the Excel scorecard and a one-page summary (Markdown and HTML).

Three parts, as in owid/etl steps: load (registry, tidy data, sources), compute (assessment, outlooks, proxies,
vintages — all from `assess`, nothing re-derived here), save. Every file is byte-identical on rerun: charts carry no
timestamps (`plots.save`), the workbook has fixed properties and fixed zip-entry times, the summary (`summary`) has
no clock. `load_inputs` is public because the notebooks start from the same inputs as the briefing.

Language: charts follow `lang` ("zh" default, or "en"); the workbook carries both reasons (`reason`, `reason_zh`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter
from tqdm import tqdm

from . import assess, paths, plots
from .build import conform, read_indicators
from .fanchart import fan_chart
from .summary import write_summary
from .targets import Registry, load_registry

FIXED_TIME = dt.datetime(2000, 1, 1)  # workbook created/modified: fixed, so reruns are identical
VINTAGE_FROM = 2018  # the policy's launch year: vintages run from it to the briefing's as-of year


@dataclass(frozen=True)
class Inputs:
    """What a briefing is made from: the registry, the tidy data and the processed side tables beside it."""

    registry: Registry
    data: pd.DataFrame
    data_path: Path
    sources: pd.DataFrame | None
    coverage: pd.DataFrame | None


def load_inputs(data_path: Path = paths.PROCESSED / "indicators.csv", registry_path: Path = paths.REGISTRY) -> Inputs:
    """The registry, the tidy data and the side tables built beside it (sources.csv, coverage_targets.csv; None when
    the folder has none): what a briefing or a notebook starts from."""
    data_path = Path(data_path)
    registry = load_registry(registry_path)
    return Inputs(registry, conform(read_indicators(data_path), registry), data_path,
                  _read_csv(data_path.parent / "sources.csv"), _read_csv(data_path.parent / "coverage_targets.csv"))


def make_report(as_of: int, out_dir: Path, data_path: Path = paths.PROCESSED / "indicators.csv",
                registry_path: Path = paths.REGISTRY, seed: int = 0, lang: str = "zh") -> list[Path]:
    """Write figures/, scorecard.xlsx, summary.md and summary.html into `out_dir`; return the paths written."""
    out_dir, inputs = Path(out_dir), load_inputs(data_path, registry_path)
    registry, data = inputs.registry, inputs.data

    outlooks = assess.outlooks(registry, data, as_of, seed=seed)
    table = assess.table(outlooks)
    proxies = assess.assess_proxies(registry, data, as_of, seed=seed)
    years = tuple(range(min(VINTAGE_FROM, as_of), as_of + 1))
    vintage = assess.vintage_matrix(registry, data, as_of_years=years, seed=seed)

    written = fan_charts(out_dir / "figures", inputs, outlooks, lang)
    written += overview_charts(out_dir / "figures", inputs, table, vintage, as_of, lang)
    written.append(write_scorecard(out_dir / "scorecard.xlsx", registry, table, proxies, vintage, inputs.sources))
    written += write_summary(out_dir, registry, table, as_of)
    return written


def _read_csv(path: Path) -> pd.DataFrame | None:
    """A processed side table as text (blank cells stay ""), or None when the folder has none."""
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else None


def source_labels(indicator: str, data: pd.DataFrame, as_of: int, sources: pd.DataFrame | None) -> list[str]:
    """"publisher [ids]" for the sources of the values a chart plots (years <= as_of), in first-use order.

    Only the publisher's own name is kept ("杭州市生态环境局 (2018年…公报)" -> "杭州市生态环境局") and its ids are
    grouped: the full records are in the Sources sheet, the chart needs one short line a reader can follow there.
    """
    rows = data[(data["indicator"] == indicator) & (data["year"] <= as_of)].sort_values("year")
    ids = list(dict.fromkeys(str(s) for s in rows["source"]))
    if sources is None:
        return ids
    table = sources.set_index("id")
    by_publisher: dict[str, list[str]] = {}
    for sid in ids:
        who = str(table["publisher"].get(sid, "")) or str(table["title"].get(sid, ""))
        han = re.match(r"[\u3000-\u9fff\uff00-\uffef]+", who)
        who = han.group(0) if han else re.split(r"[,;(]| via ", who)[0].strip()
        by_publisher.setdefault(plots.shorten(who, 40), []).append(sid)
    return [f"{who} [{', '.join(group)}]" if who else ", ".join(group) for who, group in by_publisher.items()]


def _target_note(inputs: Inputs, lang: str) -> str:
    return ("目标: " if lang == "zh" else "Targets: ") + inputs.registry.policy


def target_chart(inputs: Inputs, outlook, lang: str = "zh"):
    """A target's fan chart with its source line (the documents behind the plotted values, then the policy), the
    same in the briefing pack and the notebooks."""
    labels = source_labels(outlook.indicator.id, inputs.data, outlook.as_of, inputs.sources)
    return fan_chart(outlook, lang=lang, sources=[*labels, _target_note(inputs, lang)])


def fan_charts(folder: Path, inputs: Inputs, outlooks: list, lang: str = "zh") -> list[Path]:
    """One fan chart per target, PNG and SVG, with a progress bar on stderr."""
    written = []
    for outlook in tqdm(outlooks, desc="fan charts", unit="target", file=sys.stderr):
        written += plots.save(target_chart(inputs, outlook, lang), folder / outlook.target.id)
    return written


def overview_charts(folder: Path, inputs: Inputs, table: pd.DataFrame, vintage: pd.DataFrame, as_of: int,
                    lang: str = "zh") -> list[Path]:
    """The scorecard and vintage charts, and the coverage chart when coverage_targets.csv is beside the data."""
    assessed = [plots.t(lang, "assessment"), _target_note(inputs, lang)]
    written = plots.save(plots.scorecard_chart(table, inputs.registry, lang, sources=assessed), folder / "scorecard")
    written += plots.save(plots.vintage_heatmap(vintage, inputs.registry, lang, sources=assessed), folder / "vintage")
    if inputs.coverage is not None:
        note = [inputs.data_path.name, "sources.csv"]
        chart = plots.coverage_chart(inputs.coverage, lang, inputs.registry, sources=note, as_of=as_of)
        written += plots.save(chart, folder / "coverage")
    return written


# --- Excel scorecard ---------------------------------------------------------------------------------------------

WIDTHS = {"target": 26, "name_zh": 30, "name_en": 40, "section": 26, "goal": 16, "reason": 60, "reason_zh": 50,
          "method": 18,
          "status": 20, "proxy": 26, "title": 50, "address": 40, "quote": 60, "note": 40, "proxies": 26}
PERCENT = {"p_meet"}
NUMBER = {"latest_value", "projected", "lo80", "hi80", "eurostat_ratio", "unsd_share", "goal_value"}


def _with_names(frame: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Put the target's names, section and goal beside its id: the scorecard is read by people, not joins."""
    by_id = {tg.id: tg for tg in registry.targets}
    extra = pd.DataFrame({
        "name_zh": [by_id[x].name_zh for x in frame["target"]],
        "name_en": [by_id[x].name_en for x in frame["target"]],
        "section": [by_id[x].section for x in frame["target"]],
        "goal": [by_id[x].goal for x in frame["target"]],
    }, index=frame.index)
    front = ["target", "name_zh", "name_en", "section", "goal"]
    return pd.concat([frame[["target"]], extra, frame.drop(columns="target")], axis=1)[
        front + [c for c in frame.columns if c != "target"]]


def _write_sheet(ws, frame: pd.DataFrame) -> None:
    """A table with a bold frozen header, autofilter, widths, status fills, 0% probabilities and wrapped reasons."""
    header_fill = PatternFill("solid", fgColor="EDEDED")
    ws.append([str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for record in frame.itertuples(index=False):
        ws.append([_cell(v) for v in record])
    for j, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = WIDTHS.get(str(column), 12)
        for cell in ws[letter][1:]:
            if column in PERCENT or (isinstance(column, int) and column > 1900):
                cell.number_format = "0%"
            elif column in NUMBER:
                cell.number_format = "#,##0.0#"
            if column in ("reason", "reason_zh", "quote", "note", "title", "clause"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column == "status" and cell.value in plots.STATUS_COLOURS:
                _status_fill(cell, cell.value)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, frame.shape[1]))}{len(frame) + 1}"


def _cell(value):
    """A value openpyxl can write: numpy scalars as Python numbers, lists as "a; b", missing as empty."""
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _status_fill(cell, status: str) -> None:
    """The status colour from plots.STATUS_COLOURS, with white text where the fill is dark."""
    colour = plots.STATUS_COLOURS[status].lstrip("#").upper()
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    cell.fill = PatternFill("solid", fgColor=colour)
    cell.font = Font(color="FFFFFF" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else "000000")


def write_scorecard(path: Path, registry: Registry, table: pd.DataFrame, proxies: pd.DataFrame,
                    vintage: pd.DataFrame, sources: pd.DataFrame | None) -> Path:
    """scorecard.xlsx: Scorecard, Proxies, Vintages and Sources sheets, byte-identical on rerun."""
    wb = Workbook()
    wb.active.title = "Scorecard"
    _write_sheet(wb.active, _with_names(table, registry))
    _write_sheet(wb.create_sheet("Proxies"), _with_names(proxies, registry) if len(proxies) else proxies)
    _vintage_sheet(wb.create_sheet("Vintages"), vintage, registry)
    if sources is not None:
        _write_sheet(wb.create_sheet("Sources"), sources)
    wb.properties.creator = "qanalysis"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not wb.save(): that stamps `modified` with the clock
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip_times(buffer.getvalue()))
    return path


def _fixed_zip_times(data: bytes) -> bytes:
    """Re-pack the xlsx with every entry dated 1980-01-01: zip entries otherwise carry the time of writing."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), src.read(info.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _vintage_sheet(ws, vintage: pd.DataFrame, registry: Registry) -> None:
    """Targets as rows, as-of years as columns of P(meet) (the heatmap's numbers), each cell in its status colour."""
    wide, status = plots.vintage_frames(vintage)
    order = [tg.id for tg in registry.targets if tg.id in wide.index]
    wide = wide.reindex(order)
    wide.columns = [int(c) for c in wide.columns]
    _write_sheet(ws, wide.rename_axis("target").reset_index())
    if status is None:
        return
    status = status.reindex(index=order)
    for i, target in enumerate(order, start=2):
        for j, year in enumerate(wide.columns, start=2):
            word = status.loc[target, year]
            if word in plots.STATUS_COLOURS:
                _status_fill(ws.cell(i, j), word)
