"""Every assessment reason in plain words, English and Chinese, from the facts the engine found.

The engine (`assess`) decides and measures; it hands over a `Why`, a template key and the facts behind it, and this
module turns it into one sentence an analyst can read aloud (`say`); where an official cross-check contradicts the
status, a second `Why` adds a sentence saying why (`says` joins them). Keeping the words here, both languages side by side
in one function per key, means a translation is checked against its original in one place, and the numbers in the
two sentences can never disagree: both are formatted from the same facts. Chinese clauses are separated by a
full-width comma "，", so that it is never read as the thousands separator of a number ("1,979，已达到"). The English wording is part of the
assessment contract (`reason`); the Chinese one (`reason_zh`) says the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..lang import Lang, as_lang
from ..text import pct, years_text
from .status import shown_p

_ATTACHED_ZH = ("%", "分", "个", "家", "项", "位")  # short units written straight after the number in Chinese


@dataclass(frozen=True)
class Why:
    """What a reason says before it is put into words: the template `key`, the target's comparison (`op`, `goal`),
    the indicator's `unit` (and its English label `unit_en`, units.Unit.label_en: "" writes the number alone), and
    the key's own facts (numbers and years, never text)."""

    key: str
    unit: str
    op: str
    goal: float
    facts: dict = field(default_factory=dict)
    unit_en: str | None = None


# --- numbers in words --------------------------------------------------------------------------------------------

def num(x: float) -> str:
    """Rounded for reading aloud: 1,979 / 140 / 28 / 29.8 / 4.33."""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.3g}"


class _Words:
    """The number formats of one language for one reason (its unit and target)."""

    def __init__(self, why: Why, lang: Lang | str):
        self.zh, self.unit, self.op, self.goal_value = as_lang(lang) == Lang.ZH, why.unit, why.op, why.goal
        self.unit_en = why.unit if why.unit_en is None else why.unit_en
        self.up = why.op == ">="

    def qty(self, x: float) -> str:
        """A value with its unit: "28 μg/m³" / "28 微克/立方米", "8%", "64"."""
        if self.zh:
            return num(x) + (self.unit if self.unit in _ATTACHED_ZH else f" {self.unit}")
        return f"{num(x)}{self.unit_en if self.unit_en in ('', '%') else ' ' + self.unit_en}"

    def short(self, x: float) -> str:
        """Chinese target values drop a long unit the sentence has already named: "35", but "60%", "70家"."""
        return num(x) + (self.unit if self.unit in _ATTACHED_ZH else "")

    def goal(self) -> str:
        sign = "≥" if self.up else "≤"
        return f"{sign}{self.short(self.goal_value)}" if self.zh else f"{sign} {self.qty(self.goal_value)}"

    def years(self, years) -> str:
        return years_text(years).replace(", ", "、") if self.zh else years_text(years)

    def rate(self, x: float) -> str:
        """A change per year, two significant digits, in points for percentages and scores."""
        text = f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2g}"
        if self.zh:
            return text + {"%": "个百分点", "分": "分"}.get(self.unit, "")
        return text + ((" point" if text == "1" else " points") if self.unit in ("%", "分") else "")

    def chance(self, p: float) -> str:
        """The tail of "...的概率为95%": "<1%" reads as "不到1%" in a Chinese sentence."""
        if not self.zh:
            return pct(p)
        return "不到1%" if p < 0.005 else "超过99%" if p > 0.995 else f"为{pct(p)}"

    def move(self, rising: bool) -> str:
        return ("上升" if rising else "下降") if self.zh else ("rise" if rising else "fall")


def say(why: Why, lang: Lang | str = Lang.EN) -> str:
    """The reason as one sentence in "en" or "zh"."""
    return _SENTENCES[why.key](_Words(why, lang), **why.facts)


def says(whys: Iterable[Why | None], lang: Lang | str = Lang.EN) -> str:
    """Several reasons (None skipped) as consecutive sentences: a space after each English full stop, none after a
    Chinese "。"."""
    return ("" if as_lang(lang) == Lang.ZH else " ").join(say(why, lang) for why in whys if why is not None)


