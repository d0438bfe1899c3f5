"""The findings of one vintage in words: the reading order of the targets, the headline paragraph, and what changed
since the previous vintage.

Written from the assessment table only (counts, names, status words, P(meet)), never from a template that could say
something the numbers do not: the summary, the one-page PDF and the notebooks open with the same paragraph. One
language at a time (`lang`), because a reader lifts the paragraph into a briefing whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..assessment.assess import Vintage, assess_vintages
from ..assessment.status import Status
from ..lang import Lang, as_lang
from ..registry import Registry
from ..text import pct
from .labels import name, status_label

# The order a reader goes through the targets: the problems first (missed, then the flags), then the open calls from
# the least to the most likely, then the settled ones, and last those nothing can be said of.
READING_ORDER: tuple[Status, ...] = (Status.MISSED, Status.VERY_UNLIKELY, Status.UNLIKELY, Status.ABOUT_EVEN,
                                     Status.LIKELY, Status.VERY_LIKELY, Status.MET, Status.INSUFFICIENT)
# The groups the headline counts, each with the statuses it holds.
GROUPS: dict[str, tuple[Status, ...]] = {
    "missed": (Status.MISSED,),
    "flagged": (Status.VERY_UNLIKELY, Status.UNLIKELY),
    "even": (Status.ABOUT_EVEN,),
    "on_track": (Status.LIKELY, Status.VERY_LIKELY),
    "met": (Status.MET,),
    "insufficient": (Status.INSUFFICIENT,),
}
NAMED = 4  # names a headline group lists before "and N more": a paragraph, not the table again

_WORDS: dict[Lang, dict[str, str]] = {
    Lang.ZH: {
        "lead": "截至{as_of}年，{n}个量化目标中：", "lead_one": "截至{as_of}年，1个量化目标中：",
        "empty": "截至{as_of}年，没有评估任何目标。",
        "missed": "{k}个已确认未达成", "flagged": "{k}个不太可能或很不可能达成", "even": "{k}个达成与否可能性相当",
        "on_track": "{k}个可能或很可能达成", "met": "{k}个已达成", "insufficient": "{k}个因数据不足无法评估",
        "names": "（{names}）", "more": "等{k}个", "sep": "；", "list": "、", "end": "。",
        "first": "这是政策发布当年的首次评估。",
        "same": "与{prev}年的评估相比，没有目标改变状态。",
        "changed": "与{prev}年的评估相比：{changes}。",
        "change": "{name}由“{before}”变为“{after}”", "p": "（P {a} → {b}）",
        "proxies": "其中{k}个目标有代理指标可作旁证（不代替目标本身的评估）：{items}。",
        "proxy": "{target}（{readings}）", "reading": "代理指标“{proxy}”{status}", "readings": "，",
    },
    Lang.EN: {
        "lead": "As of {as_of}, of {n} quantified targets: ", "lead_one": "As of {as_of}, of 1 quantified target: ",
        "empty": "As of {as_of}, no target was assessed.",
        "missed": "{k} {are} already missed", "flagged": "{k} {are} unlikely or very unlikely to be met",
        "even": "{k} {are} about as likely as not", "on_track": "{k} {are} likely or very likely to be met",
        "met": "{k} {are} already met", "insufficient": "{k} cannot be assessed for lack of data",
        "names": " ({names})", "more": "and {k} more", "sep": "; ", "list": "; ", "end": ".",
        "first": "This is the first outlook, in the policy's launch year.",
        "same": "No target changed status since the {prev} outlook.",
        "changed": "Since the {prev} outlook: {changes}.",
        "change": "{name} moved from {before} to {after}", "p": " (P {a} → {b})",
        "proxies": "For {k} of these a proxy gives a reading, shown beside the target and never in its place: {items}.",
        "proxy": "{target} ({readings})", "reading": "proxy \"{proxy}\": {status}", "readings": ", ",
    },
}


def in_reading_order(table: pd.DataFrame) -> pd.DataFrame:
    """The assessment rows in READING_ORDER, and within a status from the lowest P(meet), then registry order."""
    rank = {str(s): i for i, s in enumerate(READING_ORDER)}
    keys = pd.DataFrame({"status": table["status"].map(lambda s: rank.get(str(s), len(rank))),
                         "p": table["p_meet"].astype(float).fillna(2.0), "row": np.arange(len(table))},
                        index=table.index)
    return table.loc[keys.sort_values(["status", "p", "row"], kind="stable").index]


@dataclass(frozen=True)
class Change:
    """A target whose status differs from the previous vintage's."""

    target: str
    before: str
    after: str
    p_before: float
    p_after: float


def changes(table: pd.DataFrame, previous: pd.DataFrame | None) -> list[Change]:
    """The targets whose status moved since `previous` (the assessment one vintage earlier), in reading order."""
    if previous is None:
        return []
    before = previous.set_index("target")
    out = []
    for row in in_reading_order(table).itertuples(index=False):
        if row.target in before.index and str(before.at[row.target, "status"]) != str(row.status):
            out.append(Change(row.target, str(before.at[row.target, "status"]), str(row.status),
                              float(before.at[row.target, "p_meet"]), float(row.p_meet)))
    return out


