"""The charts over all targets: the scorecard, the coverage matrix, the vintage heat map and the reliability chart.

Each is drawn in the house style (`style`) with the words of `labels`; they show the assessment's numbers and derive
none: P(meet) and status words come from the assessment table, the bins of the reliability chart are the status words.

The scorecard, coverage and vintage charts come in two shapes: portrait (9 inches wide, as tall as their rows need)
and `slide=True`, a 16:9 slide (`style.SLIDE`), where the rows go into two columns when one would squeeze them. Both
draw one row per target, grouped under their policy sections, with names wrapped, never cut mid-word (`target_rows`). A
registry of more than ROW_LIMIT targets gets one row per section instead (counts, means), in both shapes: the
per-target detail is in the workbook.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import transforms
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..assessment.status import EDGES, LIKELIHOOD, OBSERVED, Status, status_word
from ..lang import Lang
from ..registry import Registry, Target
from ..text import pct, wrap
from .labels import name, scorecard_title, section, status_label, t
from .style import (
    ACCENT,
    INK,
    LEGEND_FRAME,
    MUTED,
    SLIDE,
    STATUS_COLOURS,
    as_of_label,
    frame_inches,
    frame_texts,
    framed,
    new_figure,
    on_dark,
    styled,
    text_inches,
    unit_title,
    units_per_inch,
    year_axis,
)

ROW_LIMIT = 40
"""The most targets drawn one row each. On a 16:9 slide the reference registry's 31 targets fit two columns at the
full label size (10.5 pt); 40 targets whose names all need two lines still fit, at 7 pt, the smallest a projected
slide can carry; a portrait page of 40 such rows is already about 17 inches tall. Past the limit a row per target is
unreadable (the 190 targets of the MDG example made charts 7,000 px tall), so the overview charts draw one row per
policy section instead, and the workbook holds the per-target detail."""

UNIT_IN = 0.27  # one row unit in inches: a one-line row at LABEL_FONT on a portrait chart (the rows' natural size)
UNIT_MAX, SECTION_UNIT_MAX = 0.45, 0.45  # the most a row unit is stretched to fill a slide: target rows, section rows
LINE_ROWS = {1: 1.0, 2: 1.6}  # a row's height in row units, by the lines of its label
HEADING_ROWS = 1.15  # a section heading's row: a little more room above the targets it heads
SECTION_ROWS = 2.4  # a section's row in the aggregate charts, with room for its bar or cells
LABEL_FONT, MIN_PORTRAIT = 10.5, 4.5  # points; inches: the shortest portrait chart
PORTRAIT_LABELS, SLIDE_LABELS = 4.4, 3.6  # inches from a column's left edge to its plot: the row labels
MARGIN_R, GAP = 0.3, 0.5  # inches right of the last plot, and between two columns
PORTRAIT_WIDTH = 9.0
HEADING_IN = 6.0  # inches a section heading may take: a slide's column, label and plot
HEAT_CELL, HEAT_CELL_MAX = 0.5, 1.1  # vintage heat map, inches per as-of year: at least room for ">99%" (0.3 in at
# 10 pt) either side, at most a square's width (one vintage must not stretch across a slide)
COLOURBAR_IN = 0.9  # inches right of the heat map for its colour bar and tick labels


# --- rows and columns ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One row of a row chart: a target's (or, in the aggregates, a section's) label, or a section heading
    (`heading`); `top` and `height` in row units from the top of its column."""

    top: float
    height: float
    text: str
    target: Target | None = None
    heading: bool = False
    key: str = ""

    @property
    def y(self) -> float:
        return self.top + self.height / 2


def labels_inches(slide: bool) -> float:
    """The label column: on a slide, room for a 40-unit Chinese name on one line in each of two columns; on a
    portrait page, more, so fewer English names need a second line."""
    return SLIDE_LABELS if slide else PORTRAIT_LABELS


def _label(text: str, labels_in: float) -> str:
    """A row label wrapped to the label column (two lines, cut at a word only beyond them)."""
    return wrap(text, (labels_in - 0.2) * units_per_inch(LABEL_FONT))


def _stack(rows: Iterable[Row]) -> tuple[Row, ...]:
    """The rows one under another from the top, in the order given."""
    out, top = [], 0.0
    for row in rows:
        out.append(replace(row, top=top))
        top += row.height
    return tuple(out)


