"""The assessment: P(meet), status and reasons for every target, seeing only the years up to `as_of`.

Three steps, each in its own module: the visible data (here: the one place where years after `as_of` are dropped),
the judgement of each kind of target on it (`kinds`: P(meet) from the forecast's seeded sample paths, or a verdict
on observations), and the official cross-checks beside it (`crosschecks`: the Eurostat / Open SDG ratio and the UNSD
share from the registry's base year, so that where they disagree with P(meet) the row shows both, and its reason
says why). This module puts them together into rows (the contract columns, then the Chinese reason, the cross-checks
and the proxies' verdicts), outlooks for the charts and the vintage matrix. Reasons are worded in English (`reason`)
and Chinese (`reason_zh`) by `wording`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..forecast.engine import Forecast
from ..forecast.intervals import path_quantiles
from ..ingest.cells import FOUR_DIGIT_YEARS
from ..lang import Lang
from ..registry import MAX_YEAR, MIN_YEAR, Indicator, Kind, Registry, Target
from . import crosschecks
from .kinds import Case, Verdict, judge, measure
from .status import Status, status_word
from .wording import Why, proxy_prefix, proxy_summary, says

CONTRACT = ["target", "as_of", "latest_year", "latest_value", "projected", "lo80", "hi80", "p_meet", "status",
            "method", "reason"]
EXTRAS = ["reason_zh", "indicator", "kind", "n_obs", *crosschecks.COLUMNS, "proxies", "notes"]
_NAN = float("nan")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outlook:
    """One target's outlook: the row, and what a chart of it needs.

    `forecast` has its centre and bands read off the same sample paths as the row's projected, lo80, hi80 and P(meet)
    (see `_banded`), so a chart of a level target shows the row's numbers at the target year. `required_path` is the
    straight path from the latest value (or running sum) to the target, for level and cumulative targets.
    """

    target: Target
    indicator: Indicator
    as_of: int
    history: pd.Series
    forecast: Forecast | None
    measure: str
    required_path: pd.Series | None
    row: dict


def contract_columns() -> list[str]:
    return list(CONTRACT)


# --- the visible data --------------------------------------------------------------------------------------------

def _visible(data: pd.DataFrame, as_of: int) -> dict[str, pd.Series]:
    """The one place where years after `as_of` are dropped. The rows kept are checked (numbers, one value an
    indicator-year) and split into one series per indicator with a sorted int year index."""
    if not MIN_YEAR <= int(as_of) <= MAX_YEAR:  # a typo (20211), or a vintage range no machine could run through
        raise InputError(f"as of {as_of}: expected a year between {MIN_YEAR} and {MAX_YEAR}")
    missing = {"indicator", "year", "value"} - set(data.columns)
    if missing:
        raise InputError(f"indicator data: missing columns {sorted(missing)}; expected "
                         "indicator,year,value,unit,source")
    years = pd.to_numeric(data["year"], errors="coerce")
    bad = years.isna() | (years != years.round()) | ~years.between(FOUR_DIGIT_YEARS[0], FOUR_DIGIT_YEARS[-1])
    if bad.any():
        first = data[bad].iloc[0]
        raise InputError(f"indicator data, {first['indicator']}: expected a whole year, found {first['year']!r}")
    keep = (years <= int(as_of)).to_numpy()
    frame = pd.DataFrame({"indicator": data["indicator"].to_numpy()[keep].astype(str),
                          "year": years.to_numpy()[keep].astype(int),
                          "value": pd.to_numeric(data["value"], errors="coerce").to_numpy()[keep]})
    for problem, mask in (("expected a number", frame["value"].isna()),
                          ("given twice; expected one value a year", frame.duplicated(["indicator", "year"]))):
        if mask.any():
            first = frame[mask].iloc[0]
            raise InputError(f"indicator data, {first['indicator']} {first['year']}: {problem}")
    frame = frame.sort_values(["indicator", "year"], kind="stable")
    return {ind: pd.Series(g["value"].to_numpy(float), index=pd.Index(g["year"].to_numpy(), dtype="int64",
                                                                       name="year"), name=ind)
            for ind, g in frame.groupby("indicator", sort=True)}


def _history(visible: dict[str, pd.Series], indicator: str, as_of: int, extra: dict | None) -> pd.Series:
    values = dict(visible[indicator].items()) if indicator in visible else {}
    values.update({int(y): float(v) for y, v in (extra or {}).items() if int(y) <= as_of})
    years = sorted(values)
    return pd.Series([values[y] for y in years], index=pd.Index(years, dtype="int64", name="year"), name=indicator,
                     dtype=float)


def required_growth(outlook) -> pd.Series | None:
    """The growth rate each remaining window year needs, for an average-growth target on a growth-rate series.

    ((1 + v)^N / prod(1 + g_seen))^(1/rest) - 1, the same for every remaining year: after a slump year it shows at a
    glance how much faster the rest of the window must grow. None for other targets, before the window starts (it
    would be the target itself), when nothing remains, or when a window year is missing. Takes an Outlook, or
    anything with its `target`, `indicator` and visible `history` (a chart draws it; nothing here re-derives it).
    """
    target, hist = outlook.target, outlook.history
    if target.kind != Kind.AVG_GROWTH or outlook.indicator.scale != "growth" or target.window is None:
        return None
    window = target.window
    seen = hist[hist.index.isin(window)]
    rest = [y for y in window if y > (int(hist.index.max()) if len(hist) else 0)]
    if seen.empty or not rest or len(seen) + len(rest) != len(window):
        return None
    needed = (1 + target.value / 100) ** len(window) / np.prod(1 + seen.to_numpy(dtype=float) / 100)
    return pd.Series(100 * (needed ** (1 / len(rest)) - 1), index=pd.Index(rest, name="year"))


# --- entry points ------------------------------------------------------------------------------------------------

def _round(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}") if np.isfinite(x) else _NAN


def _banded(fc: Forecast | None) -> Forecast | None:
    """The forecast with its centre (median) and 80/95% bands read off its sample paths, the very draws the row's
    projected, lo80, hi80 and P(meet) come from: one source, so the chart and the row agree. the engine's exact t
    quantiles differ from these by Monte Carlo error only."""
    if fc is None:
        return None
    q = path_quantiles(fc.paths)
    return dataclasses.replace(fc, mean=q["mean"], lo80=q["lo80"], hi80=q["hi80"], lo95=q["lo95"], hi95=q["hi95"])


def _row(c: Case, verdict: Verdict, checks: dict, proxy: bool, base_year: int | None) -> dict:
    """The assessment row: the contract columns, the Chinese reason, the cross-checks (proxies added by the caller).
    Where a cross-check's category contradicts the status, the reason gains a sentence saying why (`_disagreement`)."""
    p = round(verdict.p, 3) if np.isfinite(verdict.p) else _NAN
    status = verdict.status or status_word(p)
    prefix = {lang: proxy_prefix(c.ind.name_en, c.ind.name_zh, lang) if proxy else "" for lang in Lang}
    whys = [verdict.why, _disagreement(c, checks, status, verdict.projected, base_year)]
    row = {"target": c.tg.id, "as_of": c.as_of, "latest_year": int(c.hist.index[-1]) if len(c.hist) else None,
           "latest_value": float(c.hist.iloc[-1]) if len(c.hist) else _NAN, "projected": _round(verdict.projected),
           "lo80": _round(verdict.lo80), "hi80": _round(verdict.hi80), "p_meet": p,
           "status": status.value, "method": (f"proxy {c.ind.id}: " if proxy else "") + verdict.method,
           "reason": prefix[Lang.EN] + says(whys, Lang.EN), "reason_zh": prefix[Lang.ZH] + says(whys, Lang.ZH),
           "indicator": c.ind.id, "kind": c.tg.kind.value, "n_obs": len(c.hist),
           "notes": verdict.forecast.notes_text() if verdict.forecast is not None else ""}
    return row | {k: round(v, 3) if isinstance(v, float) and np.isfinite(v) else v
                  for k, v in (crosschecks.NO_CHECK | checks).items()}


