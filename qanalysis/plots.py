"""Charts of the assessment in one house style: fan charts, scorecard, coverage, vintages, reliability.

Every chart is built on a bare `matplotlib.figure.Figure` (not pyplot), so report runs leak no figures and a notebook
shows each chart once; the style lives in an `rc_context`, so importing or calling this module leaves the caller's
rcParams alone. Chinese text needs a CJK font, which this machine lacks: the pip font Noto Sans SC is registered on
first use (`setup_fonts`) and named explicitly in every text's font family, so glyphs resolve the same whether the
figure is drawn now, saved later, or shown inline. Each chart carries a source line, because a chart lifted onto a
slide loses the notebook around it.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

FONT_FAMILY = "Noto Sans SC"
# One colour per status word, used by every chart and by the Excel scorecard. Blue (likely) to orange/red (unlikely)
# rather than green/red, so the scale survives the common red-green colour blindness.
STATUS_COLOURS = {
    "very likely": "#2166ac",
    "likely": "#67a9cf",
    "about as likely as not": "#d8c47a",
    "unlikely": "#ef8a3c",
    "very unlikely": "#c0392b",
    "met": "#1b3a5c",
    "missed": "#6e1f1a",
    "insufficient data": "#bdbdbd",
}
STATUS_ZH = {
    "very likely": "很可能达成",
    "likely": "可能达成",
    "about as likely as not": "达成与否可能性相当",
    "unlikely": "不太可能达成",
    "very unlikely": "很不可能达成",
    "met": "已达成",
    "missed": "未达成",
    "insufficient data": "数据不足",
}
UNIT_EN = {"微克/立方米": "µg/m³", "万元/亩": "10k yuan/mu", "万元/人·年": "10k yuan/worker-year", "个": "count",
           "家": "organisations", "项": "projects", "分": "points", "位": "rank", "%": "%"}
_TEXT = {
    "zh": {"source": "资料来源: ", "history": "实际值", "forecast": "预测", "band80": "80% 区间", "band95": "95% 区间",
           "target": "目标", "required": "达标所需路径", "as_of": "截至", "p": "P(达成)", "method": "方法",
           "no_data": "暂无公开数据", "needs": "所需数据: ", "year": "年份", "cum": "累计新增 (自{}年)",
           "annual": "当年新增", "growth": "年增速 (%)", "window": "{}–{}年均", "none": "未注明",
           "p_axis": "达成概率 P(达成)", "n_values": "已获得数值的年份", "as_of_years": "评估时点 (截至年份)",
           "reliability": "可靠性图", "bins": "按状态区间分组: 0–10–33–66–90–100%", "pred": "预测概率", "freq": "实际达成比例", "scorecard": "2022年目标达成可能性",
           "coverage": "各目标的公开数据覆盖", "vintage": "各时点评估的达成概率", "assessment": "qanalysis 评估"},
    "en": {"source": "Source: ", "history": "Observed", "forecast": "Forecast", "band80": "80% interval",
           "band95": "95% interval", "target": "Target", "required": "Path needed to meet it", "as_of": "as of",
           "p": "P(meet)", "method": "method", "no_data": "No published data", "needs": "Data needed: ",
           "year": "Year", "cum": "Cumulative additions since {}", "annual": "Annual additions",
           "growth": "Annual growth (%)", "window": "{}–{} average", "none": "not given", "p_axis": "P(meet)",
           "n_values": "Years with a published value", "as_of_years": "Assessed as of", "reliability": "Reliability",
           "bins": "Grouped by the status bands: 0–10–33–66–90–100%",
           "pred": "Forecast probability", "freq": "Observed frequency", "scorecard": "Will the 2022 targets be met?",
           "coverage": "Published data per target", "vintage": "P(meet) by vintage", "assessment": "qanalysis assessment"},
}
INK, MUTED, ACCENT, GRID = "#222222", "#6b6b6b", "#2166ac", "#e6e6e6"


def setup_fonts() -> str:
    """Register the pip-installed Noto Sans SC with matplotlib once; return its family name.

    `addfont` is used rather than the font cache, so a stale cache can never hide the font (TOOLING.md §3).
    """
    path = str(files("pylopdf_fonts_zh_cn") / "NotoSansSC-Regular.otf")
    if path not in {f.fname for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(path)
    return FONT_FAMILY


def house_rc() -> dict:
    """The house style as rcParams, for `matplotlib.rc_context`: slide-legible sizes, no chart junk."""
    return {
        "font.family": [setup_fonts(), "DejaVu Sans"], "font.size": 11, "axes.titlesize": 13, "axes.labelsize": 11,
        "xtick.labelsize": 11, "ytick.labelsize": 11, "legend.fontsize": 10.5, "legend.frameon": False,
        "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#9a9a9a",
        "axes.labelcolor": INK, "xtick.color": MUTED, "ytick.color": MUTED, "text.color": INK,
        "axes.grid": True, "axes.grid.axis": "y", "grid.color": GRID, "grid.linewidth": 0.8,
        "axes.axisbelow": True, "figure.facecolor": "white", "savefig.facecolor": "white",
        "svg.hashsalt": "qanalysis", "svg.fonttype": "path",
    }


def t(lang: str, key: str) -> str:
    """A chart word in the chosen language ("zh" or "en")."""
    if lang not in _TEXT:
        raise ValueError(f'lang must be "zh" or "en", got {lang!r}')
    return _TEXT[lang][key]


def status_label(status: str, lang: str) -> str:
    return STATUS_ZH.get(status, status) if lang == "zh" else status


def unit_label(unit: str, lang: str) -> str:
    return unit if lang == "zh" else UNIT_EN.get(unit, unit)


def name(record, lang: str) -> str:
    """A target's or indicator's name in the chosen language."""
    return record.name_zh if lang == "zh" else record.name_en


def _units(text: str) -> int:
    """Display width: 2 for a wide (CJK) character, 1 otherwise."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: float, max_lines: int = 2) -> str:
    """Wrap mixed Chinese/Latin text to `width` units (a CJK character counts 2, a Latin one 1).

    textwrap counts characters, which makes Chinese lines twice too long and English reasons in a Chinese chart
    break too early. Latin words stay whole; Chinese may break between any two characters.
    """
    lines, line = [], ""
    for token in re.findall(r"[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+|.", text):
        if line.strip() and _units(line + token.rstrip()) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    lines.append(line.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-2] + " …"
    return "\n".join(lines)


