"""The house style of every chart: the CJK font, the rcParams, the colours, the frame (title, subtitle, source
line) and deterministic saving.

Every chart is built on a bare `matplotlib.figure.Figure` (not pyplot), so report runs leak no figures and a notebook
shows each chart once; the style lives in an `rc_context`, so importing or calling this module leaves the caller's
rcParams alone. Chinese text needs a CJK font, which a fresh machine lacks: the pip font Noto Sans SC is registered on
first use (`setup_fonts`) and named explicitly in every text's font family, so glyphs resolve the same whether the
figure is drawn now, saved later, or shown inline. Each chart carries a source line, because a chart lifted onto a
slide loses the notebook around it.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..assessment.status import Status
from ..lang import Lang
from ..text import width, wrap
from .labels import source_line

FONT_FAMILY = "Noto Sans SC"
FONT_PATH = files("pylopdf_fonts_zh_cn") / "NotoSansSC-Regular.otf"  # pip-installed: the charts' and the PDF's font
# One colour per status word, used by every chart and by the Excel scorecard. Blue (likely) to orange/red (unlikely)
# rather than green/red, so the scale survives the common red-green colour blindness.
STATUS_COLOURS: dict[str, str] = {
    Status.VERY_LIKELY: "#2166ac",
    Status.LIKELY: "#67a9cf",
    Status.ABOUT_EVEN: "#d8c47a",
    Status.UNLIKELY: "#ef8a3c",
    Status.VERY_UNLIKELY: "#c0392b",
    Status.MET: "#1b3a5c",
    Status.MISSED: "#6e1f1a",
    Status.INSUFFICIENT: "#bdbdbd",
}
INK, MUTED, ACCENT, GRID = "#222222", "#6b6b6b", "#2166ac", "#e6e6e6"


def on_dark(status: str) -> bool:
    """Whether a status colour is dark enough to need white text on it (perceived luminance below 55 %): one rule
    for the charts, the workbook and the notebook tables, so a colour changed in STATUS_COLOURS stays readable."""
    red, green, blue = to_rgb(STATUS_COLOURS[status])
    return 0.299 * red + 0.587 * green + 0.114 * blue < 140 / 255


def setup_fonts() -> str:
    """Register the pip-installed Noto Sans SC with matplotlib once; return its family name.

    `addfont` is used rather than the font cache, so a stale font cache can never hide the font.
    """
    path = str(FONT_PATH)
    if path not in {f.fname for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(path)
    return FONT_FAMILY


def house_rc() -> dict:
    """The house style as rcParams, for `matplotlib.rc_context`: slide-legible sizes, no chart junk. Mathtext is off
    (`text.parse_math`): names, units and publishers come from analysts' files, and "US$5 … US$10" must print as
    written, never as math or a parse error."""
    return {
        "text.parse_math": False,
        "font.family": [setup_fonts(), "DejaVu Sans"], "font.size": 11, "axes.titlesize": 13, "axes.labelsize": 11,
        "xtick.labelsize": 11, "ytick.labelsize": 11, "legend.fontsize": 10.5, "legend.frameon": False,
        "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#9a9a9a",
        "axes.labelcolor": INK, "xtick.color": MUTED, "ytick.color": MUTED, "text.color": INK,
        "axes.grid": True, "axes.grid.axis": "y", "grid.color": GRID, "grid.linewidth": 0.8,
        "axes.axisbelow": True, "figure.facecolor": "white", "savefig.facecolor": "white",
        "svg.hashsalt": "qanalysis", "svg.fonttype": "path",
    }


class Chart(Figure):
    """A Figure that shows itself in Jupyter (`_repr_png_`) without pyplot.

    Bare Figures have no rich display unless pyplot's inline backend happens to be active; going through pyplot
    instead would keep every chart in its global figure list (leaks in report runs, double display in notebooks).
    The PNG carries no version string, so a notebook's stored output does not change with matplotlib.
    """

    def _repr_png_(self) -> bytes:
        return png_bytes(self)


def png_bytes(fig: Figure) -> bytes:
    """The chart as a notebook shows it: a 100 dpi PNG in the house style with no version string."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(house_rc()):
        fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()


SLIDE = (13.33, 7.5)
"""A 16:9 slide in inches (PowerPoint's and Keynote's widescreen page): the overview charts' slide variants fill it."""
EM_PER_UNIT = 0.55
"""Width of one display unit (text.width) in ems of Noto Sans SC, about an upper bound: a CJK character is 1 em for 2
units, the registries' English names measure 0.43-0.53 em a unit (capitals are wide). Curly quotes, counted as 1 unit
but drawn 1 em wide, make a Chinese name with two pairs of them about 3 units wider: the room given to labels keeps
a margin for that."""
LEGEND_FRAME = {"frameon": True, "facecolor": "white", "edgecolor": "#d0d0d0", "framealpha": 0.88, "fancybox": False}
"""The legend's frame: white and slightly transparent, so a line running under the legend does not run through its
words, while the data under it still shows."""


def text_inches(text: str, size: float) -> float:
    """The width a one-line text of font `size` (pt) takes at most, in inches (EM_PER_UNIT)."""
    return width(text) * EM_PER_UNIT * size / 72


def units_per_inch(size: float) -> float:
    """Display units of text of font `size` that fit in one inch: the wrapping width for a column of that size."""
    return 72 / (EM_PER_UNIT * size)


