"""The briefing's summary, in Markdown and HTML. Its first page is what a reader takes into a meeting: the findings
paragraph (`findings.headline`) and a table of every target in reading order (name, goal, latest value, projected
value with its 80% range, P(meet), status, reason); then the data requests grouped by bureau (`requests`), any values
that conflict with published ones, and the method.

One language per pack (`lang`): a reader lifts paragraphs into a briefing, and mixed-language lines cannot be lifted.
The content is built once as blocks (heading, paragraph, list, table)
and rendered twice, so the two files cannot say different things; neither carries a clock, so reruns are identical.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..assessment.status import Status, shown_p
from ..assessment.wording import num
from ..lang import Lang, as_lang
from ..registry import Registry
from ..text import markdown_text, pct
from .findings import headline, in_reading_order, proxy_readings
from .labels import goal, name, policy_name, reason, status_label, year_list
from .requests import data_requests
from .style import STATUS_COLOURS

_WORDS: dict[Lang, dict[str, str]] = {
    Lang.ZH: {
        "title": "{year}年量化目标评估 (截至 {as_of} 年)",
        "policy": "{policy}《{title}》。评估时点: {as_of} 年, 只使用 {as_of} 年及以前的数值。",
        "findings": "主要发现", "all": "全部目标 ({n} 个, 按需要关注的程度排序)",
        "head": "目标|目标值|最新值|{year}年预测 (80% 区间)|P(达成)|状态|原因",
        "head_years": "目标|目标值 (目标年)|最新值|目标年预测 (80% 区间)|P(达成)|状态|原因",
        "requests": "数据需求 (按发布机构)",
        "requests_intro": "下列表格的数值可让评估判断更多目标; 年份为截至 {as_of} 年尚无数值的年份。",
        "request": "{table}: {years}年 — 用于: {targets}", "no_requests": "无: 每个未定目标都已有各年数值。",
        "conflicts": "与公开数据不一致的数值 — {n}",
        "conflicts_intro": "以下指标年份, 工作区数值与已公布数值不同; 评估采用工作区数值。",
        "conflict_head": "指标|年份|已公布|工作区|差值|公布来源|工作区来源", "method": "方法与措辞",
        "list": "、",
    },
    Lang.EN: {
        "title": "Outlook for the {year} targets, as of {as_of}",
        "policy": "{title} ({policy}). Assessed as of {as_of}, with values for {as_of} and earlier only.",
        "findings": "Findings", "all": "All {n} targets, most in need of attention first",
        "head": "Target|Goal|Latest|Projected {year} (80% range)|P(meet)|Status|Why",
        "head_years": "Target|Goal (target year)|Latest|Projected for the target year (80% range)|P(meet)|Status|Why",
        "requests": "Data requests, by publisher",
        "requests_intro": "Values from these tables would let the assessment judge more targets; the years are those "
                          "without a value up to {as_of}.",
        "request": "{table}: {years}, for {targets}", "no_requests": "None: every undecided target has its values.",
        "conflicts": "Values that differ from the published ones — {n}",
        "conflicts_intro": "For these indicator-years the workspace's value differs from the published one; the "
                           "assessment uses the workspace's value.",
        "conflict_head": "Indicator|Year|Published|Workspace|Difference|Published source|Workspace source",
        "method": "Method and calibrated language",
        "list": "; ",
    },
}


@dataclass(frozen=True)
class Facts:
    """What the summary, the one-page PDF and the pack index are written from: one vintage's assessment and proxy
    tables, the previous vintage's table (None in the launch year), the data and any conflicts."""

    registry: Registry
    as_of: int
    table: pd.DataFrame
    proxies: pd.DataFrame | None = None
    previous: pd.DataFrame | None = None
    previous_year: int | None = None
    data: pd.DataFrame | None = None
    conflicts: pd.DataFrame | None = None

    def headline(self, lang: Lang | str) -> str:
        return headline(self.registry, self.table, self.as_of, lang, self.previous, self.previous_year, self.proxies)

    @property
    def target_years(self) -> list[int]:
        """The target years of the targets assessed, ascending."""
        return sorted({tg.target_year for tg in self.registry.targets})

    def years(self, lang: Lang | str) -> str:
        """"2022" / "2022 and 2025": what the title and the method note name."""
        return year_list(self.target_years, lang)


def title(facts: Facts, lang: Lang | str) -> str:
    """"2022年量化目标评估 (截至 2021 年)": the summary's and the page's title."""
    return _WORDS[as_lang(lang)]["title"].format(year=facts.years(lang), as_of=facts.as_of)


