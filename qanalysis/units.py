"""Parse and convert the units of bureau tables.

Yearbooks write one unit many ways ("亿元", "(亿元)", "ug/m3", "μg/m³", "％"). Every spelling is parsed to one
canonical unit, and conversion is allowed only inside a dimension (万元 <-> 亿元). Mixing dimensions in one
indicator is an error, never a silent rescale.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from .errors import InputError


class UnitError(InputError, ValueError):
    """A unit that is not known, or a conversion across dimensions. Also a ValueError, so a pydantic validator that
    parses a unit reports it as a field error of its record."""


@dataclass(frozen=True)
class Unit:
    """A canonical unit: its symbol, its dimension and its size in the dimension's base unit."""

    symbol: str
    dimension: str
    factor: float = 1.0


_UNITS = {
    u.symbol: u
    for u in [
        Unit("元", "money", 1.0),
        Unit("万元", "money", 1e4),
        Unit("亿元", "money", 1e8),
        Unit("%", "percent"),
        Unit("个百分点", "percentage_point"),
        Unit("微克/立方米", "concentration"),
        Unit("万元/亩", "money_per_mu", 1.0),
        Unit("元/亩", "money_per_mu", 1e-4),
        Unit("万元/人·年", "money_per_worker", 1.0),
        Unit("元/人·年", "money_per_worker", 1e-4),
        Unit("分", "score"),
        Unit("位", "rank"),
        # Counts are kept apart by their measure word: 3 家 (firms) are not 3 个 (items) or 3 项 (projects).
        Unit("个", "count_ge"),
        Unit("家", "count_jia"),
        Unit("项", "count_xiang"),
        Unit("万平方米", "area", 1e4),
        Unit("平方米", "area", 1.0),
        Unit("天", "days"),
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


@functools.lru_cache(maxsize=1024)
def parse(text: str) -> Unit:
    """Return the canonical Unit for a spelling, or raise UnitError naming what was found.

    Cached: a table repeats a handful of spellings thousands of times, and each lookup folds every alias."""
    key = normalise(text)
    if key in _UNITS:
        return _UNITS[key]
    for spelling, canonical in _ALIASES.items():
        if key == normalise(spelling):
            if canonical is None:
                break
            return _UNITS[canonical]
    known = ", ".join(sorted(_UNITS))
    raise UnitError(f'unknown unit "{text}"; expected one of: {known}')


def conversion_factor(source: str, target: str) -> float:
    """Multiply a value in `source` by this to express it in `target`; UnitError across dimensions."""
    a, b = parse(source), parse(target)
    if a.dimension != b.dimension:
        raise UnitError(f'cannot convert "{source}" ({a.dimension}) to "{target}" ({b.dimension})')
    return a.factor / b.factor


def unit_in_label(label: str) -> tuple[str, str | None]:
    """Split a yearbook row label "规上工业增加值(亿元)" into ("规上工业增加值", "亿元").

    Only a trailing bracket whose content parses as a unit is taken, so "新产品产值率(规上工业)" keeps its bracket.
    """
    text = unicodedata.normalize("NFKC", str(label)).strip()
    match = re.search(r"[(\[]([^()\[\]]+)[)\]]\s*$", text)
    if match:
        try:
            unit = parse(match.group(1)).symbol
        except UnitError:
            return text, None
        return text[: match.start()].strip(), unit
    return text, None