def frame_texts(subtitle: str, sources: Sequence[str] | None, lang: Lang | str, figure_width: float,
                caption: str = "") -> tuple[str, str]:
    """The subtitle and the note below the chart (caption, then source line) as the frame draws them: wrapped to two
    lines at most, in width units per inch of figure at their font size."""
    note = source_line(sources, lang, width=figure_width * 14.5)
    if caption:  # what the engine did to the series, above the sources (fanchart.caption_text)
        note = wrap(caption, figure_width * 14.5) + "\n" + note
    return wrap(subtitle, figure_width * 12.5), note


def frame_inches(subtitle: str, note: str, xlabel: bool = False) -> tuple[float, float]:
    """Inches the frame takes above the axes (title, subtitle) and below them (tick labels, the x label when
    `xlabel`, the note), for these wrapped texts: a chart sized by its rows adds them to the rows' height."""
    return 1.05 + 0.2 * subtitle.count("\n"), 0.62 + 0.17 * note.count("\n") + (0.24 if xlabel else 0.0)


def framed(title: str, subtitle: str, sources: Sequence[str] | None, lang: Lang | str,
           size: tuple[float, float] = (8, 4.5), caption: str = "", xlabel: bool = False) -> tuple[Figure, float, float]:
    """A figure with the house frame: left-aligned title and subtitle above, source line below; returns it with the
    top and bottom (figure fractions) of the band left for the axes.

    Subtitle and source line wrap to two lines at most (`frame_texts`), and the band gives way to them, so no text
    runs off the slide. `xlabel`: the axes below have an x-axis label, so the band leaves room for it above the
    source line instead of setting it beside the sources.
    """
    fig = Chart(figsize=size)
    w, h = size
    sub, note = frame_texts(subtitle, sources, lang, w, caption)
    fig.text(0.015, 1 - 0.22 / h, title, size=14, color=INK, va="top", gid="title")
    fig.text(0.015, 1 - 0.50 / h, sub, size=11, color=MUTED, va="top", gid="subtitle", linespacing=1.3)
    fig.text(0.015, 0.10 / h, note, size=9.5, color=MUTED, va="bottom", gid="source")
    above, below = frame_inches(sub, note, xlabel)
    return fig, 1 - above / h, below / h


def new_figure(title: str, subtitle: str, sources: Sequence[str] | None, lang: Lang | str,
               size: tuple[float, float] = (8, 4.5), left: float = 0.09, caption: str = "",
               xlabel: bool = False) -> tuple[Figure, Axes]:
    """A figure with the house frame (`framed`) and one axes filling its band."""
    fig, top, bottom = framed(title, subtitle, sources, lang, size, caption, xlabel)
    fig.subplots_adjust(left=left, right=0.97, top=top, bottom=bottom)
    return fig, fig.add_subplot()


ChartFunction = TypeVar("ChartFunction", bound=Callable[..., Figure])


def styled(chart: ChartFunction) -> ChartFunction:
    """Build the chart inside the house rc_context, leaving the caller's rcParams as they were (every chart
    function, in `overview` and `fanchart`, is wrapped in it)."""
    @functools.wraps(chart)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with matplotlib.rc_context(house_rc()):
            return chart(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def year_axis(ax, lo: float, hi: float) -> None:
    """Whole years only, with half a year of room at each end for the markers."""
    ax.set_xlim(lo - 0.6, hi + 0.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))


def unit_title(ax, text: str) -> None:
    """The unit above the y axis, horizontal: a rotated CJK label ("个") is unreadable."""
    ax.set_title(text, loc="left", size=10.5, color=MUTED, pad=6)


def as_of_label(ax, year: float, text: str, size: float = 10, above: bool | None = None) -> None:
    """The as-of label at the as-of line: right of it, or left of it when the room right of the line (to the axes'
    right edge) is narrower than the label, so it never runs off the chart.

    `above`: over the axes' top edge, where no legend or data can cover it; None: there unless it would meet the
    unit written at the top left (`unit_title`), else just inside the axes' top edge."""
    lo, hi = ax.get_xlim()
    axes_inches = ax.get_position().width * ax.figure.get_figwidth()
    at, need = (year - lo) / (hi - lo) * axes_inches, text_inches(f" {text} ", size)
    right = axes_inches - at >= need
    if above is None:
        above = (at if right else at - need) >= text_inches(ax.get_title(loc="left"), 10.5) + 0.15
    ax.text(year, 1.0, f" {text}" if right else f"{text} ", transform=ax.get_xaxis_transform(),
            ha="left" if right else "right", va="bottom" if above else "top", size=size, color=MUTED,
            gid="as_of_label")


def save(fig: Figure, path_without_suffix: Path | str) -> list[Path]:
    """Write `<path>.png` (150 dpi) and `<path>.svg` with no timestamps or version strings, so reruns are identical."""
    base = Path(path_without_suffix)
    base.parent.mkdir(parents=True, exist_ok=True)
    png, svg = Path(f"{base}.png"), Path(f"{base}.svg")
    with matplotlib.rc_context(house_rc()):
        fig.savefig(png, dpi=150, metadata={"Software": None})
        fig.savefig(svg, metadata={"Date": None, "Creator": None})
    return [png, svg]


SLIDE_SUFFIX = ".16x9"
"""A chart's 16:9 variant is saved beside it as <name>.16x9.png (and .svg): the dot keeps it apart from any target's
chart figures/<id>.png, since a target id can hold no dot."""