def source_line(sources: Sequence[str] | None, lang: str, width: float = 140) -> str:
    """"资料来源: a; b" wrapped to two lines at most, so a long source list cannot push the chart off the slide."""
    items = list(dict.fromkeys(s for s in (sources or []) if s)) or [t(lang, "none")]
    return wrap(t(lang, "source") + ("; " if lang == "en" else "；").join(items), width)


class Chart(Figure):
    """A Figure that shows itself in Jupyter (`_repr_png_`) without pyplot.

    Bare Figures have no rich display unless pyplot's inline backend happens to be active; going through pyplot
    instead would keep every chart in its global figure list (leaks in report runs, double display in notebooks).
    The PNG carries no version string, so a notebook's stored output does not change with matplotlib.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        with matplotlib.rc_context(house_rc()):
            self.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
        return buffer.getvalue()


def new_figure(title: str, subtitle: str, sources: Sequence[str] | None, lang: str,
               size: tuple[float, float] = (8, 4.5), left: float = 0.09) -> tuple[Figure, object]:
    """A figure with the house frame: left-aligned title and subtitle above, source line below, one axes.

    Subtitle and source line wrap to two lines at most (in width units per inch of figure at their font size), and
    the axes give way to them, so no text runs off the slide.
    """
    fig = Chart(figsize=size)
    w, h = size
    sub = wrap(subtitle, w * 12.5)
    fig.text(0.015, 1 - 0.22 / h, title, size=14, color=INK, va="top", gid="title")
    fig.text(0.015, 1 - 0.50 / h, sub, size=11, color=MUTED, va="top", gid="subtitle", linespacing=1.3)
    note = source_line(sources, lang, width=w * 14.5)
    fig.text(0.015, 0.10 / h, note, size=9.5, color=MUTED, va="bottom", gid="source")
    bottom = (0.62 + 0.17 * note.count("\n")) / h
    fig.subplots_adjust(left=left, right=0.97, top=1 - (1.05 + 0.2 * sub.count("\n")) / h, bottom=bottom)
    return fig, fig.add_subplot()


def target_text(target, lang: str) -> str:
    """"目标 ≥ 35%" / "Target ≤ 35 µg/m³", with the window for growth and cumulative targets."""
    unit = unit_label(target.unit, lang)
    value = f"{target.value:g}{unit}" if unit == "%" else f"{target.value:g} {unit}"
    text = f"{t(lang, 'target')} {target.op.replace('>=', '≥').replace('<=', '≤')} {value}"
    if target.kind in ("avg_growth", "cumulative") and target.window_start is not None:
        text += f" ({t(lang, 'window').format(target.window_start, target.target_year)})" \
            if target.kind == "avg_growth" else f" ({target.window_start}–{target.target_year})"
    return text


def pct(p: float) -> str:
    """P as a reader should see it: "<1%" and ">99%" rather than a rounded certainty."""
    return "<1%" if p < 0.005 else ">99%" if p > 0.995 else f"{p:.0%}"


def subtitle_text(row: dict, lang: str) -> str:
    """Status word, P(meet) and the model (first clause of `method`); when there is no probability to give
    (insufficient data, or met / missed on published values) the engine's reason instead."""
    status, p = str(row.get("status", "")), row.get("p_meet")
    if status in ("insufficient data", "met", "missed") or p is None or not np.isfinite(p):
        return f"{status_label(status, lang)} · {row.get('reason', '')}".strip(" ·")
    parts = [status_label(status, lang), f"{t(lang, 'p')} = {pct(p)}"]
    method = str(row.get("method", "")).split(";")[0]
    return " · ".join(parts + ([f"{t(lang, 'method')}: {method}"] if method else []))