def table_header(facts: Facts, lang: Lang | str) -> list[str]:
    """The header of the table of targets (the columns of `target_rows`): one target year is named in the header,
    several in each goal instead."""
    words = _WORDS[as_lang(lang)]
    if len(facts.target_years) > 1:
        return words["head_years"].split("|")
    return words["head"].format(year=facts.target_years[0]).split("|")


def _number(x: float) -> str:
    return num(float(x)) if pd.notna(x) else "—"


STATUS_COLUMN = 5  # the status word's place in a row of `target_rows`: the cell that carries the status colour


def target_rows(facts: Facts, lang: Lang | str) -> list[tuple[str, list[str]]]:
    """(status, cells) for every target in reading order: name, goal, latest value (year), projected value with its
    80% range, P(meet), status word, reason: the table of the summary's first page and of the PDF."""
    lang = as_lang(lang)
    by_id = {tg.id: tg for tg in facts.registry.targets}
    proxies = facts.proxies if facts.proxies is not None else pd.DataFrame(columns=["target", "proxy", "status"])
    several = len(facts.target_years) > 1  # then each goal names its year
    rows = []
    for row in in_reading_order(facts.table).itertuples(index=False):
        tg = by_id[row.target]
        latest = f"{_number(row.latest_value)} ({int(row.latest_year)})" if pd.notna(row.latest_year) else "—"
        p = shown_p(row.status, float(row.p_meet))  # None: decided by a published value, or no probability
        projected = "—" if p is None or pd.isna(row.projected) else (
            f"{_number(row.projected)} ({_number(row.lo80)}–{_number(row.hi80)})" if pd.notna(row.lo80)
            else _number(row.projected))
        chance = "—" if p is None else pct(p)
        rows.append((str(row.status), [
            name(tg, lang), goal(tg, lang, facts.registry.units, year=several), latest,
            projected, chance, status_label(row.status, lang),
            reason(row._asdict(), lang) + _proxy_note(facts, proxies[proxies["target"] == row.target], row.status, lang)]))
    return rows


def _proxy_note(facts: Facts, rows: pd.DataFrame, status: str, lang: Lang) -> str:
    """A target without a verdict of its own shows its proxies' readings after its reason, labelled as proxies'."""
    if status != str(Status.INSUFFICIENT) or rows.empty:
        return ""
    readings = proxy_readings(facts.registry, rows, lang)
    return f" ({readings})" if readings and lang == Lang.EN else f"（{readings}）" if readings else ""


def _request_blocks(facts: Facts, lang: Lang) -> list[tuple]:
    if facts.data is None or facts.registry.info is None:  # no data, or no data_from to ask from
        return []
    w = _WORDS[lang]
    blocks: list[tuple] = [("h2", w["requests"], "requests")]  # the pack index links here
    requests = data_requests(facts.registry, facts.data, facts.table, facts.as_of, lang)
    if not requests:
        return blocks + [("p", w["no_requests"])]
    blocks.append(("p", w["requests_intro"].format(as_of=facts.as_of)))
    for request in requests:
        blocks.append(("h3", request.bureau))
        blocks.append(("ul", [w["request"].format(table=t.table, years=t.years_text(),
                                                  targets=w["list"].join(t.targets)) for t in request.tables]))
    return blocks


def _conflict_rows(conflicts: pd.DataFrame, registry: Registry, lang: Lang) -> list[list[str]]:
    def label(indicator: str) -> str:
        ind = registry.indicators.get(indicator)
        return name(ind, lang) if ind is not None else indicator

    return [[label(r.indicator), str(r.year), str(r.published), str(r.bureau), str(r.difference),
             str(r.published_source), str(r.bureau_source)] for r in conflicts.itertuples(index=False)]


def summary_blocks(facts: Facts, lang: Lang | str = Lang.ZH) -> list[tuple]:
    """The summary as blocks (heading, paragraph, list, table), rendered to Markdown and HTML alike: the title, the
    policy, the findings paragraph and the table of every target (the first page), then the data requests by
    bureau, any conflicts with published values, and the method."""
    lang = as_lang(lang)
    w = _WORDS[lang]
    info = facts.registry.info
    document = (info.title_zh if lang == Lang.ZH else info.title_en) if info is not None else ""
    rows = target_rows(facts, lang)
    blocks: list[tuple] = [
        ("h1", title(facts, lang)),
        ("p", w["policy"].format(policy=policy_name(facts.registry, lang), title=document, as_of=facts.as_of)),
        ("h2", w["findings"]), ("p", facts.headline(lang)),
        ("h2", w["all"].format(n=len(rows))),
        ("table", table_header(facts, lang), [cells for _, cells in rows],
         [status for status, _ in rows]),
    ]
    blocks += _request_blocks(facts, lang)
    conflicts = facts.conflicts
    if conflicts is not None and len(conflicts):
        blocks += [("h2", w["conflicts"].format(n=len(conflicts))), ("p", w["conflicts_intro"]),
                   ("table", w["conflict_head"].split("|"), _conflict_rows(conflicts, facts.registry, lang), None)]
    blocks += [("h2", w["method"]), ("p", METHOD_NOTE[lang].format(year=facts.years(lang)))]
    return blocks