def _disagreement(c: Case, checks: dict, status: Status, projected: float, base_year: int | None) -> Why | None:
    """The sentence's facts where a cross-check and the status disagree (crosschecks.disagreement), else None."""
    facts = crosschecks.disagreement(c.tg, c.ind, c.hist, base_year, checks, status, projected) if checks else None
    return c.why("crosscheck", **facts) if facts else None


def _outlook(registry: Registry, visible: dict[str, pd.Series], tg: Target, as_of: int, seed: int,
             model: str | None = None, indicator: str | None = None, extra_values: dict | None = None,
             proxies: Iterable[Outlook] = ()) -> Outlook:
    """One target judged on its own indicator, or (`indicator`) on a proxy; `proxies` are the target's proxy
    outlooks, already made, whose verdicts go into the row's `proxies` column."""
    ind_id = indicator or tg.indicator
    if ind_id not in registry.indicators:
        raise InputError(f"no indicator {ind_id!r} in the registry")
    ind, proxy = registry.indicators[ind_id], ind_id != tg.indicator
    c = Case(tg, ind, _history(visible, ind_id, as_of, extra_values), int(as_of), seed, model,
             registry.units.parse(ind.unit).label(english=True))
    base_year = registry.base_year if registry.info is not None else None  # none declared: see crosschecks.official
    if proxy and ind.unit != tg.unit:
        verdict, checks = Verdict(c.why("units_differ", proxy_unit=ind.unit, target_unit=tg.unit)), {}
    else:
        verdict, checks = judge(c), crosschecks.official(tg, ind, c.hist, c.as_of, base_year=base_year)
    row = _row(c, verdict, checks, proxy, base_year) | {"proxies": "; ".join(proxy_summary(p.row) for p in proxies)}
    log.debug("%s as of %s%s: %s (%s)", tg.id, as_of, f" on proxy {ind_id}" if proxy else "", row["status"],
              row["method"])
    return Outlook(tg, ind, int(as_of), c.hist, _banded(verdict.forecast), measure(tg), verdict.required_path, row)


