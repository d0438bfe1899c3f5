"""Every word a chart or table shows the reader, in the chosen language: chart words, status words, units, names,
the source line and the one way a target is written on a chart.

Kept apart from the style (how things look) so that a translation is checked in one place; every function takes a
`Lang` and refuses any other language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..assessment.status import Status
from ..lang import Lang, as_lang
from ..registry import Indicator, Kind, Registry, Target
from ..text import wrap
from ..units import BUILTIN, UnitError, UnitTable


class Named(Protocol):
    """Anything with a Chinese and an English name: a target or an indicator."""

    name_zh: str
    name_en: str


STATUS_ZH: dict[str, str] = {
    Status.VERY_LIKELY: "很可能达成",
    Status.LIKELY: "可能达成",
    Status.ABOUT_EVEN: "达成与否可能性相当",
    Status.UNLIKELY: "不太可能达成",
    Status.VERY_UNLIKELY: "很不可能达成",
    Status.MET: "已达成",
    Status.MISSED: "未达成",
    Status.INSUFFICIENT: "数据不足",
}
_TEXT: dict[Lang, dict[str, str]] = {
    Lang.ZH: {"source": "资料来源: ", "note": "注: ", "targets": "目标: ", "history": "实际值", "forecast": "预测", "band80": "80% 区间", "band95": "95% 区间",
           "target": "目标", "required": "达标所需路径", "as_of": "截至", "p": "P(达成)", "method": "方法",
           "no_data": "暂无公开数据", "needs": "所需数据: ", "year": "年份", "cum": "累计新增 (自{}年)",
           "annual": "当年新增", "growth": "年增速 (%)", "window": "{}–{}年均", "none": "未注明",
           "p_axis": "达成概率 P(达成)", "n_values": "已获得数值的年份", "as_of_years": "评估时点 (截至年份)",
           "reliability": "可靠性图", "bins": "按状态区间分组: 0–10–33–66–90–100%", "pred": "预测概率", "freq": "实际达成比例", "scorecard": "{years}年目标达成可能性",
           "coverage": "各目标的公开数据覆盖", "with_value": "个目标至少有一个公开数值", "vintage": "各时点评估的达成概率", "assessment": "qanalysis 评估"},
    Lang.EN: {"source": "Source: ", "note": "Note: ", "targets": "Targets: ", "history": "Observed", "forecast": "Forecast", "band80": "80% interval",
           "band95": "95% interval", "target": "Target", "required": "Path needed to meet it", "as_of": "as of",
           "p": "P(meet)", "method": "method", "no_data": "No published data", "needs": "Data needed: ",
           "year": "Year", "cum": "Cumulative additions since {}", "annual": "Annual additions",
           "growth": "Annual growth (%)", "window": "{}–{} average", "none": "not given", "p_axis": "P(meet)",
           "n_values": "Years with a published value", "as_of_years": "Assessed as of", "reliability": "Reliability",
           "bins": "Grouped by the status bands: 0–10–33–66–90–100%",
           "pred": "Forecast probability", "freq": "Observed frequency", "scorecard": "Will the {years} targets be met?",
           "coverage": "Published data per target",
             "with_value": "targets with at least one published value", "vintage": "P(meet) by vintage", "assessment": "qanalysis assessment"},
}

_LABEL = {Lang.ZH: 42, Lang.EN: 36}  # longest row label, in display units, on the target-by-row charts


def t(lang: Lang | str, key: str) -> str:
    """A chart word in the chosen language."""
    return _TEXT[as_lang(lang)][key]


def scorecard_title(target_years: Sequence[int], lang: Lang | str) -> str:
    """"2022年目标达成可能性" / "Will the 2022 targets be met?": the target years come from the registry's targets,
    never from the code, so another policy's scorecard names its own years ("2025", "2022、2025", "2022 and 2025")."""
    years = sorted(set(int(y) for y in target_years))
    zh, en = "、".join(map(str, years)), " and ".join(", ".join(map(str, years)).rsplit(", ", 1))
    return t(lang, "scorecard").format(years=zh if as_lang(lang) == Lang.ZH else en)


