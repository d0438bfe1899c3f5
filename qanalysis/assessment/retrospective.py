"""How each vintage's outlook compared with what happened: was the flag right, and were the probabilities calibrated?

An outcome is known only where the target year's value (or the whole window, for cumulative targets) is published;
the engine then says `met` or `missed` when assessed as of the target year. Each earlier vintage's P(meet) is
scored against that outcome with the Brier score, and its call is checked: a flag (P ≤ 0.33) is right when the
target was missed, a "likely" call (P ≥ 0.66) is right when it was met, and "about as likely as not" makes no call.
Proxies are scored beside the targets, labelled as such, because with thin public data they hold most outcomes.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..registry import Registry
from .assess import Vintage, assess_vintage, assess_vintages
from .status import CALLS_MET, FLAGGED, OBSERVED, Status, status_word

COLUMNS = ["target", "subject", "proxy", "as_of", "p_meet", "status", "outcome", "call", "right"]


def _verdicts(vintage: Vintage) -> pd.DataFrame:
    """Targets and proxies of one vintage, one row per subject (the target's own indicator or a proxy)."""
    own = vintage.table().assign(subject=lambda f: f["target"], proxy=False)
    proxies = vintage.proxy_table()
    proxies = proxies.assign(subject=proxies["proxy"], proxy=True)
    return pd.concat([own, proxies], ignore_index=True)[["target", "subject", "proxy", "p_meet", "status"]]


def outcomes(registry: Registry, data: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """`met` / `missed` per subject where the target year is published; subjects without an outcome are left out."""
    final_year = max(t.target_year for t in registry.targets)
    table = _verdicts(assess_vintage(registry, data, final_year, seed))
    known = table[table["status"].isin(OBSERVED)]
    return known[["target", "subject", "proxy", "status"]].rename(columns={"status": "outcome"}).reset_index(drop=True)


def _call(p: float) -> str | None:
    """The call the status word makes: a flag calls "missed", likely or very likely call "met"."""
    word = status_word(p)
    return Status.MISSED.value if word in FLAGGED else Status.MET.value if word in CALLS_MET else None


def retrospective(registry: Registry, data: pd.DataFrame, as_of_years: Iterable[int] | None = None,
                  seed: int = 0) -> pd.DataFrame:
    """Each vintage's P(meet), status and call for every subject with a known outcome, and whether the call was right.

    `as_of_years` defaults to the registry's launch year up to the year before its last target year: every outlook
    made before the outcome could be seen (as of the target year itself the verdict is met or missed, not a call)."""
    if as_of_years is None:
        as_of_years = range(registry.launch_year, registry.target_year)
    known = outcomes(registry, data, seed)
    rows = []
    for vintage in assess_vintages(registry, data, as_of_years, seed):
        rows.append(_verdicts(vintage).merge(known, on=["target", "subject", "proxy"]).assign(as_of=vintage.as_of))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=COLUMNS)
    calls = [_call(p) for p in table["p_meet"]]
    table["call"] = pd.Series(calls, index=table.index, dtype="object")
    table["right"] = pd.array([pd.NA if c is None else c == o for c, o in zip(calls, table["outcome"])], dtype="boolean")
    return table[COLUMNS].sort_values(["as_of", "proxy", "target", "subject"], kind="stable").reset_index(drop=True)


def scores(retro: pd.DataFrame) -> pd.DataFrame:
    """Per vintage: outcomes known, probabilities given, Brier score of those, calls made and calls right."""
    rows = []
    for year, group in retro.groupby("as_of", sort=True):
        scored = group[np.isfinite(group["p_meet"].astype(float))]
        hit = (scored["outcome"] == Status.MET).astype(float)
        brier = float(((scored["p_meet"].astype(float) - hit) ** 2).mean()) if len(scored) else float("nan")
        calls = group[group["call"].notna()]
        rows.append({"as_of": int(year), "outcomes": len(group), "with_p": len(scored), "brier": round(brier, 3),
                     "calls": len(calls), "right": int(calls["right"].sum())})
    return pd.DataFrame(rows, columns=["as_of", "outcomes", "with_p", "brier", "calls", "right"])