def _names(ids: Sequence[str], registry: Registry, lang: Lang) -> str:
    w = _WORDS[lang]
    text = w["list"].join(name(registry.target(i), lang) for i in ids[:NAMED])
    if len(ids) <= NAMED:
        return text
    if lang == Lang.ZH:
        return text + w["more"].format(k=len(ids))  # "A、B、C、D等9个"
    return text + w["list"] + w["more"].format(k=len(ids) - NAMED)


def headline(registry: Registry, table: pd.DataFrame, as_of: int, lang: Lang | str = Lang.ZH,
             previous: pd.DataFrame | None = None, previous_year: int | None = None,
             proxies: pd.DataFrame | None = None) -> str:
    """The findings paragraph: how many targets in each group, naming the problems and the settled ones; the proxy
    readings of targets without data of their own (`proxies`, Vintage.proxy_table()); and the status changes since
    the previous vintage (`previous`, assessed as of `previous_year`), or in the launch year that it is the first."""
    lang = as_lang(lang)
    w = _WORDS[lang]
    ordered = in_reading_order(table)
    parts = []
    for group, statuses in GROUPS.items():
        ids = [str(i) for i in ordered.loc[ordered["status"].isin([str(s) for s in statuses]), "target"]]
        if not ids:
            continue
        text = w[group].format(k=len(ids), are="is" if len(ids) == 1 else "are")
        if group != "insufficient":
            text += w["names"].format(names=_names(ids, registry, lang))
        parts.append(text)
    if table.empty:
        return w["empty"].format(as_of=as_of)
    lead = w["lead_one" if len(table) == 1 else "lead"].format(as_of=as_of, n=len(table))
    paragraph = lead + w["sep"].join(parts) + w["end"]
    gap = "" if lang == Lang.ZH else " "
    readings = _proxy_readings(registry, table, proxies, lang)
    return paragraph + (gap + readings if readings else "") + _since(registry, table, as_of, lang, previous,
                                                                     previous_year)


def previous_year(registry: Registry, as_of: int) -> int | None:
    """The vintage a briefing as of `as_of` compares with: the year before, from the launch year on (the briefing's
    vintages start there); None in the launch year, before it, or for a registry without a `registry:` block."""
    if registry.info is None or as_of - 1 < registry.launch_year:
        return None
    return as_of - 1


def paragraph(registry: Registry, data: pd.DataFrame, vintage: Vintage, lang: Lang | str = Lang.ZH,
              targets: Sequence[str] | None = None, known: Sequence[Vintage] = (), seed: int = 0) -> str:
    """The headline of `vintage` for the notebooks, restricted to `targets` (a section's; all when None): compared
    with the previous vintage (`previous_year`; assessed here with `seed` unless it is among `known`), so a notebook
    shows the same findings the briefing would write for those targets."""
    keep = (lambda t: t) if targets is None else (lambda t: t[t["target"].isin(list(targets))])
    year = previous_year(registry, vintage.as_of)
    before = assess_vintages(registry, data, [year], seed=seed, known=known)[0] if year is not None else None
    return headline(registry, keep(vintage.table()), vintage.as_of, lang,
                    keep(before.table()) if before is not None else None, year, keep(vintage.proxy_table()))


def _proxy_readings(registry: Registry, table: pd.DataFrame, proxies: pd.DataFrame | None, lang: Lang) -> str:
    """The proxies' verdicts on targets with no verdict of their own, each labelled as a proxy's."""
    if proxies is None or proxies.empty:
        return ""
    w = _WORDS[lang]
    without = set(table.loc[table["status"] == str(Status.INSUFFICIENT), "target"])
    usable = proxies[proxies["target"].isin(without) & (proxies["status"] != str(Status.INSUFFICIENT))]
    if usable.empty:
        return ""
    items = [w["proxy"].format(target=name(registry.target(str(target)), lang), readings=proxy_readings(
        registry, rows, lang)) for target, rows in usable.groupby("target", sort=False)]
    return w["proxies"].format(k=len(items), items=w["sep"].join(items))


def proxy_readings(registry: Registry, rows: pd.DataFrame, lang: Lang | str) -> str:
    """"proxy “A”: likely, proxy “B”: very likely": the verdicts of one target's proxies (rows of the proxy table
    with a verdict), each labelled as a proxy's."""
    w = _WORDS[as_lang(lang)]
    return w["readings"].join(w["reading"].format(proxy=name(registry.indicators[r.proxy], lang),
                                                  status=status_label(r.status, lang))
                              for r in rows.itertuples(index=False) if r.status != str(Status.INSUFFICIENT))


def _since(registry: Registry, table: pd.DataFrame, as_of: int, lang: Lang, previous: pd.DataFrame | None,
           previous_year: int | None) -> str:
    """What changed since the previous vintage; in the launch year, that this is the first outlook."""
    w = _WORDS[lang]
    gap = "" if lang == Lang.ZH else " "
    if previous is None or previous_year is None:
        launch = registry.launch_year if registry.info is not None else None
        return gap + w["first"] if as_of == launch else ""
    moved = changes(table, previous)
    if not moved:
        return gap + w["same"].format(prev=previous_year)
    items = []
    for c in moved:
        item = w["change"].format(name=name(registry.target(c.target), lang), before=status_label(c.before, lang),
                                  after=status_label(c.after, lang))
        if np.isfinite(c.p_before) and np.isfinite(c.p_after):
            item += w["p"].format(a=pct(c.p_before), b=pct(c.p_after))
        items.append(item)
    return gap + w["changed"].format(prev=previous_year, changes=w["sep"].join(items))
