"""The fan chart of one target: history, forecast fan, the target at its year, the path it needs, the as-of year.

A chart of one outlook (`assess.Outlook`, or any record with its fields) in the house style of `report.style`. It draws
the engine's numbers and derives none: the fan is the outlook's forecast, whose centre and bands `assess` reads off
the same sample paths as the row's projected, lo80, hi80 and P(meet), so at the target year a level target's chart
shows the row; a cumulative target's running sum is summed from those paths the same way; the rate a growth
target's remaining years need comes from `assess.required_growth`. Chinese charts carry the Chinese reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..assessment.assess import Outlook, required_growth
from ..assessment.status import shown_p
from ..forecast.engine import Forecast
from ..forecast.intervals import path_quantiles
from ..lang import Lang
from ..registry import Kind
from ..text import wrap
from ..units import BUILTIN, UnitTable
from .labels import bureau_table, method_text, name, p_text, status_label, t, target_text, unit_label
from .labels import reason as labels_reason
from .style import ACCENT, INK, LEGEND_FRAME, MUTED, as_of_label, new_figure, styled, unit_title, year_axis


def subtitle_text(row: dict, lang: Lang | str) -> str:
    """Status word, P(meet) and the model (first clause of `method`, in the chart's language: `labels.method_text`);
    when there is no probability to give (insufficient data, or met / missed on published values) the engine's reason
    instead, in Chinese on a Chinese chart when the row has one (`reason_zh`)."""
    status = str(row.get("status", ""))
    p = shown_p(status, row.get("p_meet"))
    if p is None:
        reason = labels_reason(row, lang)
        return f"{status_label(status, lang)} · {reason}".strip(" ·")
    parts = [status_label(status, lang), p_text(p, lang)]
    method = method_text(str(row.get("method", "")), lang)
    return " · ".join(parts + ([f"{t(lang, 'method')}: {method}"] if method else []))


def caption_text(forecast: Forecast | None, lang: Lang | str) -> str:
    """What the engine did that changes how the chart reads (values moved for the logit, a fallback model, paths
    cut at zero), from the forecast's notes; "" when nothing did."""
    notes = [n.text for n in (forecast.notes if forecast is not None else ()) if n.caption]
    return t(lang, "note") + "; ".join(dict.fromkeys(notes)) if notes else ""


@styled
def fan_chart(outlook: Outlook, lang: Lang | str = Lang.ZH, sources: Sequence[str] | None = None,
              units: UnitTable = BUILTIN) -> Figure:
    """History, forecast fan (80% and 95%), the target at its year, the path needed, and the as-of year.

    Cumulative targets are drawn as the running sum over their window (the thing the target counts), with the
    annual additions as bars; growth targets as annual growth against the required rate. `units` is the registry's
    unit table, so that a unit it declares ("‰") gets its English label. A target with no published value gets a
    plain panel naming the bureau table that would decide it: the notebooks show every target of a section, while
    the briefing pack writes no chart for such a target (its coverage chart shows the gap once).
    """
    target = outlook.target
    fig, ax = new_figure(name(target, lang), subtitle_text(outlook.row, lang), sources, lang,
                         caption=caption_text(outlook.forecast, lang))
    history = outlook.history.dropna().sort_index()
    if history.empty:
        _no_data_panel(ax, outlook, lang, units)
        return fig
    if target.kind == Kind.CUMULATIVE:
        _draw_cumulative(ax, outlook, history, lang, units)
    else:
        _draw_series(ax, outlook, history, lang, units)
    _draw_target(ax, outlook, lang, units)
    ax.axvline(outlook.as_of, color="#9a9a9a", lw=1, zorder=1, gid="as_of")
    first = min(int(history.index.min()), target.window_start or target.target_year)
    year_axis(ax, first, max(target.target_year, outlook.as_of))
    as_of_label(ax, outlook.as_of, f"{t(lang, 'as_of')} {outlook.as_of}")
    ax.margins(y=0.15)  # head room above the highest value (for the legend, or the as-of label inside the axes)
    if outlook.indicator.scale in ("count", "rank"):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _legend(ax)
    return fig


def _draw_fan(ax, fan: dict, anchor: tuple[float, float], lang: str) -> None:
    """95% and 80% bands and the central forecast, joined to the last observation so the eye follows on."""
    years = np.asarray(fan["years"], dtype=float)
    x, bands = years, [np.asarray(fan[k], dtype=float) for k in ("lo80", "hi80", "lo95", "hi95")]
    if anchor[0] < years[0]:
        x = np.r_[anchor[0], years]
        bands = [np.r_[anchor[1], b] for b in bands]
        ax.plot([anchor[0], years[0]], [anchor[1], fan["mean"][0]], color=ACCENT, lw=2, gid="connector")
    ax.fill_between(x, bands[2], bands[3], color=ACCENT, alpha=0.14, lw=0, label=t(lang, "band95"), gid="band95")
    ax.fill_between(x, bands[0], bands[1], color=ACCENT, alpha=0.28, lw=0, label=t(lang, "band80"), gid="band80")
    ax.plot(years, np.asarray(fan["mean"], dtype=float), color=ACCENT, lw=2, label=t(lang, "forecast"),
            gid="forecast")


def _legend(ax) -> None:
    """Legend in reading order (observed, forecast, bands, needed path, target), whatever the drawing order; in a
    white frame (style.LEGEND_FRAME) where it covers least of the lines and bands ("best")."""
    order = ["annual", "history", "forecast", "band80", "band95", "required", "target"]
    artists = {a.get_gid(): a for a in [*ax.lines, *ax.collections] if a.get_gid()}
    if ax.containers:  # the bars of annual additions (cumulative targets)
        artists["annual"] = ax.containers[-1]
    handles = [artists[g] for g in order if g in artists]
    ax.legend(handles=handles, labels=[h.get_label() for h in handles], loc="best", ncols=2, **LEGEND_FRAME)


def _fan(fc) -> dict:
    """The outlook's forecast as the arrays _draw_fan takes (a cumulative fan builds the same dict from paths)."""
    return {"years": fc.years, "mean": fc.mean, "lo80": fc.lo80, "hi80": fc.hi80, "lo95": fc.lo95, "hi95": fc.hi95}


REQUIRED_STYLE = {"color": "#3a3a3a", "lw": 1.6, "ls": (0, (4, 2.5)), "zorder": 3,
                  "path_effects": [patheffects.withStroke(linewidth=3.4, foreground="white")]}
"""The needed path: dark dashes in a white casing, drawn above the forecast (zorder 2) and the fan, so that where
the forecast runs along the path needed (a target on course) both stay visible: the blue line shows between the
dashes. Below the observed line (zorder 4), whose last point it starts from. The legend draws its entry from the same
line, casing included."""


def _draw_required(ax, outlook, lang: str) -> None:
    """The path the target needs, dashed (REQUIRED_STYLE); not drawn for a level target the latest value already
    meets, where the engine's straight line to the target would read as an instruction to get worse."""
    target, hist = outlook.target, outlook.history.dropna()
    if target.kind == Kind.LEVEL and len(hist) and target.meets(float(hist.iloc[-1])):
        return
    req = outlook.required_path if outlook.required_path is not None else required_growth(outlook)
    if req is not None and len(req):
        req = req.sort_index()
        ax.plot(req.index.astype(int), req.to_numpy(dtype=float), marker="_" if len(req) == 1 else None, ms=14,
                label=t(lang, "required"), gid="required", **REQUIRED_STYLE)


def _draw_series(ax, outlook, history: pd.Series, lang: str, units: UnitTable) -> None:
    """Level, growth, rank and milestone targets: the indicator itself on the y axis."""
    target, fc = outlook.target, outlook.forecast
    years = history.index.astype(int).to_numpy()
    # Reindexed to every year so that the line breaks at unpublished years instead of drawing values in.
    full = history.reindex(range(years[0], years[-1] + 1))
    ax.plot(full.index.to_numpy(), full.to_numpy(dtype=float), "-o", color=INK, ms=4.5, lw=1.5,
            label=t(lang, "history"), gid="history", zorder=4)
    if fc is not None and len(fc.years):
        _draw_fan(ax, _fan(fc), (years[-1], float(history.iloc[-1])), lang)
    _draw_required(ax, outlook, lang)
    if target.kind == Kind.AVG_GROWTH and outlook.indicator.scale == "growth":
        unit_title(ax, t(lang, "growth"))
        ax.axhline(0, color="#9a9a9a", lw=0.8, zorder=1)
    else:
        unit_title(ax, unit_label(target.unit, lang, units))
    if target.kind == Kind.RANK:
        ax.invert_yaxis()


def cumulative_fan(outlook, history: pd.Series) -> dict | None:
    """Running sum of annual additions over the target window, observed and forecast (from the sample paths).

    The bands of a sum are not the sums of the bands, so the bands and the central line (median) come from the
    paths, as the assessment's `projected`, lo80 and hi80 do. None when an in-window year before the latest value
    is missing: the running sum would undercount, and no value is invented to fill it.
    """
    target, fc = outlook.target, outlook.forecast
    start = int(target.window_start)
    seen = history[(history.index >= start) & (history.index <= outlook.as_of)]
    obs_years = list(range(start, int(seen.index.max()) + 1)) if len(seen) else []
    if [int(y) for y in seen.index] != obs_years:
        return None
    cum_years = np.array([start - 1, *obs_years], dtype=float)
    cum_values = np.r_[0.0, np.cumsum(seen.to_numpy(dtype=float))]
    out = {"years": cum_years, "values": cum_values, "fan": None}
    if fc is None or not len(fc.years):
        return out
    years = np.asarray(fc.years)
    keep = (years > cum_years[-1]) & (years >= start) & (years <= target.target_year)
    if not keep.any() or np.asarray(fc.paths).size == 0:
        return out
    paths = cum_values[-1] + np.cumsum(np.asarray(fc.paths, dtype=float)[:, keep], axis=1)
    out["fan"] = {"years": years[keep], **path_quantiles(paths)}
    return out


def _draw_cumulative(ax, outlook, history: pd.Series, lang: str, units: UnitTable) -> None:
    target = outlook.target
    years = history.index.astype(int).to_numpy()
    ax.bar(years, history.to_numpy(dtype=float), width=0.55, color="#d0d0d0", label=t(lang, "annual"),
           gid="annual", zorder=2)
    cum = cumulative_fan(outlook, history)
    if cum is not None:
        ax.plot(cum["years"], cum["values"], "-o", color=INK, ms=4.5, lw=1.5, gid="history", zorder=4,
                label=t(lang, "cum").format(target.window_start))
        if cum["fan"] is not None:
            _draw_fan(ax, cum["fan"], (cum["years"][-1], cum["values"][-1]), lang)
    _draw_required(ax, outlook, lang)
    unit_title(ax, unit_label(target.unit, lang, units))


def _draw_target(ax, outlook, lang: str, units: UnitTable) -> None:
    """A thick segment at the target value in the target year (over the whole window for growth targets).

    Its words ("目标 ≤ 35 微克/立方米") go in the legend: a label beside the segment collides with the fan. An
    average-growth target on a level series is drawn where the level must end: the base grown at the target rate.
    """
    target = outlook.target
    y, x0 = target.value, (target.window_start if target.kind == Kind.AVG_GROWTH else target.target_year) - 0.35
    if target.kind == Kind.AVG_GROWTH and outlook.indicator.scale != "growth":
        base = target.window_start - 1
        if base not in outlook.history.index:
            return
        y = float(outlook.history[base]) * (1 + target.value / 100) ** (target.target_year - base)
        x0 = target.target_year - 0.35
    x1 = target.target_year + 0.35
    ax.axhline(y, color=INK, lw=0.8, ls=":", alpha=0.6, zorder=1, gid="target_ref")
    ax.plot([x0, x1], [y, y], color=INK, lw=3.2, solid_capstyle="butt", zorder=5, label=target_text(target, lang, units),
            gid="target")


def _no_data_panel(ax, outlook, lang: str, units: UnitTable) -> None:
    """The panel of a target with no published value (notebooks only): what is missing and where it would come
    from, in the chart's language."""
    ax.set_axis_off()
    table = bureau_table(outlook.indicator, lang)
    ax.text(0.5, 0.66, t(lang, "no_data"), ha="center", va="center", size=20, color=MUTED, gid="no_data",
            transform=ax.transAxes)
    ax.text(0.5, 0.42, wrap(t(lang, "needs") + table, 84, max_lines=3), ha="center", va="center", size=12,
            color=INK, transform=ax.transAxes, gid="bureau_table")
    ax.text(0.5, 0.18, f"{target_text(outlook.target, lang, units)} ({outlook.target.target_year})", ha="center",
            va="center", size=11, color=MUTED, transform=ax.transAxes)
