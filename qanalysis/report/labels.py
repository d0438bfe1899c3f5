"""Every word a chart or table shows the reader, in the chosen language: chart words, status words, units, names,
the source line and the one way a target is written on a chart.

Kept apart from the style (how things look) so that a translation is checked in one place; every function takes a
`Lang` and refuses any other language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from ..assessment.status import Status
from ..lang import Lang, as_lang
from ..registry import Indicator, Kind, Registry, Target
from ..text import pct, wrap
from ..text import width as text_width
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
           "coverage": "各目标的公开数据覆盖", "with_value": "个目标至少有一个公开数值", "vintage": "各时点评估的达成概率", "assessment": "qanalysis 评估",
           "with_value_by": "个目标截至 {as_of} 年有公开数值", "by_now": "至今 {now}", "greyed": "灰色: 尚无数值, 不单独作图",
           "proxy": "代理指标的 P(达成)", "proxy_short": "代理", "cont": "(续)", "colour_p": "P(达成) 与状态分界",
           "in_workbook": "逐个目标见 scorecard.xlsx", "n_targets": "目标数", "section_mean": "各部分平均 P(达成), 即预期达成比例",
           "with_value_year": "每格: 当年有公开数值的目标数, 颜色为占该部分目标的比例",
           "share_axis": "占比"},
    Lang.EN: {"source": "Source: ", "note": "Note: ", "targets": "Targets: ", "history": "Observed", "forecast": "Forecast", "band80": "80% interval",
           "band95": "95% interval", "target": "Target", "required": "Path needed to meet it", "as_of": "as of",
           "p": "P(meet)", "method": "method", "no_data": "No published data", "needs": "Data needed: ",
           "year": "Year", "cum": "Cumulative additions since {}", "annual": "Annual additions",
           "growth": "Annual growth (%)", "window": "{}–{} average", "none": "not given", "p_axis": "P(meet)",
           "n_values": "Years with a published value", "as_of_years": "Assessed as of", "reliability": "Reliability",
           "bins": "Grouped by the status bands: 0–10–33–66–90–100%",
           "pred": "Forecast probability", "freq": "Observed frequency", "scorecard": "Will the {years} targets be met?",
           "coverage": "Published data per target",
             "with_value": "targets with at least one published value", "vintage": "P(meet) by vintage", "assessment": "qanalysis assessment",
             "with_value_by": "targets with a published value by {as_of}", "by_now": "{now} by now",
             "greyed": "greyed: no value yet, no chart of its own", "proxy": "P(meet) of a proxy indicator",
             "proxy_short": "proxy", "cont": "(cont.)", "colour_p": "P(meet) and the status edges",
             "in_workbook": "per target: scorecard.xlsx", "n_targets": "Targets",
             "section_mean": "Mean P(meet) per section, the expected share met",
             "with_value_year": "each cell: targets with a value that year, shaded by their share of the section",
             "share_axis": "share"},
}

def t(lang: Lang | str, key: str) -> str:
    """A chart word in the chosen language."""
    return _TEXT[as_lang(lang)][key]


def year_list(years: Sequence[int], lang: Lang | str) -> str:
    """"2022", "2022、2025" / "2022 and 2025": the target years as a title names them."""
    shown = [str(y) for y in sorted(set(int(y) for y in years))]
    if as_lang(lang) == Lang.ZH:
        return "、".join(shown)
    return " and ".join(", ".join(shown).rsplit(", ", 1))


def scorecard_title(target_years: Sequence[int], lang: Lang | str) -> str:
    """"2022年目标达成可能性" / "Will the 2022 targets be met?": the target years come from the registry's targets,
    never from the code, so another policy's scorecard names its own years ("2025", "2022、2025", "2022 and 2025")."""
    return t(lang, "scorecard").format(years=year_list(target_years, lang))


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


def reason(row: Mapping, lang: Lang | str) -> str:
    """An assessment row's reason in the chosen language: `reason_zh` on a Chinese page, `reason` otherwise, and the
    English one where a row has no Chinese (a hand-made row); assess writes both from the same facts."""
    zh = row.get("reason_zh")
    if as_lang(lang) == Lang.ZH and isinstance(zh, str) and zh.strip():
        return zh.strip()
    return str(row.get("reason") or "").strip()


def name(record: Named, lang: Lang | str) -> str:
    """A target's or indicator's name in the chosen language."""
    return record.name_zh if as_lang(lang) == Lang.ZH else record.name_en


def source_line(sources: Sequence[str] | None, lang: Lang | str, width: float = 140) -> str:
    """"资料来源: a; b" wrapped to two lines at most, so a long source list cannot push the chart off the slide.

    The lines break between sources when they can, so that no publisher or document number ("市委〔2018〕27号") is
    split over two lines; a list too long for that is wrapped anywhere and cut with "…"."""
    items = list(dict.fromkeys(s for s in (sources or []) if s)) or [t(lang, "none")]
    sep = "; " if as_lang(lang) == Lang.EN else "；"
    lines = [t(lang, "source")]
    for i, item in enumerate(items):
        piece = item + (sep if i < len(items) - 1 else "")
        if i and text_width(lines[-1] + piece.rstrip()) > width:
            lines.append(piece)
        else:
            lines[-1] += piece
    if len(lines) <= 2 and all(text_width(line.rstrip()) <= width for line in lines):
        return "\n".join(line.rstrip() for line in lines)
    return wrap(t(lang, "source") + sep.join(items), width)


