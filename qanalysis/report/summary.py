"""The briefing's one-page summary, in Markdown and HTML: counts by status, the flagged targets, the ones without data.

Written in Chinese with each target's English name in brackets, because its readers are the bureau's analysts and the
project's English-speaking reviewers at once. The content is built once as blocks (heading, paragraph, list, table)
and rendered twice, so the two files cannot say different things; neither carries a clock, so reruns are identical.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..assessment.status import FLAGGED, Status
from ..registry import Registry
from ..text import pct
from .labels import STATUS_ZH
from .style import STATUS_COLOURS


def _reason(row) -> str:
    """The Chinese reason with the English one in brackets: the summary's readers are the bureau and its reviewers."""
    zh, en = getattr(row, "reason_zh", None), str(row.reason).strip()
    return f"{zh.strip()} ({en})" if isinstance(zh, str) and zh.strip() else en


def summary_blocks(registry: Registry, table: pd.DataFrame, as_of: int) -> list[tuple]:
    """The summary as blocks (heading, paragraph, list, table), rendered to Markdown and HTML alike."""
    by_id = {tg.id: tg for tg in registry.targets}
    counts = table["status"].value_counts()
    flagged = table[table["status"].isin(FLAGGED)].sort_values(["p_meet", "target"])
    missing = table[table["status"] == Status.INSUFFICIENT]
    year = max(tg.target_year for tg in registry.targets)
    blocks = [
        ("h1", f"{year}年质量提升量化目标评估 (截至 {as_of} 年) — Outlook for the {year} quality targets, as of {as_of}"),
        ("p", f"评估时点: {as_of} 年, 只使用 {as_of} 年及以前公布的数值。共 {len(table)} 个量化目标。"),
        ("h2", "各状态目标数 (Targets by status)"),
        ("table", ["状态", "status", "目标数"],
         [[STATUS_ZH[s], s, str(int(counts[s]))] for s in STATUS_COLOURS if s in counts]),
        ("h2", f"需要关注: 不太可能或很不可能达成 (Flagged: unlikely or very unlikely) — {len(flagged)}"),
    ]
    items = []
    for row in flagged.itertuples(index=False):
        tg = by_id[row.target]
        outlook = ""
        if pd.notna(row.projected):
            outlook = f"; 预测 {tg.target_year}: {row.projected:.4g} (80%: {row.lo80:.4g}–{row.hi80:.4g}) {tg.unit}"
        items.append(f"`{tg.id}` {tg.name_zh} ({tg.name_en}): {STATUS_ZH[row.status]} ({row.status}), "
                     f"P(达成) = {pct(row.p_meet)}; 目标 {tg.goal}{outlook}。原因: {_reason(row)}")
    blocks.append(("ul", items) if items else ("p", "无 (none)。"))
    blocks.append(("h2", f"数据不足, 无法评估 (Insufficient data) — {len(missing)}"))
    blocks.append(("ul", [f"`{r.target}` {by_id[r.target].name_zh} ({by_id[r.target].name_en}): {_reason(r)} "
                          f"所需数据: {registry.indicator(by_id[r.target]).bureau_table}"
                          for r in missing.itertuples(index=False)]) if len(missing) else ("p", "无 (none)。"))
    blocks += [("h2", "方法与措辞 (Method and calibrated language)"), ("p", METHOD_NOTE.format(year=year))]
    return blocks


METHOD_NOTE = (
    "P(达成) 是按截至评估年的数据预测 {year} 年、由预测分布 (固定随机种子的样本路径) 算出的达成概率。状态用 IPCC 校准用语: "
    "很可能 (≥90%)、可能 (≥66%)、可能性相当 (33–66%)、不太可能 (≤33%)、很不可能 (≤10%); 目标年已有数值时为已达成/未达成; "
    "序列过短时为数据不足, 并说明原因。代理指标只作旁证, 从不替代目标本身的指标。"
    " P(meet) is the probability that the {year} value meets the target, from the seeded forecast distribution made "
    "with data up to the as-of year only; statuses follow the IPCC likelihood scale; proxies are shown beside a "
    "target, never in its place. Charts: figures/; all numbers: scorecard.xlsx.")


def _md(blocks: list[tuple]) -> str:
    out = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2"):
            out.append(("# " if kind == "h1" else "## ") + rest[0])
        elif kind == "p":
            out.append(rest[0])
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in rest[0]))
        else:
            header, rows = rest
            lines = [header, ["---"] * len(header), *rows]
            out.append("\n".join("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in lines))
    return "\n\n".join(out) + "\n"


def _html(blocks: list[tuple]) -> str:
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
            chips = {STATUS_ZH[s]: c for s, c in STATUS_COLOURS.items()}
            cells = "".join(
                "<tr>" + "".join(f'<td><span class="chip" style="background:{chips[c]}"></span>{inline(c)}</td>'
                                 if c in chips else f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in rows)
            body.append("<table><tr>" + "".join(f"<th>{inline(h)}</th>" for h in header) + f"</tr>{cells}</table>")
    style = ("body{font-family:'Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif;max-width:60em;margin:2em auto;"
             "line-height:1.5;color:#222}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;"
             "padding:.2em .8em;text-align:left}.chip{display:inline-block;width:.8em;height:.8em;margin-right:.4em}")
    title = html.escape(blocks[0][1])
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{style}</style></head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def write_summary(out_dir: Path, registry: Registry, table: pd.DataFrame, as_of: int) -> list[Path]:
    """summary.md and summary.html, the same content."""
    blocks = summary_blocks(registry, table, as_of)
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page = out_dir / "summary.md", out_dir / "summary.html"
    md.write_text(_md(blocks), encoding="utf-8")
    page.write_text(_html(blocks), encoding="utf-8")
    return [md, page]