def _styled(chart):
    """Build the chart inside the house rc_context, leaving the caller's rcParams as they were."""
    @functools.wraps(chart)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(house_rc()):
            return chart(*args, **kwargs)
    return wrapper


def _year_axis(ax, lo: float, hi: float) -> None:
    ax.set_xlim(lo - 0.6, hi + 0.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))


def save(fig: Figure, path_without_suffix: Path | str) -> list[Path]:
    """Write `<path>.png` (150 dpi) and `<path>.svg` with no timestamps or version strings, so reruns are identical."""
    base = Path(path_without_suffix)
    base.parent.mkdir(parents=True, exist_ok=True)
    png, svg = Path(f"{base}.png"), Path(f"{base}.svg")
    with matplotlib.rc_context(house_rc()):
        fig.savefig(png, dpi=150, metadata={"Software": None})
        fig.savefig(svg, metadata={"Date": None, "Creator": None})
    return [png, svg]


# --- charts over all targets -------------------------------------------------------------------------------------

_LABEL = {"zh": 42, "en": 36}  # longest row label, in display units, on the target-by-row charts


def shorten(text: str, width: int) -> str:
    """Cut to `width` display units with an ellipsis, so row labels never run into the left edge."""
    if _units(text) <= width:
        return text
    while _units(text) > width - 1:
        text = text[:-1]
    return text + "…"


def _ipcc_bands(ax) -> None:
    """Shade the IPCC likelihood bands behind P(meet), so the position of a dot reads as a status word."""
    edges = [0, 0.10, 0.33, 0.66, 0.90, 1.0]
    for (a, b), status in zip(zip(edges, edges[1:]), ["very unlikely", "unlikely", "about as likely as not",
                                                        "likely", "very likely"]):
        ax.axvspan(a, b, color=STATUS_COLOURS[status], alpha=0.10, lw=0)


@_styled
def scorecard_chart(assessment: pd.DataFrame, registry, lang: str = "zh", sources: Sequence[str] | None = None,
                    as_of: int | None = None) -> Figure:
    """One dot per target at its P(meet), coloured by status, grouped by policy section; no-data rows say so."""
    rows = assessment.set_index("target")
    order = [tg for tg in registry.targets if tg.id in rows.index]
    as_of = as_of if as_of is not None else int(rows["as_of"].iloc[0])
    labels, y, sections = [], [], []
    pos = 0.0
    for section in dict.fromkeys(tg.section for tg in order):
        sections.append((pos, section))
        pos += 1.0
        for tg in (tg for tg in order if tg.section == section):
            labels.append((pos, tg))
            pos += 1.0
    height = max(4.5, 1.6 + 0.26 * pos)
    title = f"{t(lang, 'scorecard')} ({t(lang, 'as_of')} {as_of})"
    counts = rows["status"].value_counts()
    sub = " · ".join(f"{status_label(s, lang)} {counts[s]}" for s in STATUS_COLOURS if s in counts)
    fig, ax = new_figure(title, sub, sources or [t(lang, "assessment")], lang, size=(9, height), left=0.38)
    _ipcc_bands(ax)
    for y_pos, tg in labels:
        row = rows.loc[tg.id]
        status, p = str(row["status"]), float(row["p_meet"])
        if status == "insufficient data" or not np.isfinite(p):
            ax.plot([0, 1], [y_pos, y_pos], color="#d0d0d0", lw=0.8, ls=(0, (2, 3)), gid=f"norule:{tg.id}")
            ax.text(0.5, y_pos, status_label("insufficient data", lang), ha="center", va="center", size=10,
                    color=MUTED, bbox={"fc": "white", "ec": "none", "pad": 1}, gid=f"nodata:{tg.id}")
            continue
        ax.plot([p], [y_pos], "o", ms=9, color=STATUS_COLOURS.get(status, MUTED), mec="white", mew=0.8,
                gid=f"dot:{tg.id}", zorder=3)
        ax.annotate(pct(p), (p, y_pos), xytext=(-9 if p > 0.9 else 9, 0), textcoords="offset points",
                    ha="right" if p > 0.9 else "left", va="center", size=9.5, color=MUTED)
    ax.set_yticks([p for p, _ in labels], [shorten(name(tg, lang), _LABEL[lang]) for _, tg in labels])
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