def target_rows(targets: Sequence[Target], lang: Lang | str, labels_in: float,
                heading_room: float = HEADING_IN) -> tuple[Row, ...]:
    """Section headings and target rows in registry order; a target's row is as tall as its wrapped name."""
    rows = []
    for heading in dict.fromkeys(section(tg, lang) for tg in targets):
        text = wrap(heading, heading_room * units_per_inch(LABEL_FONT))
        rows.append(Row(0, HEADING_ROWS + (LINE_ROWS[2] - 1) * text.count("\n"), text, heading=True))
        for tg in (tg for tg in targets if section(tg, lang) == heading):
            label = _label(name(tg, lang), labels_in)
            rows.append(Row(0, LINE_ROWS[label.count("\n") + 1], label, tg, key=tg.id))
    return _stack(rows)


def _split(rows: tuple[Row, ...], lang: Lang | str) -> tuple[tuple[Row, ...], ...]:
    """Two columns of about equal depth, split between rows; a section split across them has its heading repeated,
    marked "(续)" / "(cont.)", at the top of the second."""
    depth = rows[-1].top + rows[-1].height
    cut = min(range(1, len(rows)), key=lambda i: abs(rows[i].top - depth / 2) + (1e3 if rows[i - 1].heading else 0))
    second = list(rows[cut:])
    heading = next((r for r in reversed(rows[:cut]) if r.heading), None)  # none: rows without sections
    if not second[0].heading and heading is not None:
        second.insert(0, replace(heading, text=f"{heading.text.split(chr(10))[0]} {t(lang, 'cont')}",
                                 height=HEADING_ROWS))
    return _stack(rows[:cut]), _stack(second)


@dataclass(frozen=True)
class Grid:
    """A row chart's figure: one axes per column of rows, all at one scale (`depth` row units tall, `top_pad` of them
    above the first row, for a legend), with the label font that fits the rows."""

    fig: Figure
    axes: tuple[Axes, ...]
    columns: tuple[tuple[Row, ...], ...]
    depth: float
    top_pad: float
    font: float
    unit_in: float
    labels_in: float


def plot_inches(slide: bool, columns: int = 1, width: float = PORTRAIT_WIDTH, right_in: float = 0.0) -> float:
    """The width of each column's plot: what the figure leaves after the label columns, the gaps and the margins."""
    w = SLIDE[0] if slide else width
    return (w - right_in - MARGIN_R - (columns - 1) * GAP) / columns - labels_inches(slide)


def row_grid(title: str, subtitle: str, sources: Sequence[str] | None, lang: Lang | str, rows: tuple[Row, ...],
             slide: bool, width: float = PORTRAIT_WIDTH, plot_min: float = 2.6, right_in: float = 0.0,
             xlabel: bool = False, top_in: float = 0.0, split: bool = True, unit_max: float = UNIT_MAX,
             plot_max: float | None = None) -> Grid:
    """The figure for `rows`: portrait (`width` wide, as tall as the rows need at UNIT_IN a row unit) or a 16:9
    slide, where rows that would be squeezed below UNIT_IN go into two columns when two plots of `plot_min` inches
    fit; the rows then share the slide's height, and the label font shrinks only if they must (ROW_LIMIT).
    `right_in`: inches kept right of the plots (the heat map's colour bar); `top_in`: above the first row (a
    legend). A few rows on a slide are not stretched past `unit_max` inches a unit, nor a plot of few columns past
    `plot_max` inches: the axes then keep to the top left of the room, rather than drawing slabs."""
    labels_in, w = labels_inches(slide), SLIDE[0] if slide else width
    sub, note = frame_texts(subtitle, sources, lang, w)
    above, below = frame_inches(sub, note, xlabel)
    above += top_in
    depth = rows[-1].top + rows[-1].height
    if slide:
        h = SLIDE[1]
        two = split and depth * UNIT_IN > h - above - below and plot_inches(True, 2, right_in=right_in) >= plot_min
        columns = _split(rows, lang) if two else (rows,)
    else:
        h = max(MIN_PORTRAIT, above + below + depth * UNIT_IN)
        columns = (rows,)
    depth = max(c[-1].top + c[-1].height for c in columns)
    unit_in = min(unit_max, (h - above - below) / depth)
    fig, top, _ = framed(title, subtitle, sources, lang, size=(w, h), xlabel=xlabel)
    bottom = top - (depth * unit_in + top_in) / h
    n, plot = len(columns), min(plot_inches(slide, len(columns), w, right_in), plot_max or np.inf)
    axes = tuple(fig.add_axes(((i * (labels_in + plot + GAP) + labels_in) / w, bottom, plot / w, top - bottom))
                 for i in range(n))
    top_pad = top_in / unit_in
    return Grid(fig, axes, columns, depth + top_pad, top_pad, min(LABEL_FONT, 45 * unit_in), unit_in, labels_in)


