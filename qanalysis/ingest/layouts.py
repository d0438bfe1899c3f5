"""Layout records: where each bureau table sits and how it is laid out, read from data/raw/layouts.yaml.

Layouts are data (the PUDL way): one generic reader (ingest/tables.py) serves every table, and adding a yearbook
table is adding a record, not code. The schema forbids unknown fields and checks each record against the target
registry and sources.csv, so a typo fails loudly, naming the file, the record and the field, instead of a table
being read wrongly.

The file
--------
A YAML mapping with one key, `tables:`, holding a list of records. Paths are relative to the raw folder
(data/raw/). Workbooks in the raw folder that carry the qanalysis template marker need no record: `build` finds them
and uses the records stored inside them (see ingest/template.py), with ids `<file>#<sheet>`.

Fields of a record
------------------
id           required. Unique text; names the table in messages and in the build report.
file         required. Path inside the raw folder (no absolute paths, no ".."), ending in .xlsx, .xlsm, .xls or .csv.
sheet        the sheet name: required for a workbook, not allowed for a csv file.
header_rows  required. 1 to 3 consecutive 1-based rows holding the column header, e.g. [3] or [3, 4]; all before
             data_start. Merged header cells are filled across their span. A merge must stay inside the header rows,
             must not join key columns (label, code, year, unit, source) with value columns, must not cross a merge
             above it, and one spanning several value columns needs header rows below it telling them apart (绝对值 /
             增速), else two columns would claim the same year.
data_start   required. First data row, 1-based. From there every non-empty row is data, except footnote rows: a row
             with one filled cell starting with 注: / 注① / 资料来源 / 数据来源 (not 注册…), which goes to the build
             report's notes.
years        required. `columns`: years run across, one row per series. `rows`: years run down, one column per series.
label        required. years: columns -> the column letter of the series labels (e.g. B).
             years: rows -> the header row (one of header_rows) holding the series labels (e.g. 3).
code         optional. Where indicator ids are written directly (the template layout): a column letter for
             years: columns, a row number for years: rows. A code cell wins over the label; an unknown code is an error.
year         years: rows only, and then required: the column letter of the years. Not allowed for years: columns.
unit         required, exactly one of:
               {column: C}       a column holding each row's unit
               {row: 4}          a row (before data_start) holding each column's unit
               {in_label: true}  the unit is in brackets at the end of the label or qualifier, e.g. 增加值(亿元)
               {fixed: "%"}      one unit for the whole table (a built-in unit or one the registry declares)
             Units of one indicator may differ in size (万元 and 亿元) and are converted to the registry's unit.
source       required, exactly one of: {column: D}, {row: 5} (before data_start), or {fixed: S03}. Source cells and
             `fixed` hold ids of data/raw/sources.csv.
indicators   optional mapping, label -> indicator id of the registry, for tables without a code. Keys are matched
             after folding (full-width forms, spaces and footnote marks ignored), and may be "label/qualifier" where
             header rows add qualifiers such as 绝对值 / 增速 (e.g. "规上工业增加值/增速"); a unit in brackets at the
             end of the label may be left out of the key.
ignore       optional list of labels, "label/qualifier" names, indicator codes or column headers deliberately not
             read (e.g. "新产品产值率/增速", or "上半年" to skip every 上半年 column). Reported as skipped, with why.

Allowed values, in short: rows are 1-based whole numbers >= 1; column letters are capitals A to ZZZ; `years` is
`columns` or `rows`; no other fields are allowed. Every series with values must be named by a code, mapped in
`indicators:` or listed in `ignore:`, or the table is refused; a labelled row without values is reported as a
heading. Values must be numbers (see ingest/cells.py); blank, "-", "…", "—" mean not published.

Example
-------
    tables:
      - id: yearbook_industry              # a yearbook table: year over 绝对值/增速 in two header rows
        file: bureau/yearbook-2021.xlsx
        sheet: 工业
        header_rows: [3, 4]
        data_start: 5
        years: columns
        label: A
        unit: {in_label: true}
        source: {fixed: S01}
        indicators: {规模以上传统制造业增加值/增速: ind_trad_mfg_va_growth, 新产品产值率: ind_new_product_rate}
        ignore: [按行业分, 新产品产值率/增速]
      - id: environment                    # years down, series labels in row 3, units in row 4
        file: bureau/environment.xlsx
        sheet: 环境
        header_rows: [3, 4]
        data_start: 5
        years: rows
        year: A
        label: 3
        unit: {row: 4}
        source: {fixed: S02}
        indicators: {PM2.5平均浓度: e_pm25}
      - id: public_industry                # the template layout: codes in A, names in B, units in C, sources in D
        file: bureau/hangzhou-public-figures.xlsx
        sheet: 产业
        header_rows: [3]
        data_start: 4
        years: columns
        label: B
        code: A
        unit: {column: C}
        source: {column: D}
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

from openpyxl.utils import column_index_from_string
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..errors import InputError
from ..registry import Registry
from ..units import BUILTIN
from ..yamlfile import load_yaml
from .sheets import display_path

Letter = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,3}$")]
Row = Annotated[int, Field(ge=1)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _exactly_one(record: BaseModel, names: tuple[str, ...]) -> None:
    given = [n for n in names if getattr(record, n) is not None]
    if len(given) != 1:
        raise ValueError(f"give exactly one of {', '.join(names)}; found {', '.join(given) or 'none'}")


class UnitSpec(_Record):
    """Where the units are: a column (per row), a row (per column), inside the labels, or one fixed unit."""

    column: Letter | None = None
    row: Row | None = None
    in_label: Literal[True] | None = None
    fixed: str | None = None

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> UnitSpec:
        """A fixed unit must be one the registry knows (its units arrive as validation context; else built-in)."""
        _exactly_one(self, ("column", "row", "in_label", "fixed"))
        if self.fixed is not None:
            (info.context or {}).get("units", BUILTIN).parse(self.fixed)
        return self


class SourceSpec(_Record):
    """Where the source ids are: a column (per row), a row (per column), or one fixed id for the table."""

    column: Letter | None = None
    row: Row | None = None
    fixed: str | None = None

    @model_validator(mode="after")
    def _check(self) -> SourceSpec:
        _exactly_one(self, ("column", "row", "fixed"))
        return self


class Layout(_Record):
    """One table: where it is and how it is laid out (the fields are documented in the module docstring)."""

    id: str = Field(min_length=1)
    file: str
    sheet: str | None = None
    header_rows: list[Row]
    data_start: Row
    years: Literal["columns", "rows"]
    label: Letter | Row
    code: Letter | Row | None = None
    year: Letter | None = None
    unit: UnitSpec
    source: SourceSpec
    indicators: dict[str, str] = {}
    ignore: list[str] = []

    @field_validator("file")
    @classmethod
    def _inside_raw(cls, value: str) -> str:
        path = PurePosixPath(value)
        if not value or path.is_absolute() or ".." in path.parts:
            raise ValueError(f"expected a path inside the raw folder, like bureau/x.xlsx; found {value!r}")
        if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".csv"):
            raise ValueError(f"expected an .xlsx, .xls or .csv file; found {value!r}")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Layout:
        """The rules that tie fields together (header before data, sheet vs csv, what each `years` axis needs)."""
        rows = self.header_rows
        if not 1 <= len(rows) <= 3 or any(b != a + 1 for a, b in zip(rows, rows[1:])):
            raise ValueError(f"header_rows: expected 1 to 3 consecutive rows like [3] or [3, 4]; found {rows}")
        if rows[-1] >= self.data_start:
            raise ValueError(f"header_rows {rows} must come before data_start {self.data_start}")
        is_csv = self.file.lower().endswith(".csv")
        if is_csv != (self.sheet is None):
            raise ValueError("sheet: required for a workbook, not allowed for a csv file")
        across = self.years == "columns"
        if across and (not isinstance(self.label, str) or isinstance(self.code, int) or self.year is not None):
            raise ValueError("years: columns needs label (and code) as column letters and no `year` column")
        if not across and (self.label not in rows or isinstance(self.code, str) or self.year is None):
            raise ValueError("years: rows needs `year` (a column letter), label as one of header_rows, code as a row")
        for name, spec in (("unit", self.unit), ("source", self.source)):
            if spec.row is not None and spec.row >= self.data_start:
                raise ValueError(f"{name}.row {spec.row} must come before data_start {self.data_start}")
        return self

    def key_columns(self) -> set[int]:
        """0-based columns holding labels, codes, years, units or sources: never read as values."""
        letters = [x if isinstance(x, str) else None for x in (self.label, self.code)]
        letters += [self.year, self.unit.column, self.source.column]
        return {column_index_from_string(x) - 1 for x in letters if x}


def load_layouts(path: Path, registry: Registry, source_ids: set[str]) -> list[Layout]:
    """Read layouts.yaml (`tables:` list) and check every record against the registry and the sources table."""
    shown = display_path(path)
    doc = load_yaml(Path(path), "layouts file", shown)
    if not isinstance(doc, dict) or set(doc) != {"tables"} or not isinstance(doc["tables"], list):
        raise InputError(f"{shown}: expected a mapping with one key, `tables:`, holding a list of layout records")
    return parse_layouts(doc["tables"], shown, registry, source_ids)


def parse_layouts(records: list, origin: str, registry: Registry, source_ids: set[str]) -> list[Layout]:
    """Validate layout records; every problem of every record in one InputError naming `origin`, record and field.

    All problems at once, because an analyst editing layouts.yaml should fix them in one pass, not one per build.
    """
    layouts: list[Layout] = []
    problems: list[str] = []
    for number, record in enumerate(records, 1):
        name = record.get("id", f"#{number}") if isinstance(record, dict) else f"#{number}"
        try:
            layout = Layout.model_validate(record, context={"units": registry.units}) if isinstance(record, dict) else None
        except ValidationError as exc:
            problems += [f"{origin}, table {name}, field {'.'.join(map(str, e['loc'])) or '(record)'}: {e['msg']}"
                         for e in exc.errors()]
            continue
        if layout is None:
            problems.append(f"{origin}, table {name}: expected a mapping of fields, found {type(record).__name__}")
            continue
        if layout.id in {x.id for x in layouts}:
            problems.append(f"{origin}, table {layout.id}: the id is used by another record too")
        for label, ind in sorted(layout.indicators.items()):
            if ind not in registry.indicators:
                problems.append(f'{origin}, table {layout.id}, field indicators: "{label}" -> "{ind}" is not an '
                                "indicator of the registry")
        if layout.source.fixed is not None and layout.source.fixed not in source_ids:
            problems.append(f'{origin}, table {layout.id}, field source.fixed: "{layout.source.fixed}" is not in '
                            "sources.csv")
        layouts.append(layout)
    if problems:
        raise InputError("\n".join(problems))
    return layouts
