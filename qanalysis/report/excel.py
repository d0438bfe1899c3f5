"""The briefing's Excel scorecard, in the reader's language: 评估表 / Scorecard, 代理指标 / Proxies, 各时点评估 /
Vintages, 资料来源 / Sources and, for a layered workspace with any, 数据冲突 / Conflicts.

The workbook is read by the people the briefing is for, and worked on by analysts; both are served:

- Sheet names, column headers and every word the code writes follow the pack's language (`SHEETS`, `HEADERS`: the
  workbook's one vocabulary, both languages side by side): names (`labels.name`), section (`labels.section`), goal
  in the language's unit (`labels.unit_label`), status words (`labels.status_label`), the reason (the row's `reason`
  or `reason_zh`: one language per pack, the other is the other pack) and the cross-check categories.
- The target id stays first, because analysts join on it; the name in the pack's language stands beside it in every
  sheet, and both stay in view when the reader scrolls right.
- The status fill is the charts' colour, looked up by the status code, never by the translated word.
- P(meet) stays a number (analysts sort and compute) shown with `P_FORMAT`, which says "<1%" and ">99%" where the
  charts (`text.pct`) do instead of a rounded 0 % or 100 %.
- Columns a reader uses come first (`READER`); those an analyst uses stand at the right under plain headers
  (`ANALYST`: the as-of year, the number of values seen, indicator and proxy ids, the official cross-checks, the
  engine's notes). `method` is the model as the charts name it, in the pack's language (`labels.method_text`: its first
  clause); the engine's notes stay as it writes them. Dropped: `kind` (the goal already says it: a window "(2019–2022)" for growth and cumulative targets; the
  code is in the registry, joined on the id) and the reason in the other language. On Proxies also the proxy row's
  `indicator` (it is the proxy id) and `proxies` (a proxy has none).
- A source's address is a link only when it is an http(s) address: the value comes from an analyst's file, and a
  `file:` or `javascript:` link must never become clickable.
- Every sheet prints landscape on A4, one page wide, with the header row on every page and the sheet name and page
  number in the header and footer; the assessment sheets print the reader's columns only (the print area).
- The bytes are the same on every rerun (`outputs.save_workbook`), and every text is written as text
  (`outputs.append_row`): names and source titles come from analysts' files, and one starting with "=" must not
  become a live formula in the reader's Excel.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..lang import Lang, as_lang
from ..outputs import append_row, save_workbook
from ..registry import Registry
from . import labels
from .overview import vintage_frames
from .style import STATUS_COLOURS, on_dark

# ---- the workbook's words: key -> (Chinese, English) ---------------------------------------------------------------

_SHEETS: dict[str, tuple[str, str]] = {
    "scorecard": ("评估表", "Scorecard"),
    "proxies": ("代理指标", "Proxies"),
    "vintages": ("各时点评估", "Vintages"),
    "sources": ("资料来源", "Sources"),
    "conflicts": ("数据冲突", "Conflicts"),
}
_HEADERS: dict[str, tuple[str, str]] = {
    # the assessment (Scorecard, Proxies, Vintages)
    "target": ("目标代码", "Target id"),
    "name": ("名称", "Name"),
    "section": ("政策条款部分", "Section"),
    "goal": ("目标值", "Goal"),
    "proxy": ("代理指标代码", "Proxy id"),
    "proxy_name": ("代理指标", "Proxy"),
    "latest_year": ("最新年份", "Latest year"),
    "latest_value": ("最新值", "Latest value"),
    "projected": ("预测值", "Forecast"),
    "lo80": ("80%区间下限", "80% low"),
    "hi80": ("80%区间上限", "80% high"),
    "p_meet": ("达成概率", "P(meet)"),
    "status": ("状态", "Status"),
    "method": ("方法", "Method"),
    "reason": ("原因", "Reason"),
    "as_of": ("评估截至年份", "Assessed as of"),
    "n_obs": ("已有数值个数", "Values seen"),
    "indicator": ("指标代码", "Indicator id"),
    "proxies": ("代理指标代码", "Proxy ids"),
    "eurostat_ratio": ("Eurostat 进度比率", "Eurostat ratio"),
    "eurostat_category": ("Eurostat 判断", "Eurostat category"),
    "unsd_share": ("UNSD 完成比例", "UNSD share"),
    "unsd_category": ("UNSD 判断", "UNSD category"),
    "notes": ("模型说明", "Model notes"),
    # the sources (Sources)
    "id": ("来源编号", "Source id"),
    "title": ("标题", "Title"),
    "publisher": ("发布机构", "Publisher"),
    "publisher_en": ("发布机构(英文)", "Publisher (English)"),
    "address": ("网址", "Address"),
    "accessed": ("访问日期", "Accessed"),
    "quote": ("原文摘录", "Quote"),
    "note": ("备注", "Note"),
    # a workspace's values that differ from the published ones (Conflicts), worded as the summary words them
    "indicator_name": ("指标", "Indicator"),
    "year": ("年份", "Year"),
    "published": ("已公布", "Published"),
    "bureau": ("工作区", "Workspace"),
    "difference": ("差值", "Difference"),
    "published_source": ("公布来源", "Published source"),
    "bureau_source": ("工作区来源", "Workspace source"),
}
_PAGE: tuple[str, str] = ("第 &P 页，共 &N 页", "Page &P of &N")  # the printed footer; &P page, &N pages


def _by_lang(table: dict[str, tuple[str, str]]) -> dict[Lang, dict[str, str]]:
    """One table per language from the side-by-side one."""
    return {Lang.ZH: {k: zh for k, (zh, _) in table.items()}, Lang.EN: {k: en for k, (_, en) in table.items()}}


SHEETS = _by_lang(_SHEETS)
HEADERS = _by_lang(_HEADERS)

# ---- what each sheet shows, left to right --------------------------------------------------------------------------

READER = ("latest_year", "latest_value", "projected", "lo80", "hi80", "p_meet", "status", "method", "reason")
ANALYST = ("as_of", "n_obs", "indicator", "proxies", "eurostat_ratio", "eurostat_category", "unsd_share",
           "unsd_category", "notes")
SCORECARD = ("target", "name", "section", "goal", *READER, *ANALYST)
PROXIES = ("target", "name", "goal", "proxy", "proxy_name", *READER,
           *(c for c in ANALYST if c not in ("indicator", "proxies")))
SOURCES = ("id", "title", "publisher", "publisher_en", "address", "accessed", "quote", "note")
CONFLICTS = ("indicator", "indicator_name", "year", "published", "bureau", "difference", "published_source",
             "bureau_source")
DROPPED = frozenset({"kind", "reason_zh"})  # assessment columns no sheet shows as such (see the module docstring)

# P(meet) as the charts print it (text.pct): "<1%" below 0.005, ">99%" above 0.995, whole percents between.
# At exactly 0.995 (P(meet) is rounded to three decimals, so it happens) the cell says ">99%", never "100%".
P_FORMAT = '[<0.005]"<1%";[>=0.995]">99%";0%'
NUMBER_FORMAT = "#,##0.0#"
NUMBERS = frozenset({"latest_value", "projected", "lo80", "hi80", "eurostat_ratio", "unsd_share"})
WRAPPED = frozenset({"name", "section", "proxy_name", "method", "reason", "notes", "title", "publisher", "quote",
                     "note", "indicator_name"})
WIDTHS = {"target": 24, "name": 34, "section": 28, "goal": 18, "proxy": 24, "proxy_name": 30, "method": 28,
          "reason": 60, "indicator": 24, "proxies": 26, "eurostat_category": 18, "unsd_category": 18, "notes": 40,
          "id": 10, "title": 44, "publisher": 36, "publisher_en": 28, "address": 40, "quote": 60, "note": 50,
          "indicator_name": 34, "published_source": 14, "bureau_source": 14}
HEADER_FILL = PatternFill("solid", fgColor="EDEDED")


def write_scorecard(path: Path, registry: Registry, table: pd.DataFrame, proxies: pd.DataFrame,
                    vintage: pd.DataFrame, sources: pd.DataFrame | None,
                    conflicts: pd.DataFrame | None = None, *, lang: Lang | str) -> Path:
    """scorecard.xlsx in `lang` (the pack's language; no default, so no caller gets a language it did not ask for):
    the Scorecard, Proxies, Vintages, Sources and (for a layered workspace with any) Conflicts sheets, byte-identical
    on rerun."""
    lang = as_lang(lang)
    wb = Workbook()
    first = wb.active
    first.title = SHEETS[lang]["scorecard"]
    _write_table(first, *_assessment(table, registry, lang, SCORECARD), lang, unprinted=ANALYST)
    _write_table(wb.create_sheet(SHEETS[lang]["proxies"]), *_assessment(proxies, registry, lang, PROXIES), lang,
                 unprinted=ANALYST)
    _write_table(wb.create_sheet(SHEETS[lang]["vintages"]), *_vintages(vintage, registry, lang), lang)
    if sources is not None:
        ws, cells = wb.create_sheet(SHEETS[lang]["sources"]), _shown(sources, SOURCES)
        _write_table(ws, cells, None, lang)
        _link_addresses(ws, cells)
    if conflicts is not None and len(conflicts):
        _write_table(wb.create_sheet(SHEETS[lang]["conflicts"]), _conflicts(conflicts, registry, lang), None, lang)
    return save_workbook(wb, path)


# ---- the sheets' cells ---------------------------------------------------------------------------------------------


def _assessment(frame: pd.DataFrame, registry: Registry, lang: Lang,
                columns: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the cells, the status codes that colour them) of an assessment table (Scorecard or Proxies): the reader's
    words in `lang` beside (or instead of) the codes, in the order of `columns`."""
    by_id = {tg.id: tg for tg in registry.targets}
    targets = [by_id[t] for t in frame["target"]]
    words: dict[str, list] = {
        "name": [labels.name(tg, lang) for tg in targets],
        "section": [labels.section(tg, lang) for tg in targets],
        "goal": [labels.goal(tg, lang, registry.units) for tg in targets],
        "status": [labels.status_label(s, lang) for s in frame["status"]],
    }
    if "reason" in frame:
        words["reason"] = [labels.reason(row, lang) for row in frame.to_dict("records")]
    for column in ("eurostat_category", "unsd_category"):
        if column in frame:
            words[column] = [labels.crosscheck_label(v, lang) if isinstance(v, str) else v for v in frame[column]]
    if "proxy" in frame:
        words["proxy_name"] = [labels.name(registry.indicators[p], lang) for p in frame["proxy"]]
    if "method" in frame:  # the model as the charts name it; the interval's technicalities are in the notes
        words["method"] = [labels.method_text(str(m), lang) for m in frame["method"]]
    cells = frame.drop(columns=["reason"], errors="ignore").reset_index(drop=True).assign(**words)
    return _shown(cells, columns), frame[["status"]].reset_index(drop=True)


def _vintages(vintage: pd.DataFrame, registry: Registry, lang: Lang) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Targets as rows (id and name), as-of years as columns of P(meet): the heatmap's numbers, with its statuses."""
    wide, status = vintage_frames(vintage)
    targets = [tg for tg in registry.targets if tg.id in wide.index]
    order = [tg.id for tg in targets]
    years = [int(y) for y in wide.columns]
    values = wide.reindex(order).set_axis(years, axis=1).reset_index(drop=True)
    cells = pd.concat([pd.DataFrame({"target": order, "name": [labels.name(tg, lang) for tg in targets]}), values],
                      axis=1)
    if status is None:
        return cells, pd.DataFrame()
    return cells, status.reindex(index=order, columns=wide.columns).set_axis(years, axis=1).reset_index(drop=True)


def _conflicts(conflicts: pd.DataFrame, registry: Registry, lang: Lang) -> pd.DataFrame:
    """The conflicts table with the indicator's name beside its id, and its numbers as numbers (the side table is
    read as text; a number stored as text will not sum or sort)."""
    frame = conflicts.copy()
    frame["indicator_name"] = [labels.name(registry.indicators[i], lang) if i in registry.indicators else ""
                               for i in frame["indicator"]]
    for column in ("year", "published", "bureau", "difference"):
        if column in frame:
            frame[column] = [_number(v) for v in frame[column]]
    return _shown(frame, CONFLICTS)


def _number(value):
    """A text that reads as a number, as that number (a whole one as int); anything else as given."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else number


def _shown(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """`frame`'s columns among `columns`, in that order (a hand-made table may lack some)."""
    return frame[[c for c in columns if c in frame.columns]].reset_index(drop=True)


def _cell(value):
    """A value openpyxl can write: numpy scalars as Python numbers, lists as "a; b", missing as empty."""
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


# ---- writing a sheet -----------------------------------------------------------------------------------------------


def _write_table(ws: Worksheet, cells: pd.DataFrame, status: pd.DataFrame | None, lang: Lang,
                 unprinted: tuple[str, ...] = ()) -> None:
    """A table with a bold header in `lang`, its formats, the status fills, the id and the name beside it frozen, an
    autofilter and the print setup. `status` holds the status codes of the cells to colour, by row and column;
    `unprinted` the columns (at the right) left out of the printout."""
    append_row(ws, [_header(c, lang) for c in cells.columns])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for record in cells.itertuples(index=False):
        append_row(ws, [_cell(v) for v in record])
    for j, column in enumerate(cells.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS.get(str(column), 12)
        for cell in _body(ws, j, len(cells)):
            _format(cell, column)
    _fill_statuses(ws, cells, status)
    ws.freeze_panes = "C2" if list(cells.columns[1:2]) in (["name"], ["indicator_name"]) else "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, cells.shape[1]))}{len(cells) + 1}"
    _print_setup(ws, lang, sum(c not in unprinted for c in cells.columns), len(cells))


def _header(column, lang: Lang) -> str:
    """The column's header in `lang`; an as-of year (Vintages) is its own header."""
    return str(column) if isinstance(column, int) else HEADERS[lang][column]


def _format(cell, column) -> None:
    """The number format and wrapping of a body cell by its column: P(meet) (and a Vintages year) as the charts
    print it, values with up to two decimals, long texts wrapped."""
    if column == "p_meet" or isinstance(column, int):
        cell.number_format = P_FORMAT
    elif column in NUMBERS:
        cell.number_format = NUMBER_FORMAT
    if column in WRAPPED:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _fill_statuses(ws: Worksheet, cells: pd.DataFrame, status: pd.DataFrame | None) -> None:
    """Each cell of a column in `status` in its status's colour, looked up by the status code (the cell may show the
    word in either language)."""
    if status is None or status.empty:
        return
    for column in status.columns:
        j = list(cells.columns).index(column) + 1
        for i, code in enumerate(status[column], start=2):
            if isinstance(code, str) and code in STATUS_COLOURS:
                _status_fill(ws.cell(i, j), code)


def _status_fill(cell, status: str) -> None:
    """The status colour from STATUS_COLOURS, with white text where the fill is dark."""
    cell.fill = PatternFill("solid", fgColor=STATUS_COLOURS[status].lstrip("#").upper())
    cell.font = Font(color="FFFFFF" if on_dark(status) else "000000")


def _link_addresses(ws: Worksheet, cells: pd.DataFrame) -> None:
    """Make each web address in the address column a link (style "Hyperlink"); any other text stays plain text."""
    if "address" not in cells.columns:
        return
    for cell in _body(ws, list(cells.columns).index("address") + 1, len(cells)):
        if web_address(cell.value):
            cell.hyperlink = cell.value
            cell.style = "Hyperlink"


def _body(ws: Worksheet, column: int, rows: int) -> list:
    """The body cells (below the header) of the 1-based `column`."""
    return [ws.cell(i, column) for i in range(2, rows + 2)]


MAX_LINK = 2079  # the longest link address Excel takes (XlsxWriter's table of Excel limits); longer stays text


def web_address(value) -> bool:
    """True for an http(s) address with a host, no space or control character and no longer than Excel takes: the
    only kind of value the workbook makes clickable. A `file:`, `javascript:` or `data:` value, or a relative path,
    stays text."""
    if not isinstance(value, str) or len(value) > MAX_LINK or any(c.isspace() or ord(c) < 32 or ord(c) == 127
                                                                   for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _print_setup(ws: Worksheet, lang: Lang, printed: int, rows: int) -> None:
    """Landscape A4, one page wide and as many long as it takes, the header row on every page, the sheet name at
    the top and the page number at the bottom. Only the first `printed` columns (the reader's) are printed: the
    analysts' columns at the right would shrink a one-page-wide printout to a size no one reads."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddHeader.center.text = "&A"
    ws.oddFooter.center.text = _PAGE[0] if lang == Lang.ZH else _PAGE[1]
    if 0 < printed < ws.max_column:
        ws.print_area = f"A1:{get_column_letter(printed)}{rows + 1}"
