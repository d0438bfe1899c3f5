"""The charts over all targets: the scorecard, the coverage matrix, the vintage heat map and the reliability chart.

Each is drawn in the house style (`style`) with the words of `labels`; they show the assessment's numbers and derive
none: P(meet) and status words come from the assessment table, the bins of the reliability chart are the status words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ..assessment.status import EDGES, LIKELIHOOD, OBSERVED, Status, status_word
from ..lang import Lang, as_lang
from ..registry import Registry
from ..text import pct, shorten
from .labels import _LABEL, name, scorecard_title, status_label, t
from .style import ACCENT, INK, MUTED, STATUS_COLOURS, new_figure, styled, unit_title, year_axis


def _ipcc_bands(ax) -> None:
    """Shade the IPCC likelihood bands behind P(meet), so the position of a dot reads as a status word."""
    for (a, b), status in zip(zip(EDGES, EDGES[1:]), LIKELIHOOD):
        ax.axvspan(a, b, color=STATUS_COLOURS[status], alpha=0.10, lw=0)


@styled
def scorecard_chart(assessment: pd.DataFrame, registry: Registry, lang: Lang | str = Lang.ZH,
                    sources: Sequence[str] | None = None,
                    as_of: int | None = None) -> Figure:
    """One dot per target at its P(meet), coloured by status, grouped by policy section; no-data rows say so."""
    rows = assessment.set_index("target")
    order = [tg for tg in registry.targets if tg.id in rows.index]
    as_of = as_of if as_of is not None else int(rows["as_of"].iloc[0])
    labels, sections = [], []
    pos = 0.0
    for section in dict.fromkeys(tg.section for tg in order):
        sections.append((pos, section))
        pos += 1.0
        for tg in (tg for tg in order if tg.section == section):
            labels.append((pos, tg))
            pos += 1.0
    height = max(4.5, 1.6 + 0.26 * pos)
    title = f"{scorecard_title([tg.target_year for tg in order], lang)} ({t(lang, 'as_of')} {as_of})"
    counts = rows["status"].value_counts()
    sub = " · ".join(f"{status_label(s, lang)} {counts[s]}" for s in STATUS_COLOURS if s in counts)
    fig, ax = new_figure(title, sub, sources or [t(lang, "assessment")], lang, size=(9, height), left=0.38)
    _ipcc_bands(ax)
    for y_pos, tg in labels:
        row = rows.loc[tg.id]
        status, p = str(row["status"]), float(row["p_meet"])
        if status == Status.INSUFFICIENT or not np.isfinite(p):
            ax.plot([0, 1], [y_pos, y_pos], color="#d0d0d0", lw=0.8, ls=(0, (2, 3)), gid=f"norule:{tg.id}")
            ax.text(0.5, y_pos, status_label(Status.INSUFFICIENT, lang), ha="center", va="center", size=10,
                    color=MUTED, bbox={"fc": "white", "ec": "none", "pad": 1}, gid=f"nodata:{tg.id}")
            continue
        ax.plot([p], [y_pos], "o", ms=9, color=STATUS_COLOURS.get(status, MUTED), mec="white", mew=0.8,
                gid=f"dot:{tg.id}", zorder=3)
        ax.annotate(pct(p), (p, y_pos), xytext=(-9 if p > 0.9 else 9, 0), textcoords="offset points",
                    ha="right" if p > 0.9 else "left", va="center", size=9.5, color=MUTED)
    ax.set_yticks([p for p, _ in labels], [shorten(name(tg, lang), _LABEL[as_lang(lang)]) for _, tg in labels])
    for y_pos, section in sections:
        ax.text(-0.01, y_pos, section, transform=ax.get_yaxis_transform(), ha="right", va="center", size=10.5,
                color=INK, gid="section")
    ax.set_ylim(pos - 0.5, -0.7)
    ax.set_xlim(-0.02, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xticks([0, 0.10, 0.33, 0.66, 0.90, 1.0])
    ax.set_xlabel(t(lang, "p_axis"))
    ax.grid(False)
    ax.tick_params(axis="y", length=0)
    return fig


@styled
def coverage_chart(coverage: pd.DataFrame, lang: Lang | str = Lang.ZH, registry: Registry | None = None,
                   sources: Sequence[str] | None = None,
                   as_of: int | None = None, years: Iterable[int] | None = None) -> Figure:
    """A dot matrix, targets by year: where a published value of the target's own indicator exists.

    Thin data is the main limit of this study, so it gets its own chart. `coverage` is data/processed/
    coverage_targets.csv (target, years as "2013, 2018-2021") or a long frame (target, year). With `as_of`, a rule
    marks the vintage: values right of it exist now but were not used. The columns are `years` plus every year with
    a value; by default the registry's `data_years` (the years the template asks for), else only the years found.
    """
    have = coverage_years(coverage)
    if years is None:
        years = registry.data_years if registry is not None and registry.info is not None else ()
    ids = [tg.id for tg in registry.targets] if registry is not None else sorted(have)
    names = {tg.id: name(tg, lang) for tg in registry.targets} if registry is not None else {}
    shown = sorted(set(years) | {y for ys in have.values() for y in ys})
    height = max(4.5, 1.7 + 0.24 * len(ids))
    n_have = sum(bool(have.get(i)) for i in ids)
    sub = f"{n_have}/{len(ids)} " + t(lang, "with_value")
    fig, ax = new_figure(t(lang, "coverage"), sub, sources, lang, size=(9, height), left=0.36)
    for i, target in enumerate(ids):
        ax.plot(shown, [i] * len(shown), "o", ms=5, mfc="white", mec="#cfcfcf", lw=0, gid=f"empty:{target}")
        hit = sorted(have.get(target, ()))
        ax.plot(hit, [i] * len(hit), "o", ms=7, color=ACCENT, lw=0, gid=f"have:{target}")
    if as_of is not None:
        ax.axvline(as_of + 0.5, color="#9a9a9a", lw=1, gid="as_of")
        ax.text(as_of + 0.5, 1.0, f" {t(lang, 'as_of')} {as_of}", transform=ax.get_xaxis_transform(), ha="left",
                va="bottom", size=10, color=MUTED)
    ax.set_yticks(range(len(ids)), [shorten(names.get(i, i), _LABEL[as_lang(lang)]) for i in ids])
    ax.set_ylim(len(ids) - 0.5, -0.5)
    year_axis(ax, min(shown), max(shown))
    ax.set_xlabel(t(lang, "n_values"))
    ax.grid(False)
    ax.tick_params(axis="y", length=0)
    return fig


def coverage_years(coverage: pd.DataFrame) -> dict[str, set[int]]:
    """target -> years with a value, from a long (target, year) frame or coverage_targets.csv's "2013, 2018-2021"."""
    if "year" in coverage.columns:
        return {k: set(int(y) for y in g["year"]) for k, g in coverage.groupby("target")}
    out = {}
    for target, text in zip(coverage["target"], coverage["years"]):
        years: set[int] = set()
        for part in ([] if pd.isna(text) else str(text).split(",")):
            a, _, b = part.strip().partition("-")
            if a:
                years.update(range(int(a), int(b or a) + 1))
        out[target] = years
    return out