def label_rows(grid: Grid, ax: Axes, column: tuple[Row, ...], colours: dict[str, str] | None = None) -> None:
    """The labels of a column: target names as y tick labels (in `colours` by key, else muted ink), headings from
    the column's left edge across its plot, and the y axis running top-down over the grid's depth."""
    rows = [r for r in column if not r.heading]
    ax.set_yticks([r.y for r in rows], [r.text for r in rows], fontsize=grid.font)
    for tick, row in zip(ax.get_yticklabels(), rows):
        tick.set_color((colours or {}).get(row.key, MUTED))
    left = transforms.blended_transform_factory(grid.fig.transFigure, ax.transData)
    x = ax.get_position().x0 - (grid.labels_in - 0.15) / grid.fig.get_figwidth()
    for row in (r for r in column if r.heading):
        ax.text(x, row.y, row.text, transform=left, ha="left", va="center", size=grid.font, color=INK,
                gid="section", clip_on=False, bbox={"fc": "white", "ec": "none", "pad": 1.5})  # over the axis line
    ax.set_ylim(grid.depth - grid.top_pad, -grid.top_pad)
    ax.tick_params(axis="y", length=0)
    ax.grid(False)


def _sections(targets: Sequence[Target], lang: Lang | str) -> dict[str, list[Target]]:
    """The policy sections in registry order, each with its targets: the rows of the aggregate charts."""
    out: dict[str, list[Target]] = {}
    for tg in targets:
        out.setdefault(section(tg, lang), []).append(tg)
    return out


def section_rows(groups: dict[str, list[Target]], labels_in: float) -> tuple[Row, ...]:
    """One row per section, labelled with its name and its number of targets."""
    return _stack(Row(0, SECTION_ROWS, _label(f"{heading} ({len(tgs)})", labels_in), key=heading)
                  for heading, tgs in groups.items())


# --- scorecard -----------------------------------------------------------------------------------------------------

def _ipcc_bands(ax) -> None:
    """Shade the IPCC likelihood bands behind P(meet), so the position of a dot reads as a status word."""
    for (a, b), status in zip(zip(EDGES, EDGES[1:]), LIKELIHOOD):
        ax.axvspan(a, b, color=STATUS_COLOURS[status], alpha=0.10, lw=0)


