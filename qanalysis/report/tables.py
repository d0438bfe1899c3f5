"""Tables for reading on screen: rounded, labelled, sorted text that prints the same on every machine.

The notebooks print these (not raw frames): nbval compares the text, and digits beyond the second or third differ
between CPUs and BLAS builds (docs/architecture.md, "Notebooks that reproduce"), so probabilities are whole percents and values keep 3 significant
figures. Printing with `show` also avoids pandas' HTML repr, which changes between pandas versions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..assessment.status import Status
from ..lang import Lang, as_lang
from ..registry import Registry
from ..text import shorten
from .labels import unit_label

WIDTH = 60  # display width of a long text cell (reasons, clauses) in a printed table


def show(frame: pd.DataFrame) -> None:
    """Print a table as plain text, without its index."""
    with pd.option_context("display.width", 250, "display.max_colwidth", WIDTH + 5, "display.max_rows", 500):
        print(frame.to_string(index=False))


def _pct(p) -> str:
    return f"{float(p):.0%}" if p is not None and np.isfinite(float(p)) else "—"


def _num(x) -> str:
    return f"{float(x):.3g}" if x is not None and np.isfinite(float(x)) else "—"


def _name(registry: Registry, target_id: str, lang: Lang | str) -> str:
    target = registry.target(target_id)
    return target.name_zh if as_lang(lang) == Lang.ZH else target.name_en


def scorecard(table: pd.DataFrame, registry: Registry, lang: Lang | str = Lang.ZH) -> pd.DataFrame:
    """One line per target: goal, status, P(meet), latest value, projection with its 80 % interval."""
    english = as_lang(lang) == Lang.EN  # the registry's units are Chinese; an English table shows English units
    goals = {t.id: t.goal_text(unit=unit_label(t.unit, lang)) if english else t.goal for t in registry.targets}
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
    column = "reason_zh" if as_lang(lang) == Lang.ZH and "reason_zh" in table else "reason"
    return pd.DataFrame({"target": table["target"], "status": table["status"], "reason": table[column]})


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
