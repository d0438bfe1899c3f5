"""The bring-your-own-data workbook: write it for every registered indicator, and recognise it when it comes back.

`write_template` writes the bureau's own layout (one sheet per policy section plus 代理指标 for proxies; row 1 a
title naming the policy, row 2 how to fill it, row 3 `指标代码 | 指标名称 | 单位 | 来源 | 2013年 ... 2024年`, one row per
indicator from row 4) and a 说明 sheet listing each indicator's unit, scope, bureau table and the target it serves.
A section's sheet is named by `section_sheet`: the reference policy's three sections keep their short bureau names
(产业, 产品服务工程, 生态环境); any other policy's section is named by its own text, made a legal sheet name. The year columns
are the registry's `data_years`: from its `data_from` to two years after its last target year (2013-2024 for the
reference policy), so another policy's template asks for that policy's years.

How `build` reads it back (the choice made here): the workbook carries its own layout records in a very hidden sheet
`_qanalysis_layout` (A1 the marker, A2 the records as YAML). `qanalysis build` looks at every .xlsx in the raw folder
that layouts.yaml does not name and reads those carrying the marker with the same generic reader, with table ids
`<file>#<sheet>`. So the analyst fills the workbook, drops it anywhere under data/raw/, registers the source ids it
uses in data/raw/sources.csv, and builds: no YAML to edit, and a renamed copy still works. To describe it in
layouts.yaml instead, copy the records from A2 and add `id` and `file`; a file named there is never auto-detected.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..errors import InputError
from ..outputs import put_cell, save_workbook
from ..registry import Indicator, Registry
from ..yamlfile import load_yaml_text
from .sheets import inside, read_grid, sheet_names

MARKER_SHEET = "_qanalysis_layout"
MARKER = "qanalysis template v1"
SECTION_SHEETS = {"二(一)": "产业", "二(二)": "产品服务工程", "二(三)": "生态环境"}  # the reference policy's short names
PROXY_SHEET, OTHER_SHEET, NOTES_SHEET = "代理指标", "其他指标", "说明"
SHEET_CHARS = 31  # Excel's limit on a sheet name
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet name
DATA_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
KEY_HEADER = ["指标代码", "指标名称", "单位", "来源"]
NOTE = ("填写说明: 每行一个指标, 在年份列填写数值, 单位见C列 (可改为同类单位, 如万元/亿元, 读取时自动换算); 未公布的年份留空"
        "或填 \"-\"; D列填 data/raw/sources.csv 中的来源编号 (如 S01)。同一指标的数值来自不同来源时, 复制该行、改来源、只填"
        "该来源的年份; 同一指标同一年只能填一次。不要改动A列代码和第3行表头。")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


def template_records(sheets: list[str]) -> list[dict]:
    """The layout records of the template's data sheets, without `id` and `file` (build adds them)."""
    return [{"sheet": sheet, "header_rows": [3], "data_start": 4, "years": "columns", "label": "B", "code": "A",
             "unit": {"column": "C"}, "source": {"column": "D"}} for sheet in sheets]


def section_sheet(section: str) -> str:
    """The sheet a policy section's indicators go on: the reference policy's short bureau name for its sections
    (二(一) -> 产业), else the section's own text as a legal Excel sheet name (none of []:*?/\\, at most 31
    characters), so another policy's template has one sheet per section of its own, not one catch-all sheet.
    A blank section, or one named like the template's own sheets (代理指标, 说明), goes to 其他指标; sections whose
    names agree in their first 31 characters share a sheet."""
    text = unicodedata.normalize("NFKC", section).strip()
    short = SECTION_SHEETS.get(text.split()[0]) if text else None
    if short is not None:
        return short
    name = re.sub(r"\s+", " ", _NOT_IN_SHEET_NAMES.sub(" ", text)).strip(" '")[:SHEET_CHARS].rstrip(" '")
    return OTHER_SHEET if not name or name in (PROXY_SHEET, NOTES_SHEET, MARKER_SHEET) else name


def _sheet_of(registry: Registry) -> dict[str, str]:
    """Indicator id -> sheet: the policy section of the first target resting on it; proxies go to 代理指标."""
    sheets: dict[str, str] = {}
    for target in registry.targets:
        sheets.setdefault(target.indicator, section_sheet(target.section))
    for ind in registry.indicators.values():
        sheets.setdefault(ind.id, PROXY_SHEET if ind.proxy_for else OTHER_SHEET)
    return sheets


def _serves(registry: Registry, ind: Indicator) -> str:
    """Which targets an indicator serves, in words for the 说明 sheet."""
    own = [f"{t.id}: {t.name_zh} {t.goal}" for t in registry.targets if t.indicator == ind.id]
    proxy = [t.id for t in registry.targets if ind.id in t.proxies]
    return "; ".join(own + ([f"代理指标, 供参考: {', '.join(proxy)}"] if proxy else []))


def _data_sheet(book: Workbook, name: str, indicators: list[Indicator], years: tuple[int, ...], policy: str) -> None:
    ws = book.create_sheet(name)
    width = len(KEY_HEADER) + len(years)
    put_cell(ws, 1, 1, f"{policy + ' ' if policy else ''}指标数据填报表 — {name}").font = Font(bold=True, size=14)
    put_cell(ws, 2, 1, NOTE)
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.row_dimensions[2].height = 48
    for col, text in enumerate(KEY_HEADER + [f"{year}年" for year in years], 1):
        cell = put_cell(ws, 3, col, text)
        cell.font, cell.fill, cell.alignment = Font(bold=True), _HEADER_FILL, Alignment(horizontal="center")
    for row, ind in enumerate(indicators, 4):
        for col, value in enumerate((ind.id, ind.name_zh, ind.unit), 1):
            put_cell(ws, row, col, value)
    ws.freeze_panes = "E4"
    for col, size in enumerate([30, 46, 13, 10] + [9] * len(years), 1):
        ws.column_dimensions[get_column_letter(col)].width = size


