"""Read and validate the target registry -> Target and Indicator records.

The registry is YAML: a mapping with a `targets:` list (the policy's quantified targets) and an `indicators:` list
(every series a target or proxy names). The schema forbids unknown and missing fields, unknown kinds and operators,
and a target unit that differs from its indicator's, so a typo in the registry fails loudly, naming the file, the
record and the field, instead of quietly dropping a target from the assessment.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from . import settings, units
from .errors import InputError


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


class Indicator(_Strict):
    """A series: what it measures, in which unit, over which scope, and where a bureau publishes it."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    scale: Scale
    flow: bool
    scope: str
    proxy_for: str | None
    bureau_table: str

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        return units.parse(value).symbol


class Target(_Strict):
    """One quantified target of the policy, in the policy's own words (`clause`)."""

    id: str
    section: str
    name_zh: str
    name_en: str
    indicator: str
    kind: Kind
    op: Op
    value: float
    unit: str
    target_year: int
    window_start: int | None
    clause: str
    proxies: tuple[str, ...] = ()

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        return units.parse(value).symbol

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
        value = f"{self.value:g}{shown}" if shown == "%" and unit is not None else f"{self.value:g} {shown}".rstrip()
        if not year:
            return f"{self.sign} {value}"
        first = f"{self.window_start}–" if self.kind in WINDOWED and self.window_start else ""
        return f"{self.sign} {value} ({first}{self.target_year})"

    @property
    def goal(self) -> str:
        """"≤ 35 微克/立方米 (2022)": the target in one cell, in the registry's unit."""
        return self.goal_text()


class Registry(_Strict):
    """The targets and the indicators they name, checked against each other."""

    targets: tuple[Target, ...]
    indicators: dict[str, Indicator]
    policy: str = ""  # the policy's document number (市委〔2018〕27号), cited under every chart

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


def _parse_list(path: Path, doc: dict, key: str, model: type[_Strict]) -> list:
    records = doc.get(key)
    if not isinstance(records, list) or not records:
        raise InputError(f"{path}: expected a non-empty `{key}:` list")
    parsed, problems = [], []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            problems.append(f"{key[:-1]} #{index + 1}: expected a mapping of fields, found {type(record).__name__}")
            continue
        try:
            parsed.append(model(**record))
        except ValidationError as exc:
            problems.append(_describe(exc, key[:-1], str(record.get("id", f"#{index + 1}"))))
    if problems:
        raise InputError(f"{path}: " + "; ".join(problems))
    return parsed


def load_registry(path: Path | str = settings.REGISTRY) -> Registry:
    """Load and cross-check a registry file; raise InputError naming the file, the record and the field."""
    path = Path(path)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        raise InputError(f"{path}: registry file not found") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a mapping with `targets:` and `indicators:` lists")
    unknown = set(doc) - {"registry", "targets", "indicators"}
    if unknown:
        raise InputError(f"{path}: unknown top-level keys {sorted(unknown)}; expected registry, targets, indicators")
    targets = _parse_list(path, doc, "targets", Target)
    indicators = _parse_list(path, doc, "indicators", Indicator)
    registry = _cross_check(path, targets, indicators)
    policy = str((doc.get("registry") or {}).get("policy", "")).split(" ")[0]
    return registry.model_copy(update={"policy": policy})


def _cross_check(path: Path, targets: list[Target], indicators: list[Indicator]) -> Registry:
    problems = []
    by_id: dict[str, Indicator] = {}
    for record in indicators:
        if record.id in by_id:
            problems.append(f"indicator {record.id}: defined twice")
        by_id[record.id] = record
    seen = set()
    for t in targets:
        if t.id in seen:
            problems.append(f"target {t.id}: defined twice")
        seen.add(t.id)
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
