"""How each vintage's outlook compared with what happened: was the flag right, and were the probabilities calibrated?

An outcome is known only where the target year's value (or the whole window, for cumulative targets) is published;
the engine then says `met` or `missed` when assessed as of the target year. Each earlier vintage's P(meet) is
scored against that outcome with the Brier score, and its call is checked: a flag (P ≤ 0.33) is right when the
target was missed, a "likely" call (P ≥ 0.66) is right when it was met, and "about as likely as not" makes no call.
Proxies are scored beside the targets, labelled as such, because with thin public data they hold most outcomes.

`baselines` and `baseline_scores` set the suite's P(meet) beside three references a reader would ask about, on the
same targets and vintages: a Gaussian random walk with drift fitted to the visible history (the benchmark's drift
baseline, benchmarks/accuracy.py), the Eurostat / Open SDG ratio category read as a call (crosschecks.py: "on track"
calls met, any other computed category calls missed), and the base rate (the share of outcomes met, a constant
probability; it is known only in hindsight, which favours it).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..registry import Kind, Registry, Target
from .assess import Vintage, assess_vintage, assess_vintages
from .status import CALLS_MET, FLAGGED, OBSERVED, Status, status_word

COLUMNS = ["target", "subject", "proxy", "as_of", "p_meet", "status", "outcome", "call", "right"]


def _verdicts(vintage: Vintage) -> pd.DataFrame:
    """Targets and proxies of one vintage, one row per subject (the target's own indicator or a proxy)."""
    own = vintage.table().assign(subject=lambda f: f["target"], proxy=False)
    proxies = vintage.proxy_table()
    proxies = proxies.assign(subject=proxies["proxy"], proxy=True)
    return pd.concat([own, proxies], ignore_index=True)[["target", "subject", "proxy", "p_meet", "status"]]


def vintage_years(registry: Registry, step: int = 5) -> list[int]:
    """The vintages a retrospective reports by default: the launch year, every `step` years after it, and the last
    year before the last target year (the latest outlook that is still a call): 2000, 2005, 2010, 2014 for a 2000
    launch and 2015 targets; 2018, 2021 for a 2018 launch and 2022 targets."""
    last = registry.target_year - 1
    return sorted({*range(registry.launch_year, last, step), last}) if registry.launch_year <= last else []


def call_years(registry: Registry, as_of: int) -> range:
    """Every vintage from the launch year to `as_of` that is still a call: years before the last target year (from
    then on the outcome is observed, not forecast). What a notebook's vintage table and retrospective run over."""
    return range(registry.launch_year, min(as_of, registry.target_year - 1) + 1)


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
                  seed: int = 0, vintages: Iterable[Vintage] = ()) -> pd.DataFrame:
    """Each vintage's P(meet), status and call for every subject with a known outcome, and whether the call was right.

    `as_of_years` defaults to the registry's launch year up to the year before its last target year: every outlook
    made before the outcome could be seen (as of the target year itself the verdict is met or missed, not a call).
    `vintages` already assessed (same data and seed) are reused instead of assessing them again."""
    if as_of_years is None:
        as_of_years = range(registry.launch_year, registry.target_year)
    known = outcomes(registry, data, seed)
    rows = []
    for vintage in assess_vintages(registry, data, as_of_years, seed, known=vintages):
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
        p, hit = scored_pairs(group)
        brier = _brier(p, hit)
        calls = group[group["call"].notna()]
        rows.append({"as_of": int(year), "outcomes": len(group), "with_p": len(p), "brier": round(brier, 3),
                     "calls": len(calls), "right": int(calls["right"].sum())})
    return pd.DataFrame(rows, columns=["as_of", "outcomes", "with_p", "brier", "calls", "right"])


# --- baselines ----------------------------------------------------------------------------------------------------

BASELINE_COLUMNS = ["target", "section", "as_of", "outcome", "p_meet", "call", "p_drift", "drift_call", "eurostat_category",
                    "ratio_call", "p_base"]
RATIO_MET = ("on track", "target achieved")  # the Eurostat / Open SDG categories that call the target met
RATIO_MISSED = ("acceleration needed", "limited progress", "deterioration", "target not achieved")


def drift_probability(target: Target, history: pd.Series) -> float:
    """P(meet) of a level target from a Gaussian random walk with drift fitted to the visible history.

    The drift baseline of benchmarks/accuracy.py: slope = (y_n - y_1) / (n - 1), sigma from the one-step changes
    about the slope (n - 2 degrees of freedom), the value h years after the latest one ~ N(y_n + h slope,
    sigma^2 h (1 + h / (n - 1))), the last factor being the slope's own uncertainty. On the published scale, with no
    guards: that is what makes it a baseline. NaN for other kinds of target, for fewer than three values (no change
    left to estimate sigma from) and when the latest value is not before the target year."""
    y = history.to_numpy(dtype=float)
    if target.kind != Kind.LEVEL or len(y) < 3:
        return float("nan")
    h = target.target_year - int(history.index[-1])
    if h < 1:
        return float("nan")
    n = len(y)
    slope = (y[-1] - y[0]) / (n - 1)
    sigma = float(np.sqrt(np.sum((np.diff(y) - slope) ** 2) / (n - 2)))
    mean, sd = y[-1] + slope * h, sigma * np.sqrt(h * (1 + h / (n - 1)))
    if sd == 0:
        return float(target.meets(mean))
    below = float(norm.cdf((target.value - mean) / sd))
    return below if target.op == "<=" else 1 - below