def _notes_sheet(book: Workbook, registry: Registry, sheets: dict[str, str]) -> None:
    ws = book.create_sheet(NOTES_SHEET)
    put_cell(ws, 1, 1, "指标说明 (每个指标的单位、口径、资料出处和服务的目标)").font = Font(bold=True, size=14)
    header = ["指标代码", "指标名称", "英文名称", "单位", "口径", "资料出处", "服务目标", "工作表"]
    for col, text in enumerate(header, 1):
        cell = put_cell(ws, 3, col, text)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
    for row, ind in enumerate(registry.indicators.values(), 4):
        values = [ind.id, ind.name_zh, ind.name_en, ind.unit, ind.scope, ind.bureau_table, _serves(registry, ind),
                  sheets[ind.id]]
        for col, value in enumerate(values, 1):
            put_cell(ws, row, col, value).alignment = Alignment(wrap_text=True, vertical="top")
    end = len(registry.indicators) + 5
    put_cell(ws, end, 1, "读取: 把填好的工作簿放进工作区 raw/ 下任意文件夹 (参考工作区为 data/raw/), 在 raw/sources.csv 登记所用来源编号, "
                         "运行 qanalysis build 即可 (隐藏工作表 _qanalysis_layout 记录了本表的版式)。")
    ws.freeze_panes = "A4"
    for col, size in enumerate([30, 40, 40, 12, 28, 50, 60, 14], 1):
        ws.column_dimensions[get_column_letter(col)].width = size


def write_template(registry: Registry, out_path: Path, years: tuple[int, ...] | None = None) -> Path:
    """Write the fill-in workbook for every registered indicator; return its path. See the module docstring.

    `years` defaults to the registry's `data_years`; give them only to ask for other years than the policy's."""
    out_path = Path(out_path)
    years = tuple(registry.data_years) if years is None else tuple(years)
    if out_path.suffix.lower() != ".xlsx":
        raise InputError(f"{out_path}: expected a .xlsx file name for the template")
    sheets = _sheet_of(registry)
    order = [s for s in dict.fromkeys([*sheets.values(), OTHER_SHEET, PROXY_SHEET])
             if s in sheets.values() and s not in (OTHER_SHEET, PROXY_SHEET)]
    order += [s for s in (OTHER_SHEET, PROXY_SHEET) if s in sheets.values()]
    book = Workbook()
    book.remove(book.active)
    for name in order:
        _data_sheet(book, name, [ind for ind in registry.indicators.values() if sheets[ind.id] == name], years,
                    registry.policy)
    _notes_sheet(book, registry, sheets)
    marker = book.create_sheet(MARKER_SHEET)
    put_cell(marker, 1, 1, MARKER)
    put_cell(marker, 2, 1, yaml.safe_dump(template_records(order), allow_unicode=True, sort_keys=False))
    marker.sheet_state = "veryHidden"
    return save_workbook(book, out_path)


def _marker_records(grid, rel: str) -> list[dict]:
    records = load_yaml_text(str(grid.get(1, 0)), f"{grid.where(1, 0)} (the template's layout records)")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(f"{grid.where(1, 0)}: expected the template's layout records (a YAML list of mappings)")
    return [{"id": f"{rel}#{r.get('sheet')}", "file": rel, **r} for r in records]


def find_templates(raw_dir: Path, named: set[str]) -> tuple[dict[str, list[dict]], list[str]]:
    """Data files under raw_dir not named in layouts.yaml: {file: records} of templates, and the rest, each with why.

    Only a workbook's index and marker sheet are read. A file here that cannot be opened does not stop the build
    (nobody asked for it) but is listed as not read, with the reason; excel lock files (~$x.xlsx) are passed over.
    A workbook carrying the hidden marker sheet is a template, so a broken marker raises InputError naming it. Only
    regular files inside raw_dir are read: a link leading out of it is listed as refused (sheets.inside), and
    folders that are links are not entered.
    """
    raw_dir, found, unread = Path(raw_dir), {}, []
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_symlink() or p.is_file()):
        rel = path.relative_to(raw_dir).as_posix()
        suffix = path.suffix.lower()
        if rel in named or rel == "sources.csv" or path.name.startswith("~$") or suffix not in DATA_SUFFIXES:
            continue
        try:
            inside(raw_dir, rel)
            is_template = suffix in (".xlsx", ".xlsm") and MARKER_SHEET in sheet_names(path)
        except InputError as exc:
            reason = str(exc).split(": ", 1)[-1]  # the message without the machine's path to the file
            unread.append(f"{rel}: not named in layouts.yaml, and not readable as a template ({reason})")
            continue
        if is_template:
            # Our hidden sheet is there, so someone filled in a template: a broken one must stop the build rather
            # than have its data silently left out of the assessment.
            grid = read_grid(path, MARKER_SHEET)
            if grid.get(0, 0) != MARKER:
                raise InputError(f"{grid.where(0, 0)}: expected {MARKER!r}; the template's hidden layout sheet was "
                                 "changed, so its data cannot be read (write a fresh one with `qanalysis template`)")
            found[rel] = _marker_records(grid, rel)
            continue
        unread.append(f"{rel}: not named in layouts.yaml and not a qanalysis template")
    return found, unread