def proxy_prefix(name_en: str, name_zh: str, lang: Lang | str = Lang.EN) -> str:
    """Put before a proxy's reason, so it is never read as the target's own."""
    return f"代理指标({name_zh}):" if as_lang(lang) == Lang.ZH else f"Proxy ({name_en}): "


def proxy_summary(row: dict) -> str:
    """"e_pm25_zj: likely (0.81)": a proxy's verdict in the main row's proxies column."""
    p = shown_p(row["status"], row["p_meet"])
    return f"{row['indicator']}: {row['status']}" + (f" ({p:.2f})" if p is not None else "")


# --- the sentences, one function per key -------------------------------------------------------------------------

def _no_value(w, as_of):
    return f"无公开数据(截至{as_of}年)。" if w.zh else f"No value published up to {as_of}."


def _stale(w, last, as_of, limit):
    if w.zh:
        return f"最新值为{last}年数据，距{as_of}年已超过{limit}年，过旧，无法外推。"
    return f"Latest value is from {last}, more than {limit} years before {as_of}; too old to project."


def _one_value(w, value, year):
    if w.zh:
        return f"仅有1个数据点({year}年为{w.qty(value)});判断趋势至少需要2个。"
    return f"Only one value ({w.qty(value)} in {year}); a trend needs at least two."


def _observed(w, met, what, **facts):
    """A published value decides: what was observed, and whether it meets the target."""
    if w.zh:
        return f"{_OBSERVED_ZH[what](w, **facts)}，{'已达到' if met else '未达到'}目标{w.goal()}。"
    return f"{_OBSERVED_EN[what](w, **facts)} {'meets' if met else 'misses'} the target of {w.goal()}."


_OBSERVED_EN: dict[str, Callable[..., str]] = {
    "value": lambda w, year, value: f"{year} value {w.qty(value)}",
    "growth": lambda w, years, value: f"Average growth {years_text(years)} of {num(value)}%",
    "added": lambda w, years, value, so_far: (f"{num(value)} added in {years_text(years)}"
                                                      + (" already" if so_far else "")),
    "rank": lambda w, year, value: f"Rank {num(value)} in {year}",
}
_OBSERVED_ZH: dict[str, Callable[..., str]] = {
    "value": lambda w, year, value: f"{year}年数值{w.qty(value)}",
    "growth": lambda w, years, value: f"{w.years(years)}年年均增长{num(value)}%",
    "added": lambda w, years, value, so_far: f"{w.years(years)}年{'已' if so_far else ''}累计新增{num(value)}",
    "rank": lambda w, year, value: f"{year}年排名第{num(value)}位",
}


def _unpublished(w, year):
    if w.zh:
        return f"{year}年数值未公布;不用之后年份的数值填补。"
    return f"The {year} value is not published; later values are not used to fill it."


def _level(w, latest, last, slope, need, met_now, p, mid, year):
    """A level projection: where it is, where it is heading, what the target asks, how likely it is met (the median
    `mid` is in the row's `projected`; the sentence gives the chance instead)."""
    if w.zh:
        trend = "基本持平" if slope is None else f"年均{w.move(slope > 0)}约{w.rate(abs(slope))}"
        ask = (f"达到{w.short(w.goal_value)}无需进一步{w.move(w.up)}" if met_now else
               f"达到{w.short(w.goal_value)}需年均{w.move(need > 0)}约{w.rate(abs(need))}")
        return f"最新值 {w.qty(latest)}({last}年);{trend};{ask};{year}年{w.goal()}的概率{w.chance(p)}。"
    trend = "flat" if slope is None else f"{'rising' if slope > 0 else 'falling'} about {w.rate(abs(slope))} a year"
    target = w.qty(w.goal_value)
    ask = (f"{target} needs no further {w.move(w.up)}" if met_now else
           f"{target} needs a {w.move(need > 0)} of about {w.rate(abs(need))} a year")
    return f"Latest {w.qty(latest)} ({last}); {trend}; {ask}; {pct(p)} chance of {w.goal()} in {year}."


