"""The briefing's one page: an A4 landscape PDF with the findings, the scorecard chart and the table of targets.

The page a reader takes into a meeting, so it must be one page whatever the registry: the table is set at the
largest type size (from PDF_SIZES) at which the page holds it; when even the smallest cannot hold every target, the
rows that come last in reading order (insufficient data first, then the settled and the likely ones) give way to one
line saying how many more are in the summary and the workbook. Made with fpdf2 and the same pip-installed Noto Sans SC font as the charts, so Chinese
prints on a machine without CJK fonts; the creation date is fixed (the as-of year), so a rerun is byte-identical.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from matplotlib.colors import to_rgb

from ..lang import Lang, as_lang
from ..outputs import write_file
from .style import FONT_PATH, MUTED, STATUS_COLOURS
from .summary import STATUS_COLUMN, Facts, table_header, target_rows, title

PDF_SIZES = (7.5, 7.0, 6.5, 6.0)  # table type sizes in points, largest first: 6 pt is the least a page may use
MARGIN, CHART_WIDTH, GAP = 10.0, 100.0, 5.0  # millimetres
COLUMNS = (0.20, 0.10, 0.07, 0.11, 0.065, 0.105, 0.35)  # share of the table's width: name ... reason
_MORE = {Lang.ZH: "其余 {k} 个目标(按同一顺序)见 summary.html 和 scorecard.xlsx。",
         Lang.EN: "The other {k} targets, in the same order, are in summary.html and scorecard.xlsx."}
_FONT = "noto"


@dataclass(frozen=True)
class _Content:
    """What the page shows, worked out once: the page is laid out several times to find the size that fits."""

    as_of: int
    lang: Lang
    title: str
    headline: str
    header: list[str]
    rows: list[tuple[str, list[str]]]
    chart: Path | None
    chart_size: tuple[int, int] = (1, 1)  # pixels


def _png_size(path: Path) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header (the IHDR chunk at bytes 16-24)."""
    with open(path, "rb") as handle:
        head = handle.read(24)
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _rgb(colour: str) -> tuple[int, int, int]:
    red, green, blue = (round(255 * c) for c in to_rgb(colour))
    return red, green, blue


def _page(c: _Content, size: float, n_rows: int) -> FPDF:
    """The page with the first `n_rows` targets of the table at `size` points."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(dt.datetime(c.as_of, 12, 31, tzinfo=dt.UTC))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_font(_FONT, fname=str(FONT_PATH))
    pdf.add_page()
    pdf.set_font(_FONT, size=13)
    pdf.multi_cell(0, 6, c.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, size=8.5)
    pdf.multi_cell(0, 4.2, c.headline, new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 2
    left = MARGIN
    if c.chart is not None:
        # Fitted into the box left of the table, top-aligned: a tall chart must not run off the page.
        width, height = c.chart_size
        w = min(CHART_WIDTH, (pdf.h - MARGIN - top) * width / height)
        pdf.image(str(c.chart), x=MARGIN, y=top, w=w, h=w * height / width)
        left = MARGIN + CHART_WIDTH + GAP
    pdf.set_xy(left, top)
    pdf.set_left_margin(left)
    _table(pdf, c, size, n_rows)
    return pdf


def _table(pdf: FPDF, c: _Content, size: float, n_rows: int) -> None:
    width = pdf.w - pdf.l_margin - MARGIN
    pdf.set_font(_FONT, size=size)
    style = FontFace(emphasis=None, fill_color=(237, 237, 237))
    with pdf.table(width=width, col_widths=[share * width for share in COLUMNS], headings_style=style,
                   line_height=size * 0.45, text_align="LEFT", align="LEFT", first_row_as_headings=True,
                   borders_layout="HORIZONTAL_LINES", padding=0.6) as table:
        table.row(c.header)
        for status, cells in c.rows[:n_rows]:
            row = table.row()
            for j, cell in enumerate(cells):
                colour = STATUS_COLOURS.get(status) if j == STATUS_COLUMN else None
                row.cell(cell, style=FontFace(color=_rgb(colour)) if colour else None)
    if n_rows < len(c.rows):
        pdf.set_text_color(*_rgb(MUTED))
        pdf.multi_cell(width, size * 0.5, _MORE[c.lang].format(k=len(c.rows) - n_rows), new_x="LMARGIN",
                       new_y="NEXT")


def _content(facts: Facts, lang: Lang | str, chart: Path | None) -> _Content:
    lang = as_lang(lang)
    return _Content(facts.as_of, lang, title(facts, lang), facts.headline(lang), table_header(facts, lang),
                    target_rows(facts, lang), chart, _png_size(chart) if chart is not None else (1, 1))


def _fits(c: _Content, size: float, n_rows: int) -> bool:
    pdf = _page(c, size, n_rows)
    _close_fonts(pdf)
    return pdf.pages_count == 1


def _bytes(c: _Content, size: float, n_rows: int) -> bytes:
    pdf = _page(c, size, n_rows)
    data = bytes(pdf.output())
    _close_fonts(pdf)
    return data


def _close_fonts(pdf: FPDF) -> None:
    """Close the font files fpdf2 reads lazily (fontTools keeps each open until closed): a pack lays a page out
    several times, and each layout would otherwise leave the OTF open until the garbage collector finds it."""
    for font in pdf.fonts.values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()


def page_pdf(facts: Facts, lang: Lang | str, chart: Path | None) -> bytes:
    """The one page as bytes: the largest type size that holds every target, else the smallest with as many
    targets as fit (in reading order). Raises ValueError if not even the findings fit, which no registry reaches."""
    c = _content(facts, lang, chart)
    total, smallest = len(c.rows), PDF_SIZES[-1]
    if _fits(c, smallest, total):  # every target fits: at the largest size that still holds them
        size = next(s for s in PDF_SIZES if s == smallest or _fits(c, s, total))
        return _bytes(c, size, total)
    if not _fits(c, smallest, 0):
        raise ValueError("the findings alone do not fit on one page")
    fits, too_many = 0, total  # bisect: the most rows that fit at the smallest size (a larger one holds fewer)
    while too_many - fits > 1:
        middle = (fits + too_many) // 2
        fits, too_many = (middle, too_many) if _fits(c, smallest, middle) else (fits, middle)
    return _bytes(c, smallest, fits)


def write_page(path: Path, facts: Facts, lang: Lang | str, chart: Path | None) -> Path:
    """briefing.pdf, written whole (outputs.write_file)."""
    return write_file(path, page_pdf(facts, lang, chart))
