"""The briefing's one-page summary, in Markdown and HTML: counts by status, the flagged targets, the values that
conflict with published ones, the targets without data.

One language per pack (`lang`): a reader lifts paragraphs into a briefing, and mixed-language lines cannot be lifted.
The content is built once as blocks (heading, paragraph, list, table)
and rendered twice, so the two files cannot say different things; neither carries a clock, so reruns are identical.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..assessment.status import FLAGGED, Status
from ..lang import Lang, as_lang
from ..registry import Registry
from ..text import markdown_text, pct
from .labels import STATUS_ZH, name, status_label, unit_label
from .style import STATUS_COLOURS

_WORDS: dict[Lang, dict[str, str]] = {
    Lang.ZH: {
        "title": "{year}年量化目标评估 (截至 {as_of} 年)",
        "intro": "评估时点: {as_of} 年, 只使用 {as_of} 年及以前的数值。共 {n} 个量化目标。",
        "counts": "各状态目标数", "status": "状态", "n": "目标数",
        "flagged": "需要关注: 不太可能或很不可能达成 — {n}", "missing": "数据不足, 无法评估 — {n}",
        "item": "{name}: {status}, P(达成) = {p}; 目标 {goal}{outlook}。原因: {reason}",
        "outlook": "; 预测 {year}: {mean} (80%: {lo}–{hi}) {unit}", "needs": " 所需数据: {table}",
        "none": "无。", "conflicts": "与公开数据不一致的数值 — {n}",
        "conflicts_intro": "以下指标年份, 工作区数值与已公布数值不同; 评估采用工作区数值。",
        "conflict_head": "指标|年份|已公布|工作区|差值|公布来源|工作区来源", "method": "方法与措辞",
    },
    Lang.EN: {
        "title": "Outlook for the {year} targets, as of {as_of}",
        "intro": "Assessed as of {as_of}, with values for {as_of} and earlier only. {n} quantified targets.",
        "counts": "Targets by status", "status": "Status", "n": "Targets",
        "flagged": "Flagged: unlikely or very unlikely — {n}", "missing": "Insufficient data — {n}",
        "item": "{name}: {status}, P(meet) = {p}; target {goal}{outlook}. Why: {reason}",
        "outlook": "; projected {year}: {mean} (80%: {lo}–{hi}) {unit}", "needs": " Data needed: {table}",
        "none": "None.", "conflicts": "Values that differ from the published ones — {n}",
        "conflicts_intro": "For these indicator-years the workspace's value differs from the published one; the "
                           "assessment uses the workspace's value.",
        "conflict_head": "Indicator|Year|Published|Workspace|Difference|Published source|Workspace source",
        "method": "Method and calibrated language",
    },
}


def _reason(row, lang: Lang) -> str:
    """The reason in the pack's language (assess writes both from the same facts)."""
    zh = getattr(row, "reason_zh", None)
    return zh.strip() if lang == Lang.ZH and isinstance(zh, str) and zh.strip() else str(row.reason).strip()


def _item(row, tg, lang: Lang) -> str:
    w = _WORDS[lang]
    outlook = ""
    if pd.notna(row.projected):
        outlook = w["outlook"].format(year=tg.target_year, mean=f"{row.projected:.4g}", lo=f"{row.lo80:.4g}",
                                      hi=f"{row.hi80:.4g}", unit=unit_label(tg.unit, lang))
    return w["item"].format(name=name(tg, lang), status=status_label(row.status, lang), p=pct(row.p_meet),
                            goal=tg.goal_text(unit=unit_label(tg.unit, lang)), outlook=outlook,
                            reason=_reason(row, lang))


def _conflict_rows(conflicts: pd.DataFrame, registry: Registry, lang: Lang) -> list[list[str]]:
    def label(indicator: str) -> str:
        ind = registry.indicators.get(indicator)
        return name(ind, lang) if ind is not None else indicator

    return [[label(r.indicator), str(r.year), str(r.published), str(r.bureau), str(r.difference),
             str(r.published_source), str(r.bureau_source)] for r in conflicts.itertuples(index=False)]