def ratio_call(category: str) -> str | None:
    """The call the Eurostat / Open SDG ratio category makes: "on track" (or "target achieved") calls met, a computed
    category short of on track calls missed, and "not computable" or "insufficient data" make no call."""
    return Status.MET.value if category in RATIO_MET else Status.MISSED.value if category in RATIO_MISSED else None


def baselines(registry: Registry, data: pd.DataFrame, as_of_years: Iterable[int] | None = None, seed: int = 0,
              vintages: Iterable[Vintage] = ()) -> pd.DataFrame:
    """One row per target with a known outcome and vintage (the targets' own measures; proxies are left out): its
    section (the first word, as in Registry.table), the suite's P(meet) and call, the drift baseline's P and call (the same thresholds), the Eurostat / Open SDG category
    and its call, and the base rate: the share of those targets met, the same probability for every row.

    `as_of_years` defaults as in `retrospective`; `vintages` already assessed are reused."""
    if as_of_years is None:
        as_of_years = range(registry.launch_year, registry.target_year)
    known = outcomes(registry, data, seed)
    known = known[~known["proxy"]].set_index("target")["outcome"]
    rows = []
    for vintage in assess_vintages(registry, data, as_of_years, seed, known=vintages):
        for o in vintage.outlooks:
            if o.target.id not in known.index:
                continue
            p_drift = drift_probability(o.target, o.history)
            category = str(o.row["eurostat_category"])
            rows.append({"target": o.target.id, "section": o.target.section.split()[0], "as_of": vintage.as_of, "outcome": known[o.target.id],
                         "p_meet": float(o.row["p_meet"]), "call": _call(float(o.row["p_meet"])),
                         "p_drift": p_drift, "drift_call": _call(p_drift), "eurostat_category": category,
                         "ratio_call": ratio_call(category)})
    table = pd.DataFrame(rows, columns=BASELINE_COLUMNS[:-1])
    table["p_base"] = float((known == Status.MET.value).mean()) if len(known) else float("nan")
    return table[BASELINE_COLUMNS].sort_values(["as_of", "target"], kind="stable").reset_index(drop=True)


def scored_pairs(table: pd.DataFrame, as_of: int | None = None) -> tuple[pd.Series, pd.Series]:
    """(P(meet), 1.0 where the target was met else 0.0) for the rows of a retrospective or baselines table that
    have a probability (of vintage `as_of` only, when given): what a Brier score and a reliability chart take."""
    rows = table if as_of is None else table[table["as_of"] == as_of]
    rows = rows[np.isfinite(rows["p_meet"].astype(float))]
    return rows["p_meet"].astype(float), (rows["outcome"] == Status.MET.value).astype(float)


def _brier(p: pd.Series, hit: pd.Series) -> float:
    p = p.astype(float)
    ok = np.isfinite(p)
    return float(((p[ok] - hit[ok]) ** 2).mean()) if ok.any() else float("nan")


def baseline_scores(table: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Per vintage (and per value of the column `by`, e.g. "section", when given): targets scored, the Brier score of the suite's P(meet), of the drift baseline's P, of the ratio
    call read as a probability of 1 (met) or 0 (missed), and of the base rate; and for the suite, the drift baseline
    and the ratio: calls made and calls right. Unrounded: round for display. A Brier score counts only the rows
    with that probability (every row, for a registry whose targets all have enough history)."""
    rows = []
    keys = ["as_of"] if by is None else ["as_of", by]
    for key, g in table.groupby(keys, sort=True):
        hit = (g["outcome"] == Status.MET.value).astype(float)
        ratio_p = g["ratio_call"].map({Status.MET.value: 1.0, Status.MISSED.value: 0.0})
        row = {**dict(zip(keys, key)), "targets": len(g), "met": int(hit.sum()), "brier_suite": _brier(g["p_meet"], hit),
               "brier_drift": _brier(g["p_drift"], hit), "brier_ratio": _brier(ratio_p, hit),
               "brier_base": _brier(g["p_base"], hit)}
        for name, column in (("suite", "call"), ("drift", "drift_call"), ("ratio", "ratio_call")):
            made = g[g[column].notna()]
            row[f"calls_{name}"], row[f"right_{name}"] = len(made), int((made[column] == made["outcome"]).sum())
        row["as_of"] = int(row["as_of"])
        rows.append(row)
    columns = [*keys, "targets", "met", "brier_suite", "brier_drift", "brier_ratio", "brier_base", "calls_suite",
               "right_suite", "calls_drift", "right_drift", "calls_ratio", "right_ratio"]
    return pd.DataFrame(rows, columns=columns)
