"""Tables for reading on screen: rounded, labelled, sorted tables that show the same on every machine.

The notebooks show these (not raw frames) through `show`: nbval compares what they show, and digits beyond the second
or third differ between CPUs and BLAS builds (docs/architecture.md, "Notebooks that reproduce"), so probabilities
are whole percents as `text.pct` writes them and values keep 3 significant figures. `show` renders an HTML table of
our own markup rules (a Styler with a fixed id, fixed number formats, coloured status cells, headers in the
notebook's language) rather than pandas' default HTML repr, which changes between pandas versions; its plain-text
form is the same table as text, for consoles and diffs.

`sections` and `section` pick a section's targets by the registry's own section headings, in registry order, so a
section notebook runs on any policy's registry, not only the one whose headings it was written for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ..assessment.assess import Outlook
from ..assessment.status import Status
from ..errors import InputError
from ..lang import Lang, as_lang
from ..registry import Registry
from ..text import pct, shorten
from .labels import goal, reason, status_label
from .style import STATUS_COLOURS, on_dark

WIDTH = 60  # display width of a long text cell (reasons, clauses) in a printed table


# Column headers in Chinese; a column not named here keeps its own name in both languages.
HEADERS_ZH: dict[str, str] = {
    "target": "目标编号", "name": "名称", "goal": "目标值", "status": "状态", "P(meet)": "达成概率",
    "latest": "最新值 (年份)", "projected [80%]": "预测值 [80% 区间]", "reason": "理由", "proxy": "代理指标",
    "Eurostat R": "Eurostat 比率", "Eurostat": "Eurostat 类别", "UNSD share": "UNSD 完成份额", "UNSD": "UNSD 类别",
    "section": "部分", "kind": "类型", "clause": "政策原文", "name_zh": "名称", "name_en": "英文名称", "targets": "目标数",
    "count": "个数", "of": "目标总数", "targets with ≥ k values": "至少有 k 个数值的目标", "n_values": "数值个数",
    "years": "年份", "proxies_with_data": "有数据的代理指标", "id": "编号", "title": "标题", "missing_years": "缺失年份",
    "bureau_table": "所需统计表", "subject": "评估对象", "outcome": "结果", "as_of": "截至年份", "p_meet": "达成概率",
    "call": "判断", "right": "判断正确", "year": "年份", "actual": "实际值", "median": "预测中位数",
    "lo80": "80% 下限", "hi80": "80% 上限", "met": "已达成",
}
PERCENT_COLUMNS = ("p_meet", "P(meet)", "P drift", "p_drift", "p_base")  # probabilities, in a raw frame or a view
TEXT_INK, LIGHT_INK = "#222222", "#ffffff"


@dataclass(frozen=True)
class Section:
    """One section of the policy: its heading as the registry writes it (and in English) and its targets' ids, in
    registry order."""

    number: int
    heading: str
    heading_en: str
    targets: tuple[str, ...]

    def title(self, lang: Lang | str) -> str:
        """The heading in the chosen language (the Chinese one when the registry gives no English heading)."""
        return self.heading_en if as_lang(lang) == Lang.EN else self.heading

    def outlooks(self, outlooks: Iterable[Outlook]) -> list[Outlook]:
        """The outlooks of this section's targets, in registry order."""
        return [o for o in outlooks if o.target.id in self.targets]

    def rows(self, table: pd.DataFrame) -> pd.DataFrame:
        """The rows of an assessment (or proxy) table that belong to this section's targets."""
        return table[table["target"].isin(self.targets)]


def sections(registry: Registry) -> list[Section]:
    """The registry's sections in the order their first target appears, each with its targets."""
    found: dict[str, tuple[str, list[str]]] = {}
    for target in registry.targets:
        english = str(target.section_en) if target.section_en else target.section
        found.setdefault(target.section, (english, []))[1].append(target.id)
    return [Section(i, heading, english, tuple(ids)) for i, (heading, (english, ids)) in enumerate(found.items())]


def section(registry: Registry, number: int) -> Section:
    """Section `number` (0 for the first) of the registry; an InputError listing the sections if there is none,
    since a section notebook's SECTION parameter is what an analyst sets for another registry."""
    found = sections(registry)
    if not 0 <= number < len(found):
        listed = "; ".join(f"{s.number}: {s.heading}" for s in found)
        raise InputError(f"SECTION = {number}: the registry has {len(found)} sections ({listed})")
    return found[number]