def _p_colormap() -> LinearSegmentedColormap:
    """Red (0) through a pale neutral (0.5) to blue (1), the status colours' ends: no muddy mid-tones."""
    colours = [STATUS_COLOURS[Status.VERY_UNLIKELY], STATUS_COLOURS[Status.UNLIKELY], "#f3eedf",
               STATUS_COLOURS[Status.LIKELY], STATUS_COLOURS[Status.VERY_LIKELY]]
    return LinearSegmentedColormap.from_list("pmeet", list(zip([0.0, 0.22, 0.5, 0.78, 1.0], colours)))


HEAT_LABELS, HEAT_CELL = 3.2, 0.62  # vintage heat map: inches for the target labels, and per as-of year


def vintage_frames(vintage: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(P(meet), status words or None), targets by as-of years, from assess.vintage_matrix's wide frame (words in
    `.attrs["status"]`) or a long (target, as_of, p_meet[, status]) frame: the heatmap and the Excel sheet read both."""
    if "as_of" not in vintage.columns:
        return vintage, vintage.attrs.get("status")
    status = vintage.pivot(index="target", columns="as_of", values="status") if "status" in vintage else None
    return vintage.pivot(index="target", columns="as_of", values="p_meet"), status


@styled
def vintage_heatmap(vintage: pd.DataFrame, registry: Registry, lang: Lang | str = Lang.ZH,
                    sources: Sequence[str] | None = None) -> Figure:
    """Targets by as-of year, P(meet) as colour and printed %: how the outlook moved as data arrived.

    `vintage` is assess.vintage_matrix's wide frame (status words in `.attrs["status"]`) or a long frame
    (target, as_of, p_meet[, status]). Met and missed cells say so instead of printing 100% / 0%.
    """
    wide, status = vintage_frames(vintage)
    order = [tg for tg in registry.targets if tg.id in wide.index]
    wide = wide.reindex([tg.id for tg in order]).sort_index(axis=1)
    status = status.reindex(index=wide.index, columns=wide.columns) if status is not None else None
    height = max(4.5, 1.7 + 0.26 * len(wide))
    # Every as-of year gets a cell wide enough for ">99%" (HEAT_CELL inches) beside a label column of fixed width:
    # up to 7 vintages the chart keeps its 8 inches; a policy with 15 (2000-2014) widens instead of overprinting.
    width = max(8.0, HEAT_LABELS + 0.25 + HEAT_CELL * wide.shape[1])
    fig, ax = new_figure(t(lang, "vintage"), t(lang, "as_of_years"), sources or [t(lang, "assessment")], lang,
                         size=(width, height), left=HEAT_LABELS / width)
    values = wide.to_numpy(dtype=float)
    ax.imshow(np.ma.masked_invalid(values), cmap=_p_colormap(), vmin=0, vmax=1, aspect="auto", gid="heat")
    for (i, j), p in np.ndenumerate(values):
        word = status.iat[i, j] if status is not None else None
        text = status_label(word, lang) if word in OBSERVED else pct(p) if np.isfinite(p) else "—"
        dark = np.isfinite(p) and (p < 0.12 or p > 0.85)
        ax.text(j, i, text, ha="center", va="center", size=10, color="white" if dark else INK, gid="cell")
    ax.set_xticks(range(wide.shape[1]), [str(c) for c in wide.columns])
    ax.set_yticks(range(len(order)), [shorten(name(tg, lang), _LABEL[as_lang(lang)]) for tg in order])
    ax.tick_params(length=0)
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.xaxis.tick_top()
    return fig


@styled
def reliability_chart(pred: Iterable[float], outcome: Iterable[float], lang: Lang | str = Lang.ZH,
                      sources: Sequence[str] | None = None) -> Figure:
    """Forecast probability against observed frequency in the IPCC bins, Brier score in the title.

    The bins are the status bands, so the chart answers the reader's question directly: of the targets called
    "unlikely", how many were met?
    """
    p = np.asarray(list(pred), dtype=float)
    o = np.asarray(list(outcome), dtype=float)
    if p.shape != o.shape or p.size == 0:
        raise ValueError(f"pred and outcome must be non-empty and of equal length, got {p.size} and {o.size}")
    brier = float(np.mean((p - o) ** 2))
    title = f"{t(lang, 'reliability')} · Brier = {brier:.3f} (n = {p.size})"
    fig, ax = new_figure(title, t(lang, "bins"), sources or [t(lang, "assessment")], lang, size=(6.5, 5.2),
                         left=0.12)
    which = np.array([LIKELIHOOD.index(status_word(x)) for x in p])  # the bins are the status words themselves
    xs, ys, ns = [], [], []
    for b in range(len(LIKELIHOOD)):
        inside = which == b
        if inside.any():
            xs.append(p[inside].mean())
            ys.append(o[inside].mean())
            ns.append(int(inside.sum()))
    ax.plot([0, 1], [0, 1], color="#9a9a9a", lw=1, ls="--", gid="diagonal")
    ax.plot(xs, ys, "-o", color=ACCENT, ms=7, gid="calibration")
    for x, y, n in zip(xs, ys, ns):
        ax.annotate(f"n={n}", (x, y), xytext=(0, 9), textcoords="offset points", ha="center", size=9.5, color=MUTED)
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(t(lang, "pred"))
    unit_title(ax, t(lang, "freq"))
    return fig
