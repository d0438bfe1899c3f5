"""The pack's front door, index.html: the one page, the summary, the workbook, the data requests and every chart
with its caption, in the pack's language.

A pack holds dozens of files; a reader opening the folder should not have to guess which is which. The index is
written last, from the files actually in the pack (so it can never list a chart that is not there), with relative
links, so the folder can be zipped, mailed or put on a share and still work.
"""

from __future__ import annotations

import html
from pathlib import Path

from ..assessment.status import shown_p
from ..lang import Lang, as_lang
from .labels import name, p_text, status_label
from .style import SLIDE_SUFFIX
from .summary import Facts, title

_WORDS: dict[Lang, dict[str, str]] = {
    Lang.ZH: {
        "files": "文件", "pdf": "一页简报 (A4 横向, PDF)", "summary": "摘要: 主要发现、全部目标、数据需求 (HTML)",
        "md": "摘要 (Markdown, 便于复制)", "xlsx": "评估表 (Excel): 全部数值、代理指标、各时点评估、资料来源",
        "requests": "数据需求 (按发布机构), 见摘要", "overview": "总览图", "targets": "各目标扇形图",
        "scorecard": "各目标达成概率与状态", "vintage": "各时点评估的达成概率", "coverage": "各目标的公开数据覆盖 (数据缺口)",
        "reliability": "可靠性图", "wide": " (16:9, 用于幻灯片)", "svg": "SVG",
    },
    Lang.EN: {
        "files": "Files", "pdf": "One-page briefing (A4 landscape, PDF)",
        "summary": "Summary: findings, every target, data requests (HTML)", "md": "Summary (Markdown, to copy from)",
        "xlsx": "Scorecard workbook (Excel): every number, proxies, vintages, sources",
        "requests": "Data requests, by publisher (in the summary)", "overview": "Overview charts",
        "targets": "Fan chart of each target", "scorecard": "P(meet) and status of every target",
        "vintage": "P(meet) by vintage", "coverage": "Published data per target (the data gaps)",
        "reliability": "Reliability", "wide": " (16:9, for slides)", "svg": "SVG",
    },
}
OVERVIEW = ("scorecard", "vintage", "coverage", "reliability")  # the overview charts, in the order a reader wants


def _caption(stem: str, facts: Facts, lang: Lang) -> tuple[str, str]:
    """("overview" | "targets", caption) of a chart by its file name: an overview chart's description, or a target's
    name with its status and P(meet)."""
    w = _WORDS[lang]
    base, wide = (stem[: -len(SLIDE_SUFFIX)], True) if stem.endswith(SLIDE_SUFFIX) else (stem, False)
    if base in OVERVIEW:
        return "overview", w[base] + (w["wide"] if wide else "")
    rows = facts.table.set_index("target")
    if base in rows.index:
        row, target = rows.loc[base], facts.registry.target(base)
        p = shown_p(row["status"], float(row["p_meet"]))
        tail = f" — {status_label(row['status'], lang)}" + (f", {p_text(p, lang)}" if p is not None else "")
        return "targets", name(target, lang) + tail
    return "overview", base


def index_html(folder: Path, facts: Facts, lang: Lang | str) -> str:
    """The index of the pack in `folder` (its files as they are now)."""
    lang = as_lang(lang)
    w = _WORDS[lang]
    files = [("briefing.pdf", w["pdf"]), ("summary.html", w["summary"]), ("summary.md", w["md"]),
             ("scorecard.xlsx", w["xlsx"])]
    items = [f'<li><a href="{html.escape(f)}">{html.escape(label)}</a></li>' for f, label in files
             if (folder / f).exists()]
    if (folder / "summary.html").exists():
        items.append(f'<li><a href="summary.html#requests">{html.escape(w["requests"])}</a></li>')
    groups: dict[str, list[str]] = {"overview": [], "targets": []}
    order = {**{c: i - len(OVERVIEW) for i, c in enumerate(OVERVIEW)},
             **{tg.id: i for i, tg in enumerate(facts.registry.targets)}}
    pngs = sorted((folder / "figures").glob("*.png"),
                  key=lambda p: (order.get(p.stem.removesuffix(SLIDE_SUFFIX), -1 - len(OVERVIEW)), p.stem))
    for png in pngs:
        group, caption = _caption(png.stem, facts, lang)
        svg = png.with_suffix(".svg")
        link = f' · <a href="figures/{html.escape(svg.name)}">{w["svg"]}</a>' if svg.exists() else ""
        groups[group].append(f'<figure><a href="figures/{html.escape(png.name)}"><img src="figures/'
                             f'{html.escape(png.name)}" alt="{html.escape(caption)}" loading="lazy"></a>'
                             f"<figcaption>{html.escape(caption)}{link}</figcaption></figure>")
    heading = html.escape(title(facts, lang))
    body = [f"<h1>{heading}</h1>", f"<h2>{w['files']}</h2><ul>{''.join(items)}</ul>"]
    for key in ("overview", "targets"):
        if groups[key]:
            body.append(f"<h2>{w[key]}</h2><div class=\"grid\">{''.join(groups[key])}</div>")
    style = ("body{font-family:'Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif;max-width:75em;margin:2em auto;"
             "color:#222}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(22em,1fr));gap:1.2em}"
             "figure{margin:0}img{width:100%;border:1px solid #ddd}figcaption{font-size:.9em;color:#555}")
    code = "zh-CN" if lang == Lang.ZH else "en"
    return (f'<!DOCTYPE html>\n<html lang="{code}">\n<head><meta charset="utf-8"><title>{heading}</title>'
            f"<style>{style}</style></head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def write_index(folder: Path, facts: Facts, lang: Lang | str) -> Path:
    """index.html in the pack folder, listing what is there."""
    path = folder / "index.html"
    path.write_text(index_html(folder, facts, lang), encoding="utf-8")
    return path