class Table:
    """A table as a notebook shows it: an HTML table (Jupyter's rich display) and the same table as text.

    The HTML is a pandas Styler with the index hidden, every cell already text (so numbers are formatted here, not by
    pandas' defaults), status cells in the charts' status colours and worded in the chosen language, headers in that
    language, and an id made from the content: the same table is the same bytes on every run (nbval compares them),
    and two different tables on one page never share the id their cell styles are keyed to."""

    def __init__(self, frame: pd.DataFrame, lang: Lang | str = Lang.EN):
        self.lang = as_lang(lang)
        self.frame = frame.reset_index(drop=True)
        shown = pd.DataFrame({column: [_cell(column, v) for v in self.frame[column]] for column in self.frame.columns},
                             columns=self.frame.columns)
        if "status" in shown:
            shown["status"] = [status_label(v, self.lang) for v in self.frame["status"].astype(str)]
        shown.columns = pd.Index([HEADERS_ZH.get(str(c), str(c)) if self.lang == Lang.ZH else str(c)
                                  for c in self.frame.columns])
        self.shown = shown  # every cell as text, headers and status words in the chosen language

    def styler(self) -> Styler:
        """The styled HTML table (see the class docstring)."""
        uuid = hashlib.sha1(self.shown.to_csv(index=False).encode("utf-8")).hexdigest()[:10]
        styler = Styler(self.shown, uuid=f"qa{uuid}", cell_ids=False, escape="html").hide(axis="index")
        styler.set_table_styles([{"selector": "th, td", "props": "text-align: left; padding: 2px 8px;"}])
        if "status" in self.frame:
            colours = [_status_style(v) for v in self.frame["status"].astype(str)]
            column = self.shown.columns[list(self.frame.columns).index("status")]
            styler.apply(lambda _: colours, subset=[column], axis=0)
        return styler

    def _repr_html_(self) -> str:
        return self.styler().to_html()

    def __repr__(self) -> str:
        with pd.option_context("display.width", 250, "display.max_colwidth", WIDTH + 5, "display.max_rows", 500):
            return self.shown.to_string(index=False)


def show(frame: pd.DataFrame, lang: Lang | str = Lang.EN) -> Table:
    """The table for a notebook to show: the last line of a cell, `views.show(views.scorecard(...), LANG)`."""
    return Table(frame, lang)


def _cell(column: Any, value: Any) -> str:
    """One cell as text: strings as they are; numbers at 3 significant figures, probabilities as `text.pct`, whole
    numbers whole; a missing value as "—"."""
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return _pct(value) if column in PERCENT_COLUMNS else _num(value)
    return str(value)


def _status_style(status: str) -> str:
    """The CSS of a status cell: its chart colour behind, ink that stays readable on it."""
    colour = STATUS_COLOURS.get(status)
    if colour is None:
        return ""
    return f"background-color: {colour}; color: {LIGHT_INK if on_dark(status) else TEXT_INK};"


def _pct(p) -> str:
    return pct(float(p)) if p is not None and np.isfinite(float(p)) else "—"


def _num(x) -> str:
    return f"{float(x):.3g}" if x is not None and np.isfinite(float(x)) else "—"


def _name(registry: Registry, target_id: str, lang: Lang | str) -> str:
    target = registry.target(target_id)
    return target.name_zh if as_lang(lang) == Lang.ZH else target.name_en


def scorecard(table: pd.DataFrame, registry: Registry, lang: Lang | str = Lang.ZH) -> pd.DataFrame:
    """One line per target: goal, status, P(meet), latest value, projection with its 80 % interval."""
    goals = {t.id: goal(t, lang, registry.units) for t in registry.targets}  # English units in an English table
    return pd.DataFrame({
        "target": table["target"],
        "name": [shorten(_name(registry, t, lang), 24) for t in table["target"]],
        "goal": [goals[t] for t in table["target"]],
        "status": table["status"],
        "P(meet)": [_pct(p) for p in table["p_meet"]],
        "latest": [f"{_num(v)} ({int(y)})" if pd.notna(y) else "—" for v, y in zip(table["latest_value"], table["latest_year"])],
        "projected [80%]": [f"{_num(m)} [{_num(lo)}, {_num(hi)}]" if np.isfinite(float(m)) else "—"
                            for m, lo, hi in zip(table["projected"], table["lo80"], table["hi80"])],
    })


def crosschecks(table: pd.DataFrame) -> pd.DataFrame:
    """P(meet) beside the official methods (Eurostat ratio, UNSD share), for the targets where any of them applies."""
    numbers = table[["p_meet", "eurostat_ratio", "unsd_share"]].astype(float)
    shown = table[np.isfinite(numbers).any(axis=1)]
    return pd.DataFrame({
        "target": shown["target"], "status": shown["status"], "P(meet)": [_pct(p) for p in shown["p_meet"]],
        "Eurostat R": [_num(r) for r in shown["eurostat_ratio"]], "Eurostat": shown["eurostat_category"].fillna("—"),
        "UNSD share": [_num(s) for s in shown["unsd_share"]], "UNSD": shown["unsd_category"].fillna("—"),
    })