@_styled
def coverage_chart(coverage: pd.DataFrame, lang: str = "zh", registry=None, sources: Sequence[str] | None = None,
                   as_of: int | None = None, years: range = range(2013, 2025)) -> Figure:
    """A dot matrix, targets by year: where a published value of the target's own indicator exists.

    Thin data is the main limit of this study, so it gets its own chart. `coverage` is data/processed/
    coverage_targets.csv (target, years as "2013, 2018-2021") or a long frame (target, year). With `as_of`, a rule
    marks the vintage: values right of it exist now but were not used.
    """
    have = coverage_years(coverage)
    ids = [tg.id for tg in registry.targets] if registry is not None else sorted(have)
    names = {tg.id: name(tg, lang) for tg in registry.targets} if registry is not None else {}
    years = sorted(set(years) | {y for ys in have.values() for y in ys})
    height = max(4.5, 1.7 + 0.24 * len(ids))
    n_have = sum(bool(have.get(i)) for i in ids)
    sub = f"{n_have}/{len(ids)} " + ("个目标至少有一个公开数值" if lang == "zh" else "targets with at least one published value")
    fig, ax = new_figure(t(lang, "coverage"), sub, sources, lang, size=(9, height), left=0.36)
    for i, target in enumerate(ids):
        ax.plot(years, [i] * len(years), "o", ms=5, mfc="white", mec="#cfcfcf", lw=0, gid=f"empty:{target}")
        hit = sorted(have.get(target, ()))
        ax.plot(hit, [i] * len(hit), "o", ms=7, color=ACCENT, lw=0, gid=f"have:{target}")
    if as_of is not None:
        ax.axvline(as_of + 0.5, color="#9a9a9a", lw=1, gid="as_of")
        ax.text(as_of + 0.5, 1.0, f" {t(lang, 'as_of')} {as_of}", transform=ax.get_xaxis_transform(), ha="left",
                va="bottom", size=10, color=MUTED)
    ax.set_yticks(range(len(ids)), [shorten(names.get(i, i), _LABEL[lang]) for i in ids])
    ax.set_ylim(len(ids) - 0.5, -0.5)
    _year_axis(ax, min(years), max(years))
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
        years = set()
        for part in ([] if pd.isna(text) else str(text).split(",")):
            a, _, b = part.strip().partition("-")
            if a:
                years.update(range(int(a), int(b or a) + 1))
        out[target] = years
    return out


def _p_colormap() -> LinearSegmentedColormap:
    """Red (0) through a pale neutral (0.5) to blue (1), the status colours' ends: no muddy mid-tones."""
    colours = [STATUS_COLOURS["very unlikely"], STATUS_COLOURS["unlikely"], "#f3eedf", STATUS_COLOURS["likely"],
               STATUS_COLOURS["very likely"]]
    return LinearSegmentedColormap.from_list("pmeet", list(zip([0.0, 0.22, 0.5, 0.78, 1.0], colours)))