def goal(target: Target, lang: Lang | str, units: UnitTable = BUILTIN, year: bool = True) -> str:
    """"≤ 35 μg/m³ (2022)": the one way a reader's table writes a goal, its unit in the chosen language (`units` as
    for `unit_label`); without `year`, no bracket."""
    return target.goal_text(unit=unit_label(target.unit, lang, units), year=year)


def target_text(target: Target, lang: Lang | str, units: UnitTable = BUILTIN) -> str:
    """"目标 ≥ 35%" / "Target ≤ 35 μg/m³" with the window for growth and cumulative targets (Target.goal_text);
    `units` as for `unit_label`."""
    text = f"{t(lang, 'target')} {goal(target, lang, units, year=False)}"
    if target.kind == Kind.AVG_GROWTH and target.window_start is not None:
        text += f" ({t(lang, 'window').format(target.window_start, target.target_year)})"
    elif target.kind == Kind.CUMULATIVE and target.window_start is not None:
        text += f" ({target.window_start}–{target.target_year})"
    return text


def p_text(p: float, lang: Lang | str) -> str:
    """"P(达成) = 45%", "P(达成) > 99%", "P(meet) < 1%": one way of printing a probability on every chart.

    `text.pct` writes a near-certainty as ">99%" so that no rounded 100% is claimed; after "=" that reads
    "= >99%", so the comparison takes the place of the equals sign."""
    shown = pct(p)
    return f"{t(lang, 'p')} {shown[0]} {shown[1:]}" if shown[0] in "<>" else f"{t(lang, 'p')} = {shown}"


MODEL_ZH: dict[str, str] = {
    "naive": "朴素法", "drift": "漂移法", "trend": "线性趋势", "damped": "阻尼趋势", "theta": "Theta 法",
    "arima": "ARIMA", "loglinear": "对数线性趋势", "combination": "组合", "linear drift": "线性漂移",
}
"""Chinese names of every model the engine can name in a method (forecast.engine.candidate_names and the fallback
"linear drift"): a Chinese chart says which model drew its fan in Chinese."""
SCALE_ZH = {"log": "对数尺度", "logit": "logit 尺度", "log(1+x)": "log(1+x) 尺度", "raw": "原始尺度",
            "values (bands on log)": "按原值拟合 (区间在对数尺度)"}
_METHOD = re.compile(r"(?P<model>.+) on (?P<scale>values \(bands on [^()]+\)|[^,()]+), (?P<n>\d+) points?")
_FALLBACK = re.compile(r"(?P<model>[a-z ]+) \(fallback: (?P<why>.+)\)")
_FAILURES = [  # the engine's reasons a model gave way (engine._point), first clause only
    (re.compile(r"(?P<m>[a-z ]+) exploded"), "{m}发散"),
    (re.compile(r"(?P<m>[a-z ]+) compounded too far"), "{m}外推过远"),
    (re.compile(r"(?P<m>[a-z ]+) needs at least (?P<k>\d+) points, has (?P<n>\d+)"), "{m}至少需要 {k} 个数据点, 仅有 {n} 个"),
    (re.compile(r"(?P<m>[a-z ]+) needs at least (?P<k>\d+) consecutive years, has (?P<n>\d+)"),
     "{m}至少需要连续 {k} 年的数据, 仅有 {n} 年"),
    (re.compile(r"combination has fewer than two usable members"), "组合的可用模型不足两个"),
]


def method_text(method: str, lang: Lang | str) -> str:
    """The first clause of an assessment row's `method` as a chart prints it, in the chart's language.

    The engine writes it in English ("combination(drift, trend, damped) on log, 4 points"); a Chinese chart gets
    "组合(漂移法、线性趋势、阻尼趋势), 对数尺度, 4 个数据点". A part the translation does not know (a model or a
    reason added to the engine later) stays as the engine wrote it rather than being guessed at."""
    clause = str(method or "").split(";")[0].strip()
    if as_lang(lang) == Lang.EN or clause in ("", "none"):
        return "" if clause == "none" else clause
    if clause == "observed":
        return "按公布值判断"
    found = _METHOD.fullmatch(clause)
    if not found:  # a bare model name (a hand-made row), or a form the engine does not write today
        return _model_zh(clause)
    scale = SCALE_ZH.get(found["scale"], found["scale"])
    return f"{_model_zh(found['model'])}, {scale}, {found['n']} 个数据点"


def _model_zh(model: str) -> str:
    """"combination(drift, trend)" -> "组合(漂移法、线性趋势)"; "drift (fallback: theta exploded)" -> "漂移法 (备选
    模型: Theta 法发散)"; an unknown name stays as written."""
    if model in MODEL_ZH:
        return MODEL_ZH[model]
    if model.startswith("combination(") and model.endswith(")"):
        members = [m.strip() for m in model[len("combination("):-1].split(",")]
        return f"{MODEL_ZH['combination']}({'、'.join(MODEL_ZH.get(m, m) for m in members)})"
    fallback = _FALLBACK.fullmatch(model)
    if fallback:
        return f"{_model_zh(fallback['model'])} (备选模型: {_failure_zh(fallback['why'])})"
    return model


def _failure_zh(why: str) -> str:
    for pattern, words in _FAILURES:
        found = pattern.fullmatch(why)
        if found:
            parts = found.groupdict()
            return words.format(**(parts | {"m": _model_zh(parts["m"])} if "m" in parts else parts))
    return why
