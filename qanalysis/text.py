"""Text rules shared by every stage: year runs, probabilities as a reader sees them, display width, suggestions.

Chinese characters take two columns on screen and twice the width of a Latin letter in a chart, so every shortening
and wrapping counts display width, never characters: a cut by characters makes CJK labels twice as long as Latin ones.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable


def years_text(years: Iterable[int]) -> str:
    """2019, 2020, 2021, 2023 -> "2019-2021, 2023"."""
    runs: list[list[int]] = []
    for y in sorted(int(y) for y in years):
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs)


def pct(p: float) -> str:
    """P as a reader should see it: whole percents rounded half up, as Excel shows the workbook's cells (so 14.5 %
    reads 15 % in both), and "<1%" / ">99%" where that would round to a certainty."""
    shown = int(round(100 * p, 9) + 0.5)  # round(…, 9) first: 100 * 0.145 is 14.499999999999998 in binary
    return "<1%" if shown <= 0 else ">99%" if shown >= 100 else f"{shown}%"


def width(text: str) -> int:
    """Display width: 2 for a wide (CJK) character, 1 otherwise."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def shorten(text: str, limit: int) -> str:
    """Cut to `limit` display units with an ellipsis, so labels and table cells never run past their column."""
    if width(text) <= limit:
        return text
    while width(text) > limit - 1:
        text = text[:-1]
    return text + "…"


_TOKENS = re.compile(r"[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+|.")  # a Latin word with its space, or one character
ELLIPSIS = "…"


def wrap(text: str, limit: float, max_lines: int = 2) -> str:
    """Wrap mixed Chinese/Latin text to `limit` display units per line, at most `max_lines` lines.

    textwrap counts characters, which makes Chinese lines twice too long and English reasons in a Chinese chart
    break too early. Latin words stay whole; Chinese may break between any two characters. Text too long for
    `max_lines` lines is cut on its last line at a word boundary (a Chinese character), with "…": never mid-word.
    """
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        if line.strip() and width(line + token.rstrip()) > limit:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    lines.append(line.rstrip())
    if len(lines) > max_lines:
        lines = [*lines[:max_lines - 1], _cut(" ".join(lines[max_lines - 1:]), limit)]
    return "\n".join(lines)


def _cut(line: str, limit: float) -> str:
    """`line` cut to fit `limit` display units with the ellipsis: whole Latin words are dropped from its end, a
    Chinese one character at a time."""
    tokens = _TOKENS.findall(line)
    while tokens and width("".join(tokens).rstrip(" ,;:") + ELLIPSIS) > limit:
        tokens.pop()
    return "".join(tokens).rstrip(" ,;:") + ELLIPSIS


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """'; did you mean "e_pm25"?' for the closest known spelling of a mistyped id, or "" when none is close: the
    analyst fixes a typo faster from a suggestion than from the full list of ids."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what Excel, LibreOffice and Sheets read as the start of a formula
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_safe(value: object) -> object:
    """A csv field as a spreadsheet may safely open it: text starting with =, +, -, @, a tab or a carriage return
    gets a leading ' so Excel shows it rather than running it (=HYPERLINK(...) sends the reader to a site,
    =cmd|'...'!A0 runs a program). The one rule for every csv we write.

    Only text is touched: numbers, and text that is exactly a number ("-3.5", "+2"), stay as they are, so a negative
    growth rate stays a number in Excel.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def from_spreadsheet_safe(value: str) -> str:
    """The inverse of spreadsheet_safe, for the csv files we read back: "'=x" -> "=x". A leading ' before a
    formula character is how a spreadsheet marks text (Excel hides it), so the text is what was meant; and a
    processed sources.csv read back by the briefing or a layered build must give the titles as written."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value[1:]):
        return value[1:]
    return value


def markdown_text(text: str) -> str:
    """Text from the registry, the analyst's files or their cells as Markdown shows it, never as markup: no raw
    HTML (a name "<script>..." or "<img src=...>" is shown, not run, by viewers that render HTML in Markdown), no
    entities, no links or images ("[x](url)" reads as text) and no line breaks that would start a heading or a list
    of its own. "<1%" and "a & b" stay as they are. The one rule for summary.md and build_report.md."""
    text = re.sub(r"[\r\n]+", " ", text)
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
    return re.sub(r"([\[\]])", r"\\\1", text)
