"""Parse and convert the units of bureau tables.

Yearbooks write one unit many ways ("亿元", "(亿元)", "ug/m3", "μg/m³", "％"). Every spelling is parsed to one
canonical unit, and conversion is allowed only inside a dimension (万元 <-> 亿元). Mixing dimensions in one
indicator is an error, never a silent rescale.

The built-in units are the ones the reference policy needs (`BUILTIN`). Another policy counts in 吨 or 人, so a
registry may declare its own (`units:` in the registry, qanalysis/registry.py): `BUILTIN.with_units(...)` gives that
registry's `UnitTable`, and everything that reads a unit for the registry asks that table. The module-level `parse`,
`conversion_factor` and `unit_in_label` are the built-in table's, for code that has no registry at hand.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import InputError

MAX_MAGNITUDE = 1e15
"""The largest magnitude any value may have, in any unit: the one bound on every number the project reads (yearbook
cells, tidy and series records, a target's value, a declared unit's factor, a value converted to its registry unit).

Why 1e15: the largest official statistic in these units is a national total in 元 (China's GDP, about 1.2e14 元 in
2022), so nothing published comes near 1e15, while a number beyond it is a typo, a pasted ID or account number, or
an attack. Past it the arithmetic stops being honest: values near 1e155 overflow when squared (OverflowError in the
error model), values near 1e308 become inf and are clipped into bands of zero width, and every P(meet) computed from
them would be nonsense presented as a finding.
"""


def expected_bound(value: float) -> str:
    """What a value was expected to be when it is unusable as a statistic ("a finite number", "a number within
    ±1e+15 ..."); "" when it is fine. Callers put it in their message as "expected <this>, found <value>".

    The one rule for finiteness and size (MAX_MAGNITUDE): every reader of numbers asks it, so a value refused by
    `build` is refused the same way by `assess --data`, `forecast --data` and the registry.
    """
    if not math.isfinite(value):
        return "a finite number"
    if abs(value) > MAX_MAGNITUDE:
        return f"a number within ±{MAX_MAGNITUDE:g} (no official statistic is larger)"
    return ""


class UnitError(InputError, ValueError):
    """A unit that is not known, or a conversion across dimensions. Also a ValueError, so a pydantic validator that
    parses a unit reports it as a field error of its record."""


@dataclass(frozen=True)
class Unit:
    """A canonical unit: its symbol, its dimension, its size in the dimension's base unit and its English label.

    The label is how an English chart, table or sentence writes the unit ("μg/m³" for 微克/立方米); it is not part of
    the unit's identity (compare=False), so a registry redeclaring a built-in unit with its own label is no conflict.
    None: English text writes the symbol itself; "": English writes the number alone (a count of 个 needs no word:
    "≥ 30", not "≥ 30 count")."""

    symbol: str
    dimension: str
    factor: float = 1.0
    label_en: str | None = field(default=None, compare=False)

    def label(self, english: bool) -> str:
        """The unit as a reader sees it: the symbol in Chinese, the English label (else the symbol) in English."""
        return (self.symbol if self.label_en is None else self.label_en) if english else self.symbol


_UNITS = {
    u.symbol: u
    for u in [
        Unit("元", "money", 1.0, label_en="yuan"),
        Unit("万元", "money", 1e4, label_en="10k yuan"),
        Unit("亿元", "money", 1e8, label_en="100m yuan"),
        Unit("%", "percent", label_en="%"),
        Unit("个百分点", "percentage_point", label_en="percentage points"),
        Unit("微克/立方米", "concentration", label_en="μg/m³"),
        Unit("万元/亩", "money_per_mu", 1.0, label_en="10k yuan/mu"),
        Unit("元/亩", "money_per_mu", 1e-4, label_en="yuan/mu"),
        Unit("万元/人·年", "money_per_worker", 1.0, label_en="10k yuan/worker-year"),
        Unit("元/人·年", "money_per_worker", 1e-4, label_en="yuan/worker-year"),
        Unit("分", "score", label_en="points"),
        Unit("位", "rank", label_en=""),
        # Counts are kept apart by their measure word: 3 家 (firms) are not 3 个 (items) or 3 项 (projects).
        Unit("个", "count_ge", label_en=""),
        Unit("家", "count_jia", label_en="organisations"),
        Unit("项", "count_xiang", label_en="projects"),
        Unit("万平方米", "area", 1e4, label_en="10k m²"),
        Unit("平方米", "area", 1.0, label_en="m²"),
        Unit("天", "days", label_en="days"),
    ]
}

_ALIASES = {
    "％": "%",
    "percent": "%",
    "百分比": "%",
    "ug/m3": "微克/立方米",
    "μg/m3": "微克/立方米",
    "µg/m3": "微克/立方米",
    "μg/m³": "微克/立方米",
    "µg/m³": "微克/立方米",
    "ug/m³": "微克/立方米",
    "毫克/立方米": None,  # a real unit, but not one these targets use: refuse rather than guess
    "万元/人": "万元/人·年",
    "万元/人.年": "万元/人·年",
    "万元/(人·年)": "万元/人·年",
    "元/人": "元/人·年",
    "万元/人年": "万元/人·年",
    "元/人年": "元/人·年",
    "分值": "分",
    "名": "位",
    "处": "个",
    "件": "个",
    "m2": "平方米",
    "万m2": "万平方米",
}

_BRACKETS = "()（）[]【】"


_DOTS = "•・‧∙⋅･"  # middle-dot look-alikes typed for "·" in 万元/人·年


def normalise(text: str) -> str:
    """Fold full-width forms (NFKC), middle-dot look-alikes, ASCII case and "^"; drop brackets and spaces:
    "（亿元）" -> "亿元", "万元/人•年" -> "万元/人·年", "UG/M^3" -> "ug/m3"."""
    folded = unicodedata.normalize("NFKC", str(text)).strip()
    folded = folded.replace("³", "3").replace("²", "2") if "/" in folded or "m" in folded else folded
    folded = re.sub(f"[{_DOTS}]", "·", folded).replace("^", "")
    folded = "".join(ch.lower() if ch.isascii() else ch for ch in folded)
    return re.sub(rf"[{re.escape(_BRACKETS)}\s]", "", folded)


class UnitTable:
    """The units one registry may use: the built-in ones plus those the registry declares (`units:`).

    An explicit object rather than a module-level table that registries add to, so that two registries loaded in
    one process (a test, a notebook comparing policies) can never see each other's units: 吨 declared by one is still
    unknown to the other. Immutable once made; `with_units` returns a new table.
    """

    def __init__(self, known: Iterable[Unit], aliases: dict[str, str | None] | None = None) -> None:
        self._units = {u.symbol: u for u in known}
        self._aliases = dict(aliases or {})
        # Every spelling folded once: parse is called for every cell of every table.
        lookup: dict[str, Unit | None] = {}
        for spelling, canonical in self._aliases.items():
            lookup.setdefault(normalise(spelling), None if canonical is None else self._units[canonical])
        lookup.update({normalise(symbol): unit for symbol, unit in self._units.items()})
        self._lookup = lookup
        self._memo: dict[str, Unit] = {}

    @property
    def symbols(self) -> tuple[str, ...]:
        """The canonical symbols, sorted: what an error message offers."""
        return tuple(sorted(self._units))

    def parse(self, text: str) -> Unit:
        """Return the canonical Unit for a spelling, or raise UnitError naming what was found.

        Memoised: a table repeats a handful of spellings thousands of times."""
        found = self._memo.get(text)
        if found is not None:
            return found
        unit = self._lookup.get(normalise(text))
        if unit is None:
            raise UnitError(f'unknown unit "{text}"; expected one of: {", ".join(self.symbols)}')
        self._memo[text] = unit
        return unit

    def conversion_factor(self, source: str, target: str) -> float:
        """Multiply a value in `source` by this to express it in `target`; UnitError across dimensions."""
        a, b = self.parse(source), self.parse(target)
        if a.dimension != b.dimension:
            raise UnitError(f'cannot convert "{source}" ({a.dimension}) to "{target}" ({b.dimension})')
        return a.factor / b.factor

    def unit_in_label(self, label: str) -> tuple[str, str | None]:
        """Split a yearbook row label "规上工业增加值(亿元)" into ("规上工业增加值", "亿元").

        Only a trailing bracket whose content parses as a unit is taken, so "新产品产值率(规上工业)" keeps its
        bracket.
        """
        text = unicodedata.normalize("NFKC", str(label)).strip()
        match = re.search(r"[(\[]([^()\[\]]+)[)\]]\s*$", text)
        if match:
            try:
                unit = self.parse(match.group(1)).symbol
            except UnitError:
                return text, None
            return text[: match.start()].strip(), unit
        return text, None

    def with_units(self, declared: Iterable[Unit]) -> UnitTable:
        """This table plus a registry's own units; UnitError when a symbol already means something else.

        A declared symbol must be written as it reads once folded (normalise), so the registry, the tidy csv and the
        tables all spell it one way. Declaring a unit this table already has, with the same dimension and factor, is
        allowed and changes nothing; with another meaning (万元 as 1000 yuan, 件 as its own count) it is refused,
        because the same cell would then be read differently under two registries. A spelling refused on purpose
        (毫克/立方米, which the reference targets never use) may be declared: the registry then says what it means.
        """
        added: dict[str, Unit] = {}
        for unit in declared:
            folded = normalise(unit.symbol)
            if not folded:
                raise UnitError(f'declared unit "{unit.symbol}": expected a symbol such as 吨, found none')
            if folded != unit.symbol:
                raise UnitError(f'declared unit "{unit.symbol}": write the symbol as "{folded}" (full-width forms, '
                                "ASCII case, brackets and spaces are folded when cells are read)")
            if not (math.isfinite(unit.factor) and 1 / MAX_MAGNITUDE <= unit.factor <= MAX_MAGNITUDE):
                raise UnitError(f'declared unit "{unit.symbol}": expected a factor between {1 / MAX_MAGNITUDE:g} and '
                                f"{MAX_MAGNITUDE:g}, found {unit.factor:g}")
            if unit.symbol in added:
                raise UnitError(f'declared unit "{unit.symbol}": declared twice')
            known = self._lookup.get(folded)
            if known is not None and known != unit:
                raise UnitError(f'declared unit "{unit.symbol}" ({unit.dimension}, factor {unit.factor:g}) is '
                                f'already known as "{known.symbol}" ({known.dimension}, factor {known.factor:g}); a registry '
                                "may add units, not change them")
            added[unit.symbol] = unit
        return UnitTable([*self._units.values(), *(u for s, u in added.items() if s not in self._units)],
                         self._aliases)


BUILTIN = UnitTable(_UNITS.values(), _ALIASES)
"""The units every registry knows; a registry's `units:` adds to them (Registry.units)."""


def parse(text: str) -> Unit:
    """The canonical built-in Unit for a spelling (BUILTIN.parse); a registry's tables use Registry.units."""
    return BUILTIN.parse(text)


def conversion_factor(source: str, target: str) -> float:
    """Built-in conversion (BUILTIN.conversion_factor): multiply a value in `source` by this to get `target`."""
    return BUILTIN.conversion_factor(source, target)


def unit_in_label(label: str) -> tuple[str, str | None]:
    """Split a label's trailing bracketed built-in unit off (BUILTIN.unit_in_label)."""
    return BUILTIN.unit_in_label(label)
