"""The briefing's Excel scorecard: Scorecard, Proxies, Vintages and Sources sheets, written deterministically.

Names, section and goal stand beside every target id, because the workbook is read by people, not joins; statuses
carry the charts' colours; the bytes are the same on every rerun (`outputs.save_workbook`). Every text is written as
text (`outputs.append_row`): names and source titles come from analysts' files, and one starting with "=" must not
become a live formula in the reader's Excel.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..outputs import append_row, save_workbook
from ..registry import Registry
from .overview import vintage_frames
from .style import STATUS_COLOURS

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
    append_row(ws, [str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for record in frame.itertuples(index=False):
        append_row(ws, [_cell(v) for v in record])
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
            if column == "status" and cell.value in STATUS_COLOURS:
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
    """The status colour from STATUS_COLOURS, with white text where the fill is dark."""
    colour = STATUS_COLOURS[status].lstrip("#").upper()
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    cell.fill = PatternFill("solid", fgColor=colour)
    cell.font = Font(color="FFFFFF" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else "000000")


def write_scorecard(path: Path, registry: Registry, table: pd.DataFrame, proxies: pd.DataFrame,
                    vintage: pd.DataFrame, sources: pd.DataFrame | None,
                    conflicts: pd.DataFrame | None = None) -> Path:
    """scorecard.xlsx: Scorecard, Proxies, Vintages, Sources and (for a layered workspace with any) Conflicts
    sheets, byte-identical on rerun."""
    wb = Workbook()
    wb.active.title = "Scorecard"
    _write_sheet(wb.active, _with_names(table, registry))
    _write_sheet(wb.create_sheet("Proxies"), _with_names(proxies, registry) if len(proxies) else proxies)
    _vintage_sheet(wb.create_sheet("Vintages"), vintage, registry)
    if sources is not None:
        _write_sheet(wb.create_sheet("Sources"), sources)
    if conflicts is not None and len(conflicts):
        _write_sheet(wb.create_sheet("Conflicts"), conflicts)
    return save_workbook(wb, path)


def _vintage_sheet(ws, vintage: pd.DataFrame, registry: Registry) -> None:
    """Targets as rows, as-of years as columns of P(meet) (the heatmap's numbers), each cell in its status colour."""
    wide, status = vintage_frames(vintage)
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
            if word in STATUS_COLOURS:
                _status_fill(ws.cell(i, j), word)