def summary_blocks(registry: Registry, table: pd.DataFrame, as_of: int, lang: Lang | str = Lang.ZH,
                   conflicts: pd.DataFrame | None = None) -> list[tuple]:
    """The summary as blocks (heading, paragraph, list, table), rendered to Markdown and HTML alike."""
    lang = as_lang(lang)
    w = _WORDS[lang]
    by_id = {tg.id: tg for tg in registry.targets}
    counts = table["status"].value_counts()
    flagged = table[table["status"].isin(FLAGGED)].sort_values(["p_meet", "target"])
    missing = table[table["status"] == Status.INSUFFICIENT]
    year = max(tg.target_year for tg in registry.targets)
    blocks = [
        ("h1", w["title"].format(year=year, as_of=as_of)),
        ("p", w["intro"].format(as_of=as_of, n=len(table))),
        ("h2", w["counts"]),
        ("table", [w["status"], w["n"]],
         [[status_label(s, lang), str(int(counts[s]))] for s in STATUS_COLOURS if s in counts]),
        ("h2", w["flagged"].format(n=len(flagged))),
    ]
    items = [_item(row, by_id[row.target], lang) for row in flagged.itertuples(index=False)]
    blocks.append(("ul", items) if items else ("p", w["none"]))
    if conflicts is not None and len(conflicts):
        blocks += [("h2", w["conflicts"].format(n=len(conflicts))), ("p", w["conflicts_intro"]),
                   ("table", w["conflict_head"].split("|"), _conflict_rows(conflicts, registry, lang))]
    blocks.append(("h2", w["missing"].format(n=len(missing))))
    blocks.append(("ul", [f"{name(by_id[r.target], lang)}: {_reason(r, lang)}"
                          + w["needs"].format(table=registry.indicator(by_id[r.target]).bureau_table)
                          for r in missing.itertuples(index=False)]) if len(missing) else ("p", w["none"]))
    blocks += [("h2", w["method"]), ("p", METHOD_NOTE[lang].format(year=year))]
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
        if kind in ("h1", "h2"):
            out.append(("# " if kind == "h1" else "## ") + markdown_text(rest[0]))
        elif kind == "p":
            out.append(markdown_text(rest[0]))
        elif kind == "ul":
            out.append("\n".join(f"- {markdown_text(item)}" for item in rest[0]))
        else:
            header, rows = rest
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
        if kind in ("h1", "h2", "p"):
            body.append(f"<{kind}>{inline(rest[0])}</{kind}>")
        elif kind == "ul":
            body.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in rest[0]) + "</ul>")
        else:
            header, rows = rest
            chips = {label: c for s, c in STATUS_COLOURS.items() for label in (STATUS_ZH[s], str(s))}
            cells = "".join(
                "<tr>" + "".join(f'<td><span class="chip" style="background:{chips[c]}"></span>{inline(c)}</td>'
                                 if c in chips else f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in rows)
            body.append("<table><tr>" + "".join(f"<th>{inline(h)}</th>" for h in header) + f"</tr>{cells}</table>")
    style = ("body{font-family:'Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif;max-width:60em;margin:2em auto;"
             "line-height:1.5;color:#222}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;"
             "padding:.2em .8em;text-align:left}.chip{display:inline-block;width:.8em;height:.8em;margin-right:.4em}")
    title = html.escape(blocks[0][1])
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{style}</style></head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def write_summary(out_dir: Path, registry: Registry, table: pd.DataFrame, as_of: int, lang: Lang | str = Lang.ZH,
                  conflicts: pd.DataFrame | None = None) -> list[Path]:
    """summary.md and summary.html, the same content, in one language."""
    blocks = summary_blocks(registry, table, as_of, lang, conflicts)
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page = out_dir / "summary.md", out_dir / "summary.html"
    md.write_text(_md(blocks), encoding="utf-8")
    page.write_text(_html(blocks, "zh-CN" if as_lang(lang) == Lang.ZH else "en"), encoding="utf-8")
    return [md, page]
