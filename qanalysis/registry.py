"""Read and validate the target registry -> the policy's identity and years, Target and Indicator records.

The registry is YAML: a mapping with a `registry:` block (which policy, and the years everything else is measured
by), a `targets:` list (the policy's quantified targets) and an `indicators:` list (every series a target or proxy
names). The schema forbids unknown and missing fields, unknown kinds and operators, implausible or disordered years,
and a target unit that differs from its indicator's, so a typo in the registry fails loudly, naming the file, the
record and the field, instead of quietly dropping a target from the assessment.

The `registry:` block is the one place a policy's years are written: the fill-in template's columns, the data-gaps
report, the briefing's vintages, the retrospective and the chart titles all read them from here, so another policy
needs a registry file and no code edits. Its optional `units:` list adds units the built-in table lacks (吨, 人);
the resulting `Registry.units` is what every reader of this registry's data parses units with.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import settings
from .errors import InputError
from .units import BUILTIN, Unit, UnitError, UnitTable, expected_bound
from .yamlfile import load_yaml


class Kind(StrEnum):
    """The five kinds of quantified target (docs/method.md: how each is judged)."""

    LEVEL = "level"  # the value in the target year
    AVG_GROWTH = "avg_growth"  # mean annual growth over the window
    CUMULATIVE = "cumulative"  # sum of annual additions over the window
    RANK = "rank"  # rank in the target year
    MILESTONE = "milestone"  # reached at least once by the target year


WINDOWED = (Kind.AVG_GROWTH, Kind.CUMULATIVE)  # kinds judged over window_start..target_year
Op = Literal[">=", "<="]
Scale = Literal["share", "score", "level", "count", "growth", "rank"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _unit_table(info: ValidationInfo) -> UnitTable:
    """The units a record is checked against: its registry's (passed as validation context), else the built-in ones."""
    return (info.context or {}).get("units", BUILTIN)