@_styled
def vintage_heatmap(vintage: pd.DataFrame, registry, lang: str = "zh", sources: Sequence[str] | None = None) -> Figure:
    """Targets by as-of year, P(meet) as colour and printed %: how the outlook moved as data arrived.

    `vintage` is assess.vintage_matrix's wide frame (status words in `.attrs["status"]`) or a long frame
    (target, as_of, p_meet[, status]). Met and missed cells say so instead of printing 100% / 0%.
    """
    if "as_of" in vintage.columns:
        status = vintage.pivot(index="target", columns="as_of", values="status") if "status" in vintage else None
        wide = vintage.pivot(index="target", columns="as_of", values="p_meet")
    else:
        wide, status = vintage, vintage.attrs.get("status")
    order = [tg for tg in registry.targets if tg.id in wide.index]
    wide = wide.reindex([tg.id for tg in order]).sort_index(axis=1)
    status = status.reindex(index=wide.index, columns=wide.columns) if status is not None else None
    height = max(4.5, 1.7 + 0.26 * len(wide))
    fig, ax = new_figure(t(lang, "vintage"), t(lang, "as_of_years"), sources or [t(lang, "assessment")], lang,
                         size=(8, height), left=0.40)
    values = wide.to_numpy(dtype=float)
    ax.imshow(np.ma.masked_invalid(values), cmap=_p_colormap(), vmin=0, vmax=1, aspect="auto", gid="heat")
    for (i, j), p in np.ndenumerate(values):
        word = status.iat[i, j] if status is not None else None
        text = status_label(word, lang) if word in ("met", "missed") else pct(p) if np.isfinite(p) else "—"
        dark = np.isfinite(p) and (p < 0.12 or p > 0.85)
        ax.text(j, i, text, ha="center", va="center", size=10, color="white" if dark else INK, gid="cell")
    ax.set_xticks(range(wide.shape[1]), [str(c) for c in wide.columns])
    ax.set_yticks(range(len(order)), [shorten(name(tg, lang), _LABEL[lang]) for tg in order])
    ax.tick_params(length=0)
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.xaxis.tick_top()
    return fig