def _gap(w, what, missing, window, closed, counted=None):
    """Window years without a value: a gap inside the published run, or (`closed`) a window that has ended."""
    if w.zh:
        item = {"growth": "增速", "additions": "年度新增数"}[what]
        note = f"(目前已计{num(counted)})" if counted is not None else ""
        tail = f"{w.years(window)}年窗口不完整{note}" if closed else f"位于{w.years(window)}年窗口内;缺口不作填补{note}"
        return f"{w.years(missing)}年{item}未公布，{tail}。"
    item = {"growth": "growth", "additions": "annual additions"}[what]
    note = f" ({num(counted)} counted so far)" if counted is not None else ""
    if closed:
        return f"No {item} published for {years_text(missing)}; the {years_text(window)} window is incomplete{note}."
    return (f"No {item} published for {years_text(missing)}, a gap inside the {years_text(window)} window; "
            f"gaps are not filled{note}.")


def _growth(w, latest, last, seen, seen_mean, window, mid, p):
    """An average-growth projection on a growth-rate series: observed years and simulated ones combined."""
    if w.zh:
        so_far = f"{w.years(seen)}年平均{num(seen_mean)}%" if seen else f"{w.years(window)}年尚无公布值"
        return (f"最新增速{num(latest)}%({last}年);{so_far};预计{w.years(window)}年年均增长{num(mid)}%;"
                f"年均{w.goal()}的概率{w.chance(p)}。")
    so_far = f"{years_text(seen)} average {num(seen_mean)}%" if seen else f"none of {years_text(window)} published yet"
    return (f"Latest growth {num(latest)}% ({last}); {so_far}; projected {years_text(window)} average {num(mid)}%; "
            f"{pct(p)} chance of {w.goal()} a year.")


def _no_base(w, base_year):
    return f"缺少{base_year}年的正值作为计算增长的基数。" if w.zh else f"No positive {base_year} value to measure growth from."


def _cagr(w, latest, last, base, base_year, mid, p):
    """An average-growth projection on a level series: the base year's value grown to the projected level."""
    if w.zh:
        return (f"最新值 {w.qty(latest)}({last}年)，{base_year}年为{w.qty(base)};预计年均增长{num(mid)}%;"
                f"年均{w.goal()}的概率{w.chance(p)}。")
    return (f"Latest {w.qty(latest)} ({last}) against {w.qty(base)} in {base_year}; projected average growth "
            f"{num(mid)}% a year; {pct(p)} chance of {w.goal()} a year.")


def _cumulative(w, latest, last, total, seen, window, mid, p):
    """A cumulative projection: additions counted so far plus simulated ones for the rest of the window."""
    if w.zh:
        so_far = f"{w.years(seen)}年已累计{num(total)}" if seen else f"窗口在{last}年之后才开始"
        return (f"最新一年新增{num(latest)}({last}年);{so_far};预计{w.years(window)}年合计约{num(mid)};"
                f"合计{w.goal()}的概率{w.chance(p)}。")
    so_far = f"{num(total)} so far in {years_text(seen)}" if seen else f"the window starts after {last}"
    return (f"Latest {num(latest)} added in {last}; {so_far}; about {num(mid)} expected over {years_text(window)}; "
            f"{pct(p)} chance of a total {w.goal()}.")


def _no_rank(w, as_of):
    return f"截至{as_of}年无公开排名;排名不作预测。" if w.zh else f"No rank published up to {as_of}; ranks are not forecast."


def _rank_unpublished(w, year, latest, last):
    if w.zh:
        return f"{year}年排名未公布;最新排名为第{num(latest)}位({last}年);排名不作预测。"
    return f"No rank published for {year}; latest rank {num(latest)} ({last}); ranks are not forecast."


def _achieved(w, year, value):
    if w.zh:
        return f"已于{year}年实现({num(value)});里程碑一经实现即保持达成。"
    return f"Achieved in {year} ({num(value)}); a milestone once reached stays met."


def _not_achieved(w, year):
    return f"截至{year}年未实现。" if w.zh else f"Not achieved by {year}."


def _not_all_published(w, year):
    if w.zh:
        return f"就截至{year}年已公布的数据看尚未实现;并非每年都有公布值。"
    return f"Not achieved as far as published up to {year}; not every year is published."


def _not_yet(w, as_of):
    return f"截至{as_of}年尚未实现;里程碑不作预测。" if w.zh else f"Not achieved as of {as_of}; milestones are not forecast."