METHOD_NOTE = {
    Lang.ZH: "P(达成) 是按截至评估年的数据预测 {year} 年、由预测分布 (固定随机种子的样本路径) 算出的达成概率。状态用 IPCC "
             "校准用语: 很可能 (≥90%)、可能 (≥66%)、可能性相当 (33–66%)、不太可能 (≤33%)、很不可能 (≤10%); 目标年已有数值时为"
             "已达成/未达成; 序列过短时为数据不足, 并说明原因。代理指标只作旁证, 从不替代目标本身的指标。图表: figures/; 全部数值: "
             "scorecard.xlsx。",
    Lang.EN: "P(meet) is the probability that the {year} value meets the target, from the seeded forecast distribution "
             "made with data up to the as-of year only. Statuses follow the IPCC likelihood scale: very likely (≥90%), "
             "likely (≥66%), about as likely as not (33–66%), unlikely (≤33%), very unlikely (≤10%); met or missed once "
             "the target year is observed; insufficient data, with the reason, when a series is too short. Proxies are "
             "shown beside a target, never in its place. Charts: figures/; all numbers: scorecard.xlsx.",
}


def _md(blocks: list[tuple]) -> str:
    out = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "h3"):
            out.append("#" * int(kind[1]) + " " + markdown_text(rest[0]))
        elif kind == "p":
            out.append(markdown_text(rest[0]))
        elif kind == "ul":
            out.append("\n".join(f"- {markdown_text(item)}" for item in rest[0]))
        else:
            header, rows, _ = rest
            lines = [header, ["---"] * len(header), *rows]
            out.append("\n".join("| " + " | ".join(markdown_text(c).replace("|", "\\|") for c in line) + " |"
                                 for line in lines))
    return "\n\n".join(out) + "\n"


def _html(blocks: list[tuple], lang: str = "zh-CN") -> str:
    def inline(text: str) -> str:
        parts = html.escape(text).split("`")
        return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))

    body = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "h3", "p"):
            anchor = f' id="{html.escape(rest[1])}"' if len(rest) > 1 else ""
            body.append(f"<{kind}{anchor}>{inline(rest[0])}</{kind}>")
        elif kind == "ul":
            body.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in rest[0]) + "</ul>")
        else:
            header, rows, statuses = rest
            body.append(_html_table(header, rows, statuses, inline))
    style = ("body{font-family:'Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif;max-width:60em;margin:2em auto;"
             "line-height:1.5;color:#222}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;"
             "padding:.2em .8em;text-align:left}.chip{display:inline-block;width:.8em;height:.8em;margin-right:.4em}")
    heading = html.escape(blocks[0][1])
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8"><title>{heading}</title>'
            f"<style>{style}</style></head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def _html_table(header: list[str], rows: list[list[str]], statuses: list[str] | None, inline) -> str:
    """A table; with `statuses` (a table of `target_rows`), each row's status cell (STATUS_COLUMN) gets a chip of
    the status colour."""
    out = []
    for i, row in enumerate(rows):
        colour = STATUS_COLOURS.get(statuses[i]) if statuses else None
        chip = f'<span class="chip" style="background:{colour}"></span>' if colour else ""
        out.append("<tr>" + "".join(f"<td>{chip if j == STATUS_COLUMN else ''}{inline(cell)}</td>"
                                    for j, cell in enumerate(row)) + "</tr>")
    return "<table><tr>" + "".join(f"<th>{inline(h)}</th>" for h in header) + "</tr>" + "".join(out) + "</table>"


def write_summary(out_dir: Path, facts: Facts, lang: Lang | str = Lang.ZH) -> list[Path]:
    """summary.md and summary.html, the same content, in one language."""
    blocks = summary_blocks(facts, lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page = out_dir / "summary.md", out_dir / "summary.html"
    md.write_text(_md(blocks), encoding="utf-8")
    page.write_text(_html(blocks, "zh-CN" if as_lang(lang) == Lang.ZH else "en"), encoding="utf-8")
    return [md, page]