@_styled
def reliability_chart(pred: Iterable[float], outcome: Iterable[float], lang: str = "zh",
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
    edges = np.array([0, 0.10, 0.33, 0.66, 0.90, 1.0])
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    xs, ys, ns = [], [], []
    for b in range(len(edges) - 1):
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
    _unit_title(ax, t(lang, "freq"))
    return fig


# --- the fan chart of one target ---------------------------------------------------------------------------------

@_styled
def fan_chart(outlook, lang: str = "zh", sources: Sequence[str] | None = None) -> Figure:
    """History, forecast fan (80% and 95%), the target at its year, the path needed, and the as-of year.

    Cumulative targets are drawn as the running sum over their window (the thing the target counts), with the
    annual additions as bars; growth targets as annual growth against the required rate. A target with no
    published value gets a plain panel naming the bureau table that would decide it, not an empty chart.
    """
    target = outlook.target
    fig, ax = new_figure(name(target, lang), subtitle_text(outlook.row, lang), sources, lang)
    history = outlook.history.dropna().sort_index()
    if history.empty:
        _no_data_panel(ax, outlook, lang)
        return fig
    if target.kind == "cumulative":
        _draw_cumulative(ax, outlook, history, lang)
    else:
        _draw_series(ax, outlook, history, lang)
    _draw_target(ax, outlook, lang)
    ax.axvline(outlook.as_of, color="#9a9a9a", lw=1, zorder=1, gid="as_of")
    ax.text(outlook.as_of, 1.0, f" {t(lang, 'as_of')} {outlook.as_of}", transform=ax.get_xaxis_transform(),
            ha="left", va="top", size=10, color=MUTED)
    first = min(int(history.index.min()), target.window_start or target.target_year)
    _year_axis(ax, first, max(target.target_year, outlook.as_of))
    ax.margins(y=0.15)  # head room for the as-of label above the highest value
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
    """Legend in reading order (observed, forecast, bands, needed path, target), whatever the drawing order."""
    order = ["annual", "history", "forecast", "band80", "band95", "required", "target"]
    artists = {a.get_gid(): a for a in [*ax.lines, *ax.collections] if a.get_gid()}
    artists.update({"annual": c for c in ax.containers})
    handles = [artists[g] for g in order if g in artists]
    ax.legend(handles=handles, labels=[h.get_label() for h in handles], loc="best", ncols=2)


def _fan(fc) -> dict:
    return {"years": fc.years, "mean": fc.mean, "lo80": fc.lo80, "hi80": fc.hi80, "lo95": fc.lo95, "hi95": fc.hi95}


def _draw_required(ax, outlook, lang: str) -> None:
    """The path the target needs, dashed; not drawn for a level target the latest value already meets, where the
    engine's straight line to the target would read as an instruction to get worse."""
    target, hist = outlook.target, outlook.history.dropna()
    if target.kind == "level" and len(hist) and target.meets(float(hist.iloc[-1])):
        return
    req = outlook.required_path
    if req is None and outlook.target.kind == "avg_growth" and outlook.indicator.scale == "growth":
        req = required_growth(outlook)
    if req is not None and len(req):
        req = req.sort_index()
        ax.plot(req.index.astype(int), req.to_numpy(dtype=float), "--", color="#555555", lw=1.4,
                marker="_" if len(req) == 1 else None, ms=14, label=t(lang, "required"), gid="required")


def _unit_title(ax, text: str) -> None:
    """The unit above the y axis, horizontal: a rotated CJK label ("个") is unreadable."""
    ax.set_title(text, loc="left", size=10.5, color=MUTED, pad=6)


def _draw_series(ax, outlook, history: pd.Series, lang: str) -> None:
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
    if target.kind == "avg_growth" and outlook.indicator.scale == "growth":
        _unit_title(ax, t(lang, "growth"))
        ax.axhline(0, color="#9a9a9a", lw=0.8, zorder=1)
    else:
        _unit_title(ax, unit_label(target.unit, lang))
    if target.kind == "rank":
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
    q = np.quantile(paths, [0.5, 0.1, 0.9, 0.025, 0.975], axis=0)
    out["fan"] = {"years": years[keep], "mean": q[0], "lo80": q[1], "hi80": q[2], "lo95": q[3], "hi95": q[4]}
    return out


def _draw_cumulative(ax, outlook, history: pd.Series, lang: str) -> None:
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
    _unit_title(ax, unit_label(target.unit, lang))


def _draw_target(ax, outlook, lang: str) -> None:
    """A thick segment at the target value in the target year (over the whole window for growth targets).

    Its words ("目标 ≤ 35 微克/立方米") go in the legend: a label beside the segment collides with the fan. An
    average-growth target on a level series is drawn where the level must end: the base grown at the target rate.
    """
    target = outlook.target
    y, x0 = target.value, (target.window_start if target.kind == "avg_growth" else target.target_year) - 0.35
    if target.kind == "avg_growth" and outlook.indicator.scale != "growth":
        base = target.window_start - 1
        if base not in outlook.history.index:
            return
        y = float(outlook.history[base]) * (1 + target.value / 100) ** (target.target_year - base)
        x0 = target.target_year - 0.35
    x1 = target.target_year + 0.35
    ax.axhline(y, color=INK, lw=0.8, ls=":", alpha=0.6, zorder=1, gid="target_ref")
    ax.plot([x0, x1], [y, y], color=INK, lw=3.2, solid_capstyle="butt", zorder=5, label=target_text(target, lang),
            gid="target")


def required_growth(outlook) -> pd.Series | None:
    """The growth rate the rest of the window needs, once part of it is published, for the geometric-mean target.

    ((1 + v)^N / prod(1 + g_seen))^(1/rest) - 1, as a flat line over the remaining years: after a slump year the
    line shows at a glance how much faster the remaining years must grow. None before the window starts (the line
    would be the target itself) or when nothing remains.
    """
    target, hist = outlook.target, outlook.history
    window = range(target.window_start, target.target_year + 1)
    seen = hist[hist.index.isin(window)]
    rest = [y for y in window if y > (int(hist.index.max()) if len(hist) else 0)]
    if seen.empty or not rest or len(seen) + len(rest) != len(window):
        return None
    needed = (1 + target.value / 100) ** len(window) / np.prod(1 + seen.to_numpy(dtype=float) / 100)
    return pd.Series(100 * (needed ** (1 / len(rest)) - 1), index=pd.Index(rest, name="year"))


def _no_data_panel(ax, outlook, lang: str) -> None:
    ax.set_axis_off()
    table = outlook.indicator.bureau_table
    ax.text(0.5, 0.66, t(lang, "no_data"), ha="center", va="center", size=20, color=MUTED, gid="no_data",
            transform=ax.transAxes)
    ax.text(0.5, 0.42, wrap(t(lang, "needs") + table, 84, max_lines=3), ha="center", va="center", size=12,
            color=INK, transform=ax.transAxes, gid="bureau_table")
    ax.text(0.5, 0.18, f"{target_text(outlook.target, lang)} ({outlook.target.target_year})", ha="center",
            va="center", size=11, color=MUTED, transform=ax.transAxes)