def proxies(table: pd.DataFrame) -> pd.DataFrame:
    """Proxy assessments, labelled: each proxy beside the target it stands near, never in its place."""
    return pd.DataFrame({
        "target": table["target"], "proxy": table["proxy"], "status": table["status"],
        "P(meet)": [_pct(p) for p in table["p_meet"]],
        "latest": [f"{_num(v)} ({int(y)})" if pd.notna(y) else "—" for v, y in zip(table["latest_value"], table["latest_year"])],
    })


def vintages(matrix: pd.DataFrame) -> pd.DataFrame:
    """Targets × as-of years: P(meet) in whole percents, or the status word where there is no probability."""
    status = matrix.attrs.get("status")
    cells = {}
    for year in matrix.columns:
        words = status[year] if status is not None else pd.Series("—", index=matrix.index)
        cells[str(year)] = [_pct(p) if np.isfinite(p) else _short(w) for p, w in zip(matrix[year], words)]
    return pd.DataFrame({"target": matrix.index, **cells})


def _short(status: str) -> str:
    return "n/a" if status == Status.INSUFFICIENT else status


def reasons(table: pd.DataFrame, lang: Lang | str = Lang.EN) -> pd.DataFrame:
    """Target and its one-sentence reason, uncut (the sentence is what an analyst reads aloud)."""
    return pd.DataFrame({"target": table["target"], "status": table["status"],
                         "reason": [reason(row, lang) for row in table.to_dict("records")]})


def status_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How many targets carry each status word, most first."""
    return table["status"].value_counts().rename_axis("status").reset_index()


def sources(table: pd.DataFrame, width: int = 50) -> pd.DataFrame:
    """The sources' ids and titles, each title cut to `width` characters: a screen list to find a record by."""
    return table.assign(title=table["title"].str.slice(0, width))[["id", "title"]]


def coverage_counts(coverage: pd.DataFrame) -> pd.DataFrame:
    """How many targets have at least 1, 3 and 6 published values of their own measure."""
    n = pd.to_numeric(coverage["n_values"])
    return pd.DataFrame({"targets with ≥ k values": ["k = 1", "k = 3", "k = 6"],
                         "count": [int((n >= k).sum()) for k in (1, 3, 6)], "of": len(coverage)})


def retrospective(retro: pd.DataFrame) -> pd.DataFrame:
    """Each vintage's call against the outcome, with P(meet) in whole percents and "—" where no call was made."""
    return retro.assign(p_meet=[_pct(p) for p in retro["p_meet"]], call=retro["call"].fillna("—"),
                        right=["—" if pd.isna(r) else ("yes" if r else "no") for r in retro["right"]])


def baseline_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """The retrospective beside its baselines (assessment.retrospective.baseline_scores), for reading: each Brier
    score at 3 significant figures, each method's calls as right/made."""
    keys = [c for c in scores.columns if c in ("as_of", "section")]
    out = scores[keys + ["targets", "met"]].copy()
    for column, label in (("brier_suite", "Brier suite"), ("brier_drift", "Brier drift"),
                          ("brier_ratio", "Brier ratio call"), ("brier_base", "Brier base rate")):
        out[label] = [_num(x) for x in scores[column]]
    for name in ("suite", "drift", "ratio"):
        out[f"right/calls {name}"] = [f"{r}/{c}" for r, c in zip(scores[f"right_{name}"], scores[f"calls_{name}"])]
    return out


def wrong_calls(table: pd.DataFrame, registry: Registry, as_of: int, lang: Lang | str = Lang.EN) -> pd.DataFrame:
    """The suite's wrong calls in one vintage of a baseline table (assessment.retrospective.baselines): which
    target, its P(meet) and the outcome, beside the drift baseline's P and the Eurostat category, P(meet) first."""
    rows = table[(table["as_of"] == as_of) & table["call"].notna() & (table["call"] != table["outcome"])]
    rows = rows.sort_values(["p_meet", "target"], ascending=[False, True], kind="stable")
    return pd.DataFrame({
        "target": rows["target"], "name": [shorten(_name(registry, t, lang), 40) for t in rows["target"]],
        "P(meet)": [_pct(p) for p in rows["p_meet"]], "call": rows["call"], "outcome": rows["outcome"],
        "P drift": [_pct(p) for p in rows["p_drift"]], "Eurostat": rows["eurostat_category"],
    })