def _units_differ(w, proxy_unit, target_unit):
    if w.zh:
        return f"代理指标单位为{proxy_unit}，目标单位为{target_unit}，无法比较。"
    return f"The proxy is in {proxy_unit}, the target in {target_unit}; they cannot be compared."


_CATEGORY_ZH = {"on track": "进度达标", "limited progress": "进展有限", "deterioration": "倒退",
                "stagnation or regression": "停滞或倒退"}
_CHECK_ZH = {"ratio": "比值", "share": "份额"}


def _crosscheck(w, checks, said, start, end, lower, year, because, **facts):
    """Why an official cross-check and P(meet) disagree: what the checks say, measured from which year, and the
    one fact that accounts for the difference (`crosschecks.disagreement`)."""
    why = (_BECAUSE_ZH if w.zh else _BECAUSE_EN)[because](w, start=start, year=year, **facts)
    if w.zh:
        named, words = "与".join(_CHECK_ZH[c] for c in checks), "、".join(f"“{_CATEGORY_ZH[x]}”" for x in said)
        return f"官方{named}核查({start}—{end}年)显示{words}，P(达成){'较低' if lower else '较高'}，因为{why}。"
    named = " and ".join(checks) + (" checks say" if len(checks) > 1 else " check says")
    words = " and ".join(f'"{x}"' for x in said)
    return (f"The official {named} {words}, measured from {start} to {end}; P(meet) is "
            f"{'lower' if lower else 'higher'} because {why}.")


def _short_pace_en(w, start, year, check, value):
    part = (f"the pace since {start} is {pct(value)} of the pace needed" if check == "ratio" else
            f"the pace since {start} would cover {pct(value)} of the change needed by {year}")
    return f"{part}: on track by the official 95% rule, yet short of {w.goal()} if it continues"


def _short_pace_zh(w, start, year, check, value):
    part = (f"{start}年以来的速度为所需速度的{pct(value)}" if check == "ratio" else
            f"按{start}年以来的速度，到{year}年可完成所需变化的{pct(value)}")
    return f"{part}，按官方95%的标准属“进度达标”，但照此速度仍达不到{w.goal()}"


def _toward(w, toward: bool) -> str:
    return ("趋向" if toward else "偏离") if w.zh else ("towards" if toward else "away from")


_BECAUSE_EN: dict[str, Callable[..., str]] = {
    "pace": _short_pace_en,
    "latest": lambda w, start, year, y1, v1, y2, v2, toward: (
        f"the latest change, from {w.qty(v1)} in {y1} to {w.qty(v2)} in {y2}, moved {_toward(w, toward)} the target"),
    "forecast": lambda w, start, year, first, n, mid, meets, earlier: (
        (f"its forecast also counts the years before {start}: from the {n} values since {first}, its median for "
         f"{year} is {w.qty(mid)}" if earlier else
         f"its forecast from the {n} values since {first} has a median of {w.qty(mid)} in {year}")
        + f", which {'meets' if meets else 'misses'} the target of {w.goal()}"),
}
_BECAUSE_ZH: dict[str, Callable[..., str]] = {
    "pace": _short_pace_zh,
    "latest": lambda w, start, year, y1, v1, y2, v2, toward: (
        f"最新变化({y1}年{w.qty(v1)}→{y2}年{w.qty(v2)}){_toward(w, toward)}目标"),
    "forecast": lambda w, start, year, first, n, mid, meets, earlier: (
        f"其预测{f'还计入了{start}年以前的数值，' if earlier else ''}基于{first}年以来的{n}个数值，"
        f"{year}年中位数为{w.qty(mid)}，{'达到' if meets else '未达到'}目标{w.goal()}"),
}


_SENTENCES: dict[str, Callable[..., str]] = {
    "no_value": _no_value, "stale": _stale, "one_value": _one_value, "observed": _observed,
    "unpublished": _unpublished, "level": _level, "gap": _gap, "growth": _growth, "no_base": _no_base,
    "cagr": _cagr, "cumulative": _cumulative, "no_rank": _no_rank, "rank_unpublished": _rank_unpublished,
    "achieved": _achieved, "not_achieved": _not_achieved, "not_all_published": _not_all_published,
    "not_yet": _not_yet, "units_differ": _units_differ, "crosscheck": _crosscheck,
}