MIN_YEAR, MAX_YEAR = 1900, 2100  # a year outside is a typo (20222, 202), not a policy
FOLLOW_UP_YEARS = 2  # years after the last target year whose values are still asked for (see Registry.data_years)
Year = Annotated[int, Field(strict=True, ge=MIN_YEAR, le=MAX_YEAR)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _matching(pattern: str, expected: str) -> AfterValidator:
    """A str check whose error says what is expected in words, not as a regular expression."""
    def check(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"expected {expected}, found {value!r}")
        return value
    return AfterValidator(check)


BRIEFING_NAMES = ("scorecard", "vintage", "coverage", "reliability", "summary", "figures")
WINDOWS_DEVICES = ("con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)))
RESERVED_IDS = frozenset(BRIEFING_NAMES + WINDOWS_DEVICES)
"""Names a target or indicator id may not take, in any case. A briefing saves each target's chart as
figures/<id>.png beside the overview charts (scorecard, vintage, coverage, reliability), so a target called
`scorecard` would be overwritten by the overview, and Windows cannot create a file called con or nul."""
MAX_ID_LENGTH = 64  # an id becomes a file name (255 bytes at most) with a suffix; the longest in use has 28 characters


def _safe_id(value: str) -> str:
    """An id is a file name of the briefing (figures/<id>.png) and a cell of every csv and workbook we write, so it
    is kept to letters, digits, _ and -, starting with a letter or digit: no path separators or "..", which would
    write outside the output folder, and no leading =, +, - or @, which a spreadsheet would run as a formula."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", value) or len(value) > MAX_ID_LENGTH:
        raise ValueError(f"expected letters, digits, _ and - (starting with a letter or digit, at most {MAX_ID_LENGTH} "
                         f"characters), like e_pm25; found {value!r}")
    if value.lower() in RESERVED_IDS:
        why = ("the briefing writes its own files by the names " + ", ".join(BRIEFING_NAMES)
               if value.lower() in BRIEFING_NAMES else "Windows cannot create a file by that name")
        raise ValueError(f"{value!r} is a reserved name ({why}); expected another id")
    return value


def _finite_bounded(value: float) -> float:
    """A target's value obeys the bound every value read obeys (units.MAX_MAGNITUDE)."""
    expected = expected_bound(value)
    if expected:
        raise ValueError(f"expected {expected}, found {value:g}")
    return value


Id = Annotated[str, AfterValidator(_safe_id)]
Quantity = Annotated[float, Field(allow_inf_nan=False), AfterValidator(_finite_bounded)]

Slug = Annotated[str, _matching(r"[a-z0-9]+(?:-[a-z0-9]+)*", "lowercase letters and digits joined by hyphens, like "
                                                               "hangzhou-2018-27 (a safe file and folder name)")]
Dimension = Annotated[str, _matching(r"[a-z][a-z0-9_]*", "a lowercase name like mass or people")]


class DeclaredUnit(_Strict):
    """A unit the registry adds to the built-in ones: 吨 of mass with factor 1, 万吨 with factor 10000.

    `factor` is the unit's size in its dimension's base unit, so units of one dimension convert into each other
    (吨 <-> 万吨) and units of different dimensions never do."""

    symbol: Text
    dimension: Dimension
    factor: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    label_en: Text | None = None  # how English text writes it ("tonnes"); else the symbol


class RegistryInfo(_Strict):
    """The `registry:` block: which policy this is, and the years everything else is measured by.

    - `id`: a safe slug (hangzhou-2018-27), usable as a file or folder name;
    - `policy`: the document number cited under every chart (市委〔2018〕27号); `title_zh`, `title_en`: its title;
      `policy_en`: optional, the document number as an English chart cites it (else `policy`);
    - `issued`: the date the policy was issued (ISO, 2018-12-10);
    - `base_year`: the year progress is measured from (the last year before the policy's windows open);
    - `launch_year`: the policy's first vintage, the outlook "at launch" (the briefing's vintages start here);
    - `target_years`: the years the targets name, ascending; every target's target_year is one of them;
    - `data_from`: the first year the fill-in template and the data-gaps report ask for (history for the forecasts);
    - `units`: optional, units the built-in table lacks (each with an optional English `label_en`).

    The years must be in order, data_from <= base_year <= launch_year < the first target year, and the policy must be
    issued no earlier than its base year and no later than its last target year; anything else is a typo.
    """

    id: Slug
    policy: Text
    policy_en: Text | None = None
    title_zh: Text
    title_en: Text
    issued: dt.date
    launch_year: Year
    base_year: Year
    target_years: Annotated[tuple[Year, ...], Field(min_length=1)]
    data_from: Year
    units: tuple[DeclaredUnit, ...] = ()

    @field_validator("issued", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        """YAML gives a date for 2018-12-10 and a string for '2018-12-10'; only those two, never a number."""
        if isinstance(value, dt.date) or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip())):
            return value
        raise ValueError(f"expected an ISO date like 2018-12-10, found {value!r}")

    @field_validator("target_years")
    @classmethod
    def _ascending(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if list(value) != sorted(set(value)):
            raise ValueError(f"expected the years in ascending order, each once; found {list(value)}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> RegistryInfo:
        """The years tell one story: data before the base year, the launch after it, the targets after the launch."""
        first = self.target_years[0]
        rules = [
            (self.data_from <= self.base_year, f"data_from {self.data_from} is after base_year {self.base_year}"),
            (self.base_year <= self.launch_year, f"base_year {self.base_year} is after launch_year {self.launch_year}"),
            (self.launch_year < first, f"launch_year {self.launch_year} is not before the first target year {first}"),
            (self.base_year <= self.issued.year, f"issued {self.issued} is before base_year {self.base_year}"),
            (self.issued.year <= self.target_years[-1],
             f"issued {self.issued} is after the last target year {self.target_years[-1]}"),
        ]
        broken = [why for ok, why in rules if not ok]
        if broken:
            raise ValueError("; ".join(broken) + "; expected data_from <= base_year <= launch_year < target years, "
                             "and base_year <= year issued <= last target year")
        return self


class Indicator(_Strict):
    """A series: what it measures, in which unit, over which scope, and where a bureau publishes it.

    `bureau_table` names the table that holds the values; `bureau` the body that publishes it (the briefing's data
    requests are grouped by it, one request per bureau); `bureau_en` and `bureau_table_en` are their English names
    for English packs. All three are optional so that a new registry can start with the table alone: a request
    without a bureau is listed under "bureau not named", and English text falls back to the Chinese names.
    """

    id: Id
    name_zh: str
    name_en: str
    unit: str
    scale: Scale
    flow: bool
    scope: str
    proxy_for: str | None
    bureau_table: str
    bureau_table_en: Text | None = None
    bureau: Text | None = None
    bureau_en: Text | None = None

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str, info: ValidationInfo) -> str:
        return _unit_table(info).parse(value).symbol


class Target(_Strict):
    """One quantified target of the policy, in the policy's own words (`clause`)."""

    id: Id
    section: str
    section_en: Text | None = None  # the section's English heading, for English packs (else `section`)
    name_zh: str
    name_en: str
    indicator: str
    kind: Kind
    op: Op
    value: Quantity
    unit: str
    target_year: Year
    window_start: Year | None
    clause: str
    proxies: tuple[str, ...] = ()

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str, info: ValidationInfo) -> str:
        return _unit_table(info).parse(value).symbol

    def meets(self, value):
        """Whether `value` satisfies the target's comparison: a bool for a scalar, a bool array for an array (sample
        paths, running sums). The one place the comparison is written, so P(meet), met/missed and the official
        cross-checks can never disagree on what meeting the target means."""
        x = np.asarray(value, dtype=float)
        out = x >= self.value if self.op == ">=" else x <= self.value
        return bool(out) if out.ndim == 0 else out

    @property
    def higher_is_better(self) -> bool:
        return self.op == ">="

    @property
    def window(self) -> range | None:
        """window_start..target_year, the years whose values count; None for a target without a window."""
        return None if self.window_start is None else range(self.window_start, self.target_year + 1)

    @property
    def sign(self) -> str:
        return "≥" if self.op == ">=" else "≤"

    def goal_text(self, unit: str | None = None, year: bool = True) -> str:
        """The one formatter of a target: "≥ 35 % (2022)", "≥ 4 % (2019–2022)" for windowed kinds, the unit as
        given (`unit`, e.g. a chart's English label) or the registry's. Without `year`, no bracket."""
        shown = self.unit if unit is None else unit
        value = f"{self.value:g}{shown}" if shown == "%" else f"{self.value:g} {shown}".rstrip()  # "35%", "35 个"
        if not year:
            return f"{self.sign} {value}"
        first = f"{self.window_start}–" if self.kind in WINDOWED and self.window_start else ""
        return f"{self.sign} {value} ({first}{self.target_year})"

    @property
    def goal(self) -> str:
        """"≤ 35 微克/立方米 (2022)": the target in one cell, in the registry's unit."""
        return self.goal_text()


class Registry(_Strict):
    """The policy (`info`, the `registry:` block), its targets and the indicators they name, checked against each
    other, and the units its data may be written in (`units`: the built-in ones plus the block's `units:`).

    `info` is None only for a registry built in code (tests); `load_registry` always sets it, and the year
    properties below refuse to guess without it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    targets: tuple[Target, ...]
    indicators: dict[str, Indicator]
    info: RegistryInfo | None = None
    units: UnitTable = BUILTIN

    def _info(self, year: str) -> RegistryInfo:
        if self.info is None:
            raise ValueError(f"this registry has no `registry:` block, so no {year}; load it with load_registry")
        return self.info

    @property
    def policy(self) -> str:
        """The policy's document number (市委〔2018〕27号), cited under every chart; "" without a `registry:` block."""
        return "" if self.info is None else self.info.policy

    @property
    def launch_year(self) -> int:
        """The policy's first vintage: the briefing's vintages and the retrospective start here."""
        return self._info("launch_year").launch_year

    @property
    def base_year(self) -> int:
        """The year progress is measured from."""
        return self._info("base_year").base_year

    @property
    def data_from(self) -> int:
        """The first year the template and the data-gaps report ask for."""
        return self._info("data_from").data_from

    @property
    def target_years(self) -> tuple[int, ...]:
        """The years the targets name, ascending."""
        return self._info("target_years").target_years

    @property
    def target_year(self) -> int:
        """The last target year: what the policy is judged by in the end (the summary's and the slider's year)."""
        return self.target_years[-1]

    @property
    def data_years(self) -> range:
        """data_from .. the last target year + FOLLOW_UP_YEARS: the years the template has columns for and the
        coverage chart shows. The years after the target year are asked for because the target year's values are
        published one to two years later, when the analyst fills the sheet in, and those later values show whether
        a met target held and give the proxies and the retrospective their history."""
        return range(self.data_from, self.target_year + FOLLOW_UP_YEARS + 1)

    def indicator(self, target: Target) -> Indicator:
        return self.indicators[target.indicator]

    def table(self) -> pd.DataFrame:
        """The targets as a table (id, section, names, kind, goal, indicator, proxies, clause), in policy order."""
        return pd.DataFrame(
            [
                {"target": t.id, "section": t.section.split(" ")[0], "name_zh": t.name_zh, "name_en": t.name_en,
                 "kind": t.kind, "goal": t.goal, "indicator": t.indicator, "proxies": ", ".join(t.proxies),
                 "clause": t.clause}
                for t in self.targets
            ]
        )

    def target(self, target_id: str) -> Target:
        for target in self.targets:
            if target.id == target_id:
                return target
        raise KeyError(target_id)


def _describe(exc: ValidationError, label: str, record_id: str) -> str:
    """Turn a pydantic error into "target e_pm25, field unit: ..." text."""
    return "; ".join(
        f"{label} {record_id}, field {'.'.join(str(p) for p in err['loc']) or '(record)'}: {err['msg']}"
        for err in exc.errors()
    )


def _parse_list(path: Path, doc: dict, key: str, model: type[_Strict], unit_table: UnitTable) -> list:
    records = doc.get(key)
    if not isinstance(records, list) or not records:
        raise InputError(f"{path}: expected a non-empty `{key}:` list")
    parsed, problems = [], []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            problems.append(f"{key[:-1]} #{index + 1}: expected a mapping of fields, found {type(record).__name__}")
            continue
        try:
            parsed.append(model.model_validate(record, context={"units": unit_table}))
        except ValidationError as exc:
            problems.append(_describe(exc, key[:-1], str(record.get("id", f"#{index + 1}"))))
    if problems:
        raise InputError(f"{path}: " + "; ".join(problems))
    return parsed


def _parse_info(path: Path, doc: dict) -> tuple[RegistryInfo, UnitTable]:
    """The `registry:` block and the unit table it makes; InputError naming the file and the field."""
    block = doc.get("registry")
    if not isinstance(block, dict):
        fields = ", ".join(name for name, field in RegistryInfo.model_fields.items() if field.is_required())
        raise InputError(f"{path}: expected a `registry:` block with the fields {fields} (and optionally units); found "
                         f"{'none' if block is None else type(block).__name__}")
    try:
        info = RegistryInfo.model_validate(block)
    except ValidationError as exc:
        where = f"registry {block['id']}" if isinstance(block.get("id"), str) else "registry"
        problems = [f"{where}, field {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e["loc"] else
                    f"{where}: {e['msg']}" for e in exc.errors()]
        raise InputError(f"{path}: " + "; ".join(problems)) from None
    try:
        table = BUILTIN.with_units(Unit(u.symbol, u.dimension, u.factor, u.label_en) for u in info.units)
    except UnitError as exc:
        raise InputError(f"{path}: registry {info.id}, field units: {exc}") from None
    return info, table


def load_registry(path: Path | str = settings.REGISTRY) -> Registry:
    """Load and cross-check a registry file; raise InputError naming the file, the record and the field."""
    path = Path(path)
    doc = load_yaml(path, "registry file")
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a mapping with a `registry:` block and `targets:` and `indicators:` lists")
    unknown = set(doc) - {"registry", "targets", "indicators"}
    if unknown:
        raise InputError(f"{path}: unknown top-level keys {sorted(unknown)}; expected registry, targets, indicators")
    info, table = _parse_info(path, doc)
    targets = _parse_list(path, doc, "targets", Target, table)
    indicators = _parse_list(path, doc, "indicators", Indicator, table)
    registry = _cross_check(path, targets, indicators)
    problems = _year_problems(info, registry.targets)
    if problems:
        raise InputError(f"{path}: " + "; ".join(problems))
    return registry.model_copy(update={"info": info, "units": table})


def _year_problems(info: RegistryInfo, targets: tuple[Target, ...]) -> list[str]:
    """The targets' years against the block's: each target year declared, each declared year used, no window that
    opens before the first year the template asks for."""
    problems = []
    for t in targets:
        if t.target_year not in info.target_years:
            problems.append(f"target {t.id}, field target_year: {t.target_year} is not one of the registry's "
                            f"target_years {list(info.target_years)}")
        if t.window_start is not None and t.window_start < info.data_from:
            problems.append(f"target {t.id}, field window_start: {t.window_start} is before the registry's data_from "
                            f"{info.data_from}, so the template would not ask for it")
    unused = [y for y in info.target_years if y not in {t.target_year for t in targets}]
    if unused:
        problems.append(f"registry {info.id}, field target_years: no target has target_year {', '.join(map(str, unused))}")
    return problems


def _cross_check(path: Path, targets: list[Target], indicators: list[Indicator]) -> Registry:
    problems = []
    by_id: dict[str, Indicator] = {}
    for record in indicators:
        if record.id in by_id:
            problems.append(f"indicator {record.id}: defined twice")
        by_id[record.id] = record
    seen: dict[str, str] = {}
    for t in targets:
        if t.id in seen.values():
            problems.append(f"target {t.id}: defined twice")
        elif t.id.lower() in seen:  # figures/E_PM25.png and figures/e_pm25.png are one file on Windows and macOS
            problems.append(f"target {t.id}: differs from target {seen[t.id.lower()]} only in case; expected ids "
                            "that differ in more than case (they name the chart files)")
        seen.setdefault(t.id.lower(), t.id)
        ind: Indicator | None = by_id.get(t.indicator)
        if ind is None:
            problems.append(f"target {t.id}, field indicator: no indicator {t.indicator!r} in `indicators:`")
        elif ind.unit != t.unit:
            problems.append(f"target {t.id}, field unit: {t.unit!r} does not match indicator {ind.id} unit {ind.unit!r}")
        for proxy in t.proxies:
            if proxy not in by_id:
                problems.append(f"target {t.id}, field proxies: no indicator {proxy!r} in `indicators:`")
        if t.kind in WINDOWED and t.window_start is None:
            problems.append(f"target {t.id}, field window_start: a {t.kind} target needs the first year of its window")
        if t.window_start is not None and t.window_start > t.target_year:
            problems.append(f"target {t.id}, field window_start: {t.window_start} is after target_year {t.target_year}")
        if ind is not None and t.kind == Kind.MILESTONE and ind.flow and t.window_start is None:
            problems.append(f"target {t.id}, field window_start: a milestone on annual additions (indicator "
                            f"{ind.id}, flow: true) needs the first year in which an addition counts")
        if ind is not None and t.kind == Kind.CUMULATIVE and not ind.flow:
            problems.append(f"target {t.id}, field kind: cumulative needs an indicator of annual additions (flow: true)")
    if problems:
        raise InputError(f"{path}: " + "; ".join(problems))
    return Registry(targets=tuple(targets), indicators=by_id)