def _table(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=columns)
    table["latest_year"] = table["latest_year"].astype("Int64")  # stays a whole number in csv, blank when none
    return table


@dataclass(frozen=True)
class Vintage:
    """Every target and every (target, proxy) pair assessed as of one year, each exactly once: the briefing, the
    vintage matrix and the retrospective all read from it instead of assessing again."""

    as_of: int
    outlooks: tuple[Outlook, ...]
    proxies: tuple[Outlook, ...]

    def table(self) -> pd.DataFrame:
        """One row per target in registry order: the contract columns, then the extras (EXTRAS)."""
        return table(self.outlooks)

    def proxy_table(self) -> pd.DataFrame:
        """One row per (target, proxy), labelled as proxies: shown beside a target, never in its place."""
        return _table([o.row | {"proxy": o.indicator.id} for o in self.proxies], CONTRACT + EXTRAS + ["proxy"])


def assess_vintage(registry: Registry, data: pd.DataFrame, as_of: int, seed: int = 0) -> Vintage:
    """Every target and proxy as of `as_of`, seeing only values for years <= as_of."""
    visible = _visible(data, as_of)
    targets, proxies = [], []
    for tg in registry.targets:
        mine = [_outlook(registry, visible, tg, as_of, seed, indicator=p) for p in tg.proxies]
        targets.append(_outlook(registry, visible, tg, as_of, seed, proxies=mine))
        proxies += mine
    return Vintage(int(as_of), tuple(targets), tuple(proxies))


def assess_vintages(registry: Registry, data: pd.DataFrame, as_of_years: Iterable[int], seed: int = 0,
                    known: Iterable[Vintage] = ()) -> list[Vintage]:
    """One Vintage per as-of year, reusing any of `known` (same data and seed) instead of assessing it again."""
    have = {v.as_of: v for v in known}
    return [have.get(int(y)) or assess_vintage(registry, data, int(y), seed) for y in as_of_years]


def outlook_for(registry: Registry, data: pd.DataFrame, target_id: str, as_of: int, seed: int = 0,
                model: str | None = None, indicator: str | None = None,
                extra_values: dict | None = None) -> Outlook:
    """One target's outlook. `indicator` assesses a proxy instead (labelled as such); `extra_values` {year: value}
    adds an analyst's what-if values to the visible data (years after `as_of` are ignored like any other)."""
    try:
        tg = registry.target(target_id)
    except KeyError:
        raise InputError(f"no target {target_id!r} in the registry") from None
    visible = _visible(data, as_of)
    proxies = [] if indicator else [_outlook(registry, visible, tg, as_of, seed, indicator=p) for p in tg.proxies]
    return _outlook(registry, visible, tg, as_of, seed, model, indicator, extra_values, proxies)


def outlooks(registry: Registry, data: pd.DataFrame, as_of: int, seed: int = 0) -> list[Outlook]:
    """Every target's outlook, in registry order."""
    return list(assess_vintage(registry, data, as_of, seed).outlooks)


def assess(registry: Registry, data: pd.DataFrame, as_of: int, seed: int = 0) -> pd.DataFrame:
    """One row per target in registry order: the contract columns, then the Chinese reason, the cross-checks, the
    proxies and the engine's notes."""
    return assess_vintage(registry, data, as_of, seed).table()


def table(outlooks_: Iterable[Outlook]) -> pd.DataFrame:
    """The assessment table of outlooks already made (so a chart and its table come from one computation)."""
    return _table([o.row for o in outlooks_], CONTRACT + EXTRAS)


def assess_proxies(registry: Registry, data: pd.DataFrame, as_of: int, seed: int = 0) -> pd.DataFrame:
    """One row per (target, proxy indicator), labelled as proxies: shown beside a target, never in its place."""
    return assess_vintage(registry, data, as_of, seed).proxy_table()


def vintage_matrix(vintages: Iterable[Vintage]) -> pd.DataFrame:
    """P(meet) with targets as rows and as-of years as columns (NaN where there is none); the matching status words
    are in `.attrs["status"]`, a frame of the same shape."""
    p, words = {}, {}
    for vintage in vintages:
        table = vintage.table().set_index("target")
        p[vintage.as_of], words[vintage.as_of] = table["p_meet"], table["status"]
    matrix = pd.DataFrame(p, dtype=float).rename_axis(index="target", columns="as_of")
    matrix.attrs["status"] = pd.DataFrame(words).rename_axis(index="target", columns="as_of")
    return matrix