def status_label(status: str, lang: Lang | str) -> str:
    """A status word in the chosen language."""
    return STATUS_ZH.get(status, status) if as_lang(lang) == Lang.ZH else str(status)


# The official cross-checks' categories (assessment.crosschecks), as the Eurostat / Open SDG and UNSD methods name
# them; a decided target says achieved or not, and a target without data says so in the status's own words.
CROSSCHECK_ZH: dict[str, str] = {
    "on track": "进度达标",
    "acceleration needed": "需加快进度",
    "limited progress": "进展有限",
    "deterioration": "倒退",
    "stagnation or regression": "停滞或倒退",
    "not computable": "无法计算",
    "target achieved": "已达成",
    "target not achieved": "未达成",
    Status.INSUFFICIENT: STATUS_ZH[Status.INSUFFICIENT],
}


def crosscheck_label(category: str, lang: Lang | str) -> str:
    """A cross-check category ("acceleration needed") in the chosen language; a word it does not know, as given."""
    return CROSSCHECK_ZH.get(category, category) if as_lang(lang) == Lang.ZH else str(category)


def unit_label(unit: str, lang: Lang | str, units: UnitTable = BUILTIN) -> str:
    """A registry unit as a chart shows it: as written in Chinese, its English label (units.Unit.label_en) in
    English. Pass the registry's `units` so that a unit the registry declares is labelled too."""
    try:
        return units.parse(unit).label(as_lang(lang) == Lang.EN)
    except UnitError:
        return unit


def section(target: Target, lang: Lang | str) -> str:
    """A target's policy section, in English where the registry gives `section_en`."""
    return (target.section_en or target.section) if as_lang(lang) == Lang.EN else target.section


def policy_name(registry: Registry, lang: Lang | str) -> str:
    """The policy's document number as a source line cites it, in English where the registry gives `policy_en`."""
    info = registry.info
    if info is None:
        return ""
    return (info.policy_en or info.policy) if as_lang(lang) == Lang.EN else info.policy


def bureau(indicator: Indicator, lang: Lang | str) -> str:
    """The body that publishes an indicator's table ("" when the registry does not name it)."""
    english = as_lang(lang) == Lang.EN
    return ((indicator.bureau_en if english else None) or indicator.bureau or "").strip()


def bureau_table(indicator: Indicator, lang: Lang | str) -> str:
    """The table that holds an indicator's values, in English where the registry gives `bureau_table_en`."""
    return (indicator.bureau_table_en or indicator.bureau_table) if as_lang(lang) == Lang.EN else \
        indicator.bureau_table


def name(record: Named, lang: Lang | str) -> str:
    """A target's or indicator's name in the chosen language."""
    return record.name_zh if as_lang(lang) == Lang.ZH else record.name_en


def source_line(sources: Sequence[str] | None, lang: Lang | str, width: float = 140) -> str:
    """"资料来源: a; b" wrapped to two lines at most, so a long source list cannot push the chart off the slide."""
    items = list(dict.fromkeys(s for s in (sources or []) if s)) or [t(lang, "none")]
    return wrap(t(lang, "source") + ("; " if as_lang(lang) == Lang.EN else "；").join(items), width)


def target_text(target: Target, lang: Lang | str) -> str:
    """"目标 ≥ 35%" / "Target ≤ 35 μg/m³" with the window for growth and cumulative targets (Target.goal_text)."""
    text = f"{t(lang, 'target')} {target.goal_text(unit=unit_label(target.unit, lang), year=False)}"
    if target.kind == Kind.AVG_GROWTH and target.window_start is not None:
        text += f" ({t(lang, 'window').format(target.window_start, target.target_year)})"
    elif target.kind == Kind.CUMULATIVE and target.window_start is not None:
        text += f" ({target.window_start}–{target.target_year})"
    return text
