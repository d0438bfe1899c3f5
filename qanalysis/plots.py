"""The house style of every chart, and the charts over all targets: scorecard, coverage, vintages, reliability.

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

from .assess import LIKELIHOOD, status_word
from .wording import pct

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


def styled(chart):
    """Build the chart inside the house rc_context, leaving the caller's rcParams as they were (every chart
    function, here and in `fanchart`, is wrapped in it)."""
    @functools.wraps(chart)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(house_rc()):
            return chart(*args, **kwargs)
    return wrapper


def year_axis(ax, lo: float, hi: float) -> None:
    """Whole years only, with half a year of room at each end for the markers."""
    ax.set_xlim(lo - 0.6, hi + 0.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))


def unit_title(ax, text: str) -> None:
    """The unit above the y axis, horizontal: a rotated CJK label ("个") is unreadable."""
    ax.set_title(text, loc="left", size=10.5, color=MUTED, pad=6)


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


@styled
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


@styled
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
    year_axis(ax, min(years), max(years))
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


def vintage_frames(vintage: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(P(meet), status words or None), targets by as-of years, from assess.vintage_matrix's wide frame (words in
    `.attrs["status"]`) or a long (target, as_of, p_meet[, status]) frame: the heatmap and the Excel sheet read both."""
    if "as_of" not in vintage.columns:
        return vintage, vintage.attrs.get("status")
    status = vintage.pivot(index="target", columns="as_of", values="status") if "status" in vintage else None
    return vintage.pivot(index="target", columns="as_of", values="p_meet"), status


@styled
def vintage_heatmap(vintage: pd.DataFrame, registry, lang: str = "zh", sources: Sequence[str] | None = None) -> Figure:
    """Targets by as-of year, P(meet) as colour and printed %: how the outlook moved as data arrived.

    `vintage` is assess.vintage_matrix's wide frame (status words in `.attrs["status"]`) or a long frame
    (target, as_of, p_meet[, status]). Met and missed cells say so instead of printing 100% / 0%.
    """
    wide, status = vintage_frames(vintage)
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


@styled
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