def _p_axis(ax, lang: Lang | str) -> None:
    """P(meet) ticked at the status bands' edges; a plot under 4 inches (a slide's column) leaves out 0% and 100%,
    whose labels would run into 10% and 90%."""
    ax.set_xlim(-0.02, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    wide = ax.get_position().width * ax.figure.get_figwidth() >= 4
    ax.set_xticks(EDGES if wide else EDGES[1:-1])
    ax.set_xlabel(t(lang, "p_axis"))


def proxy_points(proxies: pd.DataFrame | None, own: pd.DataFrame) -> dict[str, list[tuple[str, float, str]]]:
    """target -> [(proxy, P(meet), status)] for the targets with no verdict of their own (insufficient data) whose
    proxies have a P(meet): what the scorecard shows beside the target, never as its own."""
    if proxies is None or proxies.empty:
        return {}
    out: dict[str, list[tuple[str, float, str]]] = {}
    for row in proxies.itertuples():
        mine = own.loc[row.target] if row.target in own.index else None
        if mine is None or str(mine["status"]) != Status.INSUFFICIENT or not np.isfinite(row.p_meet):
            continue
        out.setdefault(row.target, []).append((str(row.proxy), float(row.p_meet), str(row.status)))
    return out


def _own_dot(ax, y: float, target_id: str, p: float, status: str, lang: Lang | str) -> None:
    """The target's own P(meet): a dot in its status colour, with the percent (or met / missed) beside it."""
    ax.plot([p], [y], "o", ms=9, color=STATUS_COLOURS.get(status, MUTED), mec="white", mew=0.8,
            gid=f"dot:{target_id}", zorder=3)
    text = status_label(status, lang) if status in OBSERVED else pct(p)
    ax.annotate(text, (p, y), xytext=(-9 if p > 0.9 else 9, 0), textcoords="offset points",
                ha="right" if p > 0.9 else "left", va="center", size=9.5, color=MUTED)


PROXY_MARKER: dict[str, Any] = {"marker": "D", "ms": 7.5, "mfc": "white", "mew": 1.8, "lw": 0}
"""A proxy's P(meet) on its target's row: a hollow diamond in the proxy's status colour, beside the row's "no data",
so it can never be read as the target's own (solid) dot."""


def _no_verdict(ax, y: float, target_id: str, points: list[tuple[str, float, str]], lang: Lang | str) -> None:
    """A target without its own verdict: "insufficient data" on a dotted rule, and its proxies' P(meet) as hollow
    diamonds, labelled "proxy" with the percents (or met / missed); the words sit at the end of the row away from the
    diamonds."""
    ax.plot([0, 1], [y, y], color="#d0d0d0", lw=0.8, ls=(0, (2, 3)), gid=f"norule:{target_id}")
    ps = [p for _, p, _ in points]
    x, ha = (0.5, "center") if not ps else (0.0, "left") if min(ps) >= 0.5 else (1.0, "right") if max(ps) < 0.5 \
        else (0.5, "center")
    ax.text(x, y, status_label(Status.INSUFFICIENT, lang), ha=ha, va="center", size=10, color=MUTED,
            bbox={"fc": "white", "ec": "none", "pad": 1}, gid=f"nodata:{target_id}")
    for proxy, p, status in points:
        ax.plot([p], [y], mec=STATUS_COLOURS.get(status, MUTED), gid=f"proxy:{target_id}:{proxy}", zorder=4,
                **PROXY_MARKER)
    if ps:
        left = max(ps) > 0.8  # no room right of the diamonds
        words = [status_label(s, lang) if s in OBSERVED else pct(p) for _, p, s in sorted(points, key=lambda q: q[1])]
        ax.annotate(f"{t(lang, 'proxy_short')} " + " / ".join(words), (min(ps) if left else max(ps), y),
                    xytext=(-9 if left else 9, 0), textcoords="offset points", ha="right" if left else "left",
                    va="center", size=9, color=MUTED, gid=f"proxy_label:{target_id}")


@styled
def scorecard_chart(assessment: pd.DataFrame, registry: Registry, lang: Lang | str = Lang.ZH,
                    sources: Sequence[str] | None = None, as_of: int | None = None,
                    proxies: pd.DataFrame | None = None, slide: bool = False) -> Figure:
    """One dot per target at its P(meet), coloured by status, grouped by policy section; no-data rows say so, and
    show their proxies' P(meet) (`proxies`: Vintage.proxy_table) as hollow diamonds. `slide`: the 16:9 variant.
    Above ROW_LIMIT targets: one bar per section, of its targets by status."""
    rows = assessment.set_index("target")
    order = [tg for tg in registry.targets if tg.id in rows.index]
    as_of = as_of if as_of is not None else int(rows["as_of"].iloc[0])
    title = f"{scorecard_title([tg.target_year for tg in order], lang)} ({t(lang, 'as_of')} {as_of})"
    counts = rows["status"].value_counts()
    sub = " · ".join(f"{status_label(s, lang)} {counts[s]}" for s in STATUS_COLOURS if s in counts)
    sources = sources or [t(lang, "assessment")]
    if len(order) > ROW_LIMIT:
        return _scorecard_sections(rows, order, title, f"{sub} · {t(lang, 'in_workbook')}", sources, lang, slide)
    points = proxy_points(proxies, rows)
    grid = row_grid(title, sub, sources, lang, target_rows(order, lang, labels_inches(slide)), slide, xlabel=True,
                    top_in=0.4 if points else 0.0)
    for ax, column in zip(grid.axes, grid.columns):
        _ipcc_bands(ax)
        for row in (r for r in column if r.target is not None):
            mine = rows.loc[row.key]
            status, p = str(mine["status"]), float(mine["p_meet"])
            if status == Status.INSUFFICIENT or not np.isfinite(p):
                _no_verdict(ax, row.y, row.key, points.get(row.key, []), lang)
            else:
                _own_dot(ax, row.y, row.key, p, status, lang)
        label_rows(grid, ax, column)
        _p_axis(ax, lang)
    if points:
        handle = Line2D([], [], color="none", mec=MUTED, **PROXY_MARKER)
        grid.axes[-1].legend([handle], [t(lang, "proxy")], loc="upper right", borderaxespad=0.2, **LEGEND_FRAME)
    return grid.fig


SECTION_ORDER = (Status.MET, Status.VERY_LIKELY, Status.LIKELY, Status.ABOUT_EVEN, Status.UNLIKELY,
                 Status.VERY_UNLIKELY, Status.MISSED, Status.INSUFFICIENT)  # good to bad, then no data


def _scorecard_sections(rows: pd.DataFrame, order: list[Target], title: str, sub: str, sources: Sequence[str],
                        lang: Lang | str, slide: bool) -> Figure:
    """The scorecard of a large registry: per section, one bar of its targets by status (counts in the segments)."""
    groups = _sections(order, lang)
    shown = [s for s in SECTION_ORDER if s in set(rows.loc[[tg.id for tg in order], "status"].astype(str))]
    words = [status_label(s, lang) for s in shown]
    ncols = _legend_columns(words, plot_inches(slide))
    grid = row_grid(title, sub, sources, lang, section_rows(groups, labels_inches(slide)), slide, xlabel=True,
                    top_in=0.15 + 0.3 * -(-len(words) // ncols), split=False, unit_max=SECTION_UNIT_MAX)
    ax, column = grid.axes[0], grid.columns[0]
    for row, tgs in zip(column, groups.values()):
        statuses = rows.loc[[tg.id for tg in tgs], "status"].astype(str).value_counts()
        left = 0
        for status in (s for s in SECTION_ORDER if s in statuses):
            n = int(statuses[status])
            ax.barh(row.y, n, left=left, height=0.55 * row.height, color=STATUS_COLOURS[status], lw=0,
                    gid=f"count:{row.key}:{status}")
            if n >= 0.03 * max(len(g) for g in groups.values()):
                ax.text(left + n / 2, row.y, str(n), ha="center", va="center", size=grid.font,
                        color="white" if on_dark(status) else INK, gid="count")
            left += n
    label_rows(grid, ax, column)
    ax.legend([Patch(color=STATUS_COLOURS[s]) for s in shown], words, loc="upper left", ncols=ncols,
              borderaxespad=0.2, **LEGEND_FRAME)
    ax.set_xlim(0, max(len(g) for g in groups.values()))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(t(lang, "n_targets"))
    return grid.fig


def _legend_columns(words: list[str], room: float) -> int:
    """The most legend columns whose entries (filled column by column, as matplotlib does) fit `room` inches."""
    for n in range(len(words), 1, -1):
        rows = -(-len(words) // n)
        columns = [words[i:i + rows] for i in range(0, len(words), rows)]
        if sum(0.65 + max(text_inches(w, 10.5) for w in c) for c in columns) <= room:
            return n
    return 1


# --- coverage ------------------------------------------------------------------------------------------------------

GAP_INK = "#ababab"  # the label of a target with no value yet: greyed, so the gaps stand out down the chart


@styled
def coverage_chart(coverage: pd.DataFrame, lang: Lang | str = Lang.ZH, registry: Registry | None = None,
                   sources: Sequence[str] | None = None, as_of: int | None = None,
                   years: Iterable[int] | None = None, slide: bool = False) -> Figure:
    """A dot matrix, targets by year: where a published value of the target's own indicator exists.

    Thin data is the main limit of this study, so it gets its own chart, and the briefing draws no fan chart for a
    target without a value: this chart shows those gaps once, with their names greyed on a grey band and counted in
    the subtitle. `coverage` is data/processed/coverage_targets.csv (target, years as "2013, 2018-2021") or a long
    frame (target, year). With `as_of`, a rule marks the vintage: values right of it exist now but were not used, and
    a target is a gap when it has no value up to `as_of`. The columns are `years` plus every year with a value; by
    default the registry's `data_years` (the years the template asks for), else only the years found. `slide`: the
    16:9 variant. Above ROW_LIMIT targets: per section, how many of its targets have a value each year.
    """
    have = coverage_years(coverage)
    if years is None:
        years = registry.data_years if registry is not None and registry.info is not None else ()
    targets = list(registry.targets) if registry is not None else []
    ids = [tg.id for tg in targets] if targets else sorted(have)
    shown = sorted(set(years) | {y for ys in have.values() for y in ys})
    gaps = {i for i in ids if not [y for y in have.get(i, ()) if as_of is None or y <= as_of]}
    sub = _coverage_subtitle(ids, have, gaps, as_of, lang)
    if len(ids) > ROW_LIMIT and targets:
        return _coverage_sections(have, targets, shown, sub, sources, as_of, lang, slide)
    rows = target_rows(targets, lang, labels_inches(slide)) if targets else \
        _stack(Row(0, 1.0, _label(i, labels_inches(slide)), key=i) for i in ids)
    grid = row_grid(t(lang, "coverage"), sub, sources, lang, rows, slide, xlabel=True)
    colours = {i: GAP_INK if i in gaps else INK for i in ids}
    for ax, column in zip(grid.axes, grid.columns):
        for row in (r for r in column if not r.heading):
            if row.key in gaps:
                ax.axhspan(row.top + 0.08, row.top + row.height - 0.08, color="#f1f1f1", lw=0, zorder=0,
                           gid=f"gap:{row.key}")
            ax.plot(shown, [row.y] * len(shown), "o", ms=5, mfc="white", mec="#cfcfcf", lw=0, gid=f"empty:{row.key}")
            hit = sorted(have.get(row.key, ()))
            ax.plot(hit, [row.y] * len(hit), "o", ms=7, color=ACCENT, lw=0, gid=f"have:{row.key}")
        label_rows(grid, ax, column, colours)
        _year_columns(ax, shown, as_of, lang)
    return grid.fig


def _coverage_subtitle(ids: list[str], have: dict[str, set[int]], gaps: set[str], as_of: int | None,
                       lang: Lang | str) -> str:
    """"6/31 个目标截至 2021 年有公开数值 (至今 9/31) · 灰色: …": the counts, and what the grey rows mean."""
    n, now = len(ids), sum(bool(have.get(i)) for i in ids)
    if as_of is None:
        counts = f"{now}/{n} {t(lang, 'with_value')}"
    else:
        counts = f"{n - len(gaps)}/{n} " + t(lang, "with_value_by").format(as_of=as_of)
        if now != n - len(gaps):  # values published after the as-of year: they exist now but were not used
            counts += f" ({t(lang, 'by_now').format(now=f'{now}/{n}')})"
    return f"{counts} · {t(lang, 'greyed')}" if gaps else counts


def _year_columns(ax, years: list[int], as_of: int | None, lang: Lang | str) -> None:
    """The year axis of the coverage charts, a year label every 0.6 inch at most (a slide's column is narrow), with
    the as-of rule and its label kept inside the chart."""
    year_axis(ax, min(years), max(years))
    inches = ax.get_position().width * ax.figure.get_figwidth()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=max(2, min(12, int(inches / 0.6)))))
    ax.set_xlabel(t(lang, "n_values"))
    if as_of is not None:
        ax.axvline(as_of + 0.5, color="#9a9a9a", lw=1, gid="as_of")
        as_of_label(ax, as_of + 0.5, f"{t(lang, 'as_of')} {as_of}", above=True)


def _coverage_sections(have: dict[str, set[int]], targets: list[Target], years: list[int], sub: str,
                       sources: Sequence[str] | None, as_of: int | None, lang: Lang | str, slide: bool) -> Figure:
    """The coverage chart of a large registry: per section and year, how many of its targets have a value (shaded
    by the share)."""
    groups = _sections(targets, lang)
    grid = row_grid(t(lang, "coverage"), f"{sub} · {t(lang, 'with_value_year')}", sources, lang,
                    section_rows(groups, labels_inches(slide)), slide, xlabel=True, split=False,
                    right_in=COLOURBAR_IN, unit_max=SECTION_UNIT_MAX)
    ax, column = grid.axes[0], grid.columns[0]
    counts = {key: np.array([sum(y in have.get(tg.id, ()) for tg in tgs) for y in years])
              for key, tgs in groups.items()}
    shares = {key: counts[key] / len(tgs) for key, tgs in groups.items()}
    texts = {key: [str(c) for c in row] for key, row in counts.items()}
    cmap = LinearSegmentedColormap.from_list("coverage", ["#ffffff", ACCENT])
    _year_columns(ax, years, as_of, lang)  # first: the cells measure their width on the finished axis
    mesh = _cells(ax, column, np.asarray(years, dtype=float), shares, texts, cmap, grid.font, gid="coverage",
                  dark=lambda share: share > 0.6)
    label_rows(grid, ax, column)
    _colour_bar(grid, mesh, t(lang, "share_axis"), [0, 0.5, 1])
    return grid.fig


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


# --- vintage heat map ----------------------------------------------------------------------------------------------

def _p_colormap() -> LinearSegmentedColormap:
    """Red (0) through a pale neutral (0.5) to blue (1), the status colours' ends: no muddy mid-tones."""
    colours = [STATUS_COLOURS[Status.VERY_UNLIKELY], STATUS_COLOURS[Status.UNLIKELY], "#f3eedf",
               STATUS_COLOURS[Status.LIKELY], STATUS_COLOURS[Status.VERY_LIKELY]]
    return LinearSegmentedColormap.from_list("pmeet", list(zip([0.0, 0.22, 0.5, 0.78, 1.0], colours)))


def _dark(p: float) -> bool:
    """Cells dark enough for white text, on the P(meet) scale and the coverage shading alike."""
    return bool(np.isfinite(p) and (p < 0.12 or p > 0.85))


def _cells(ax, column: tuple[Row, ...], xs: np.ndarray, values: dict[str, np.ndarray],
           texts: dict[str, list[str]], cmap, font: float, gid: str = "heat", dark=None):
    """A heat matrix over the non-heading rows of a column: `values` by row key (0-1, NaN blank) as colour, `texts`
    printed in each cell where they fit its width (else the colour and the colour bar say it); the rows keep their
    own heights. `dark(value)`: the cells that take white text. Returns the mesh, for a colour bar."""
    cells = [r for r in column if not r.heading]
    grid = np.full((len(column), len(xs)), np.nan)
    for i, row in enumerate(column):
        if not row.heading:
            grid[i] = values[row.key]
    step = float(np.min(np.diff(xs))) if len(xs) > 1 else 1.0
    x_edges = np.r_[xs - step / 2, xs[-1] + step / 2]
    y_edges = np.r_[[r.top for r in column], column[-1].top + column[-1].height]
    mesh = ax.pcolormesh(x_edges, y_edges, np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=1,
                         edgecolors="white", linewidth=0.8, gid=gid)
    cell_in = step / np.diff(ax.get_xlim())[0] * ax.get_position().width * ax.figure.get_figwidth()
    for row in cells:
        for x, p, text in zip(xs, values[row.key], texts[row.key]):
            if text_inches(text, min(10, font)) + 0.06 <= abs(cell_in):
                ax.text(x, row.y, text, ha="center", va="center", size=min(10, font), gid="cell",
                        color="white" if (dark or _dark)(p) else INK)
    return mesh


def vintage_frames(vintage: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(P(meet), status words or None), targets by as-of years, from assess.vintage_matrix's wide frame (words in
    `.attrs["status"]`) or a long (target, as_of, p_meet[, status]) frame: the heatmap and the Excel sheet read both."""
    if "as_of" not in vintage.columns:
        return vintage, vintage.attrs.get("status")
    status = vintage.pivot(index="target", columns="as_of", values="status") if "status" in vintage else None
    return vintage.pivot(index="target", columns="as_of", values="p_meet"), status


@styled
def vintage_heatmap(vintage: pd.DataFrame, registry: Registry, lang: Lang | str = Lang.ZH,
                    sources: Sequence[str] | None = None, slide: bool = False) -> Figure:
    """Targets by as-of year, P(meet) as colour and printed %: how the outlook moved as data arrived.

    `vintage` is assess.vintage_matrix's wide frame (status words in `.attrs["status"]`) or a long frame
    (target, as_of, p_meet[, status]). Met and missed cells say so instead of printing 100% / 0%. A colour bar on the
    right gives the scale, ticked at the status bands' edges. `slide`: the 16:9 variant. Above ROW_LIMIT targets:
    one row per section, the mean P(meet) of its targets (the share of them expected to be met).
    """
    wide, status = vintage_frames(vintage)
    order = [tg for tg in registry.targets if tg.id in wide.index]
    wide = wide.reindex([tg.id for tg in order]).sort_index(axis=1)
    status = status.reindex(index=wide.index, columns=wide.columns) if status is not None else None
    sources = sources or [t(lang, "assessment")]
    # Every as-of year gets a cell wide enough for ">99%" (HEAT_CELL inches) beside a label column of fixed width:
    # up to 6 vintages the chart keeps its 9 inches; a policy with 15 (2000-2014) widens instead of overprinting.
    plot_min = HEAT_CELL * wide.shape[1]
    width = max(PORTRAIT_WIDTH, labels_inches(False) + plot_min + COLOURBAR_IN + MARGIN_R)
    if len(order) > ROW_LIMIT:
        groups = _sections(order, lang)
        rows = section_rows(groups, labels_inches(slide))
        values = {key: wide.loc[[tg.id for tg in tgs]].mean(axis=0, skipna=True).to_numpy(float)
                  for key, tgs in groups.items()}
        texts = {key: [pct(p) if np.isfinite(p) else "—" for p in vals] for key, vals in values.items()}
        subtitle, split, unit_max = f"{t(lang, 'section_mean')} · {t(lang, 'in_workbook')}", False, SECTION_UNIT_MAX
    else:
        rows = target_rows(order, lang, labels_inches(slide), min(HEADING_IN, labels_inches(slide) + plot_min))
        values = {tg: wide.loc[tg].to_numpy(float) for tg in wide.index}
        texts = {tg: [_cell_text(p, status.at[tg, c] if status is not None else None, lang)
                      for c, p in zip(wide.columns, values[tg])] for tg in wide.index}
        subtitle, split, unit_max = t(lang, "as_of_years"), True, UNIT_MAX
    grid = row_grid(t(lang, "vintage"), subtitle, sources, lang, rows, slide, width=width, plot_min=plot_min,
                    right_in=COLOURBAR_IN, split=split, unit_max=unit_max, plot_max=HEAT_CELL_MAX * wide.shape[1])
    xs = np.arange(wide.shape[1], dtype=float)
    for ax, column in zip(grid.axes, grid.columns):
        ax.set_xlim(-0.5, xs[-1] + 0.5)
        mesh = _cells(ax, column, xs, values, texts, _p_colormap(), grid.font)
        label_rows(grid, ax, column)
        ax.set_xticks(xs, [str(c) for c in wide.columns])
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.xaxis.tick_top()
    _colour_bar(grid, mesh, t(lang, "p"), list(EDGES))
    return grid.fig


def _cell_text(p: float, word: str | None, lang: Lang | str) -> str:
    return status_label(word, lang) if word in OBSERVED else pct(p) if np.isfinite(p) else "—"


def _colour_bar(grid: Grid, mesh, title: str, ticks: list[float]) -> None:
    """A heat map's scale, right of the last column, in percent. The vintage heat map's is ticked at the status bands'
    edges (10/33/66/90%), so that a cell's colour reads as a status word."""
    fig, last = grid.fig, grid.axes[-1].get_position()
    w, h = fig.get_size_inches()
    height = min(last.y1 - 0.9 / h, 3.2 / h)  # 3.2 inches, or down to the source line
    cax = fig.add_axes((last.x1 + 0.3 / w, last.y1 - height, 0.16 / w, height))
    cax.set_gid("colorbar")
    bar = fig.colorbar(mesh, cax=cax, ticks=ticks, format=PercentFormatter(1.0, decimals=0))
    bar.outline.set_visible(False)
    cax.tick_params(labelsize=9.5, length=3, color=MUTED)
    cax.set_title(title, loc="left", size=9.5, color=MUTED, pad=6)


# --- reliability ---------------------------------------------------------------------------------------------------

@styled
def reliability_chart(pred: Iterable[float], outcome: Iterable[float], lang: Lang | str = Lang.ZH,
                      sources: Sequence[str] | None = None) -> Figure:
    """Forecast probability against observed frequency in the IPCC bins, Brier score in the title.

    The bins are the status bands, so the chart answers the reader's question directly: of the targets called
    "unlikely", how many were met? Each dot says how many forecasts it stands for ("n = 12"), on a white box clear of
    the diagonal: a dot of two forecasts must not read like one of two hundred.
    """
    p = np.asarray(list(pred), dtype=float)
    o = np.asarray(list(outcome), dtype=float)
    if p.shape != o.shape or p.size == 0:
        raise ValueError(f"pred and outcome must be non-empty and of equal length, got {p.size} and {o.size}")
    brier = float(np.mean((p - o) ** 2))
    title = f"{t(lang, 'reliability')} · Brier = {brier:.3f} (n = {p.size})"
    fig, ax = new_figure(title, t(lang, "bins"), sources or [t(lang, "assessment")], lang, size=(6.5, 5.2),
                         left=0.12, xlabel=True)
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
        up = (y >= x and y < 0.88) or y < 0.12  # away from the diagonal, and inside the axes
        ax.annotate(f"n = {n}", (x, y), xytext=(0, 11 if up else -11), textcoords="offset points", ha="center",
                    va="bottom" if up else "top", size=10, color=INK, gid="n",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#d0d0d0", "lw": 0.6, "alpha": 0.9})
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(t(lang, "pred"))
    unit_title(ax, t(lang, "freq"))
    return fig
