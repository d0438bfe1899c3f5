"""How every output file is written: one deterministic workbook writer, so reruns are byte-identical.

openpyxl stamps the clock into a workbook twice: the `modified` property (wb.save overwrites it) and the date of
every zip entry. Both are fixed here, for the briefing's scorecard, the fill-in template and the curated workbook
alike, so the same inputs give the same bytes.

Cells are written through `put_cell` and `append_row`, which keep text as text: openpyxl stores any str starting
with "=" as a formula, so a target name or source title "=HYPERLINK(...)" would be a live formula in the reader's
Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

FIXED_TIME = dt.datetime(2000, 1, 1)  # workbook created/modified
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # zip entries: the earliest date the format holds


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes of `wb` with fixed properties and zip-entry dates."""
    wb.properties.creator = "qanalysis"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # not save_workbook(): that stamps `modified` with the clock
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=ZIP_TIME), src.read(item.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Write `wb` to `path` deterministically (see workbook_bytes); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(wb))
    return path


def put_cell(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write one cell; a str is always a text cell, never a formula (see the module docstring). Returns the cell."""
    cell = ws.cell(row=row, column=column, value=value)
    _as_text(cell)
    return cell


def append_row(ws: Worksheet, values: list) -> None:
    """ws.append(values), with every str a text cell, never a formula."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        _as_text(cell)


def _as_text(cell: Cell) -> None:
    if isinstance(cell.value, str):
        cell.data_type = "s"
