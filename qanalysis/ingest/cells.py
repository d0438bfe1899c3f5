"""Read one cell the way Chinese statistical yearbooks write it: numbers, years, labels and "not published" marks.

Yearbook cells are typed by hand or pasted from PDFs, so the same figure arrives as 4120.5, "4,120.5", "４，１２０．５"
or "4120.5①". Everything here folds those spellings (NFKC for full-width forms) into one value, and refuses what it
cannot read with certainty ("十四", "约40", ">4400", dates) instead of guessing: the numbers feed a public assessment.
Footnote marks come off BEFORE NFKC folding, which would turn "45.2①" into "45.21".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time, timedelta

from ..units import expected_bound

# Footnote marks: circled and bracketed numbers, *, †, #. Superscript digits are not marks here: units use them
# (μg/m³, m²).
_NUMBERED_MARKS = "".join(map(chr, [*range(0x2460, 0x249C), 0x24EA, *range(0x2776, 0x2794)]))
_TRAILING_MARKS = re.compile(f"[*＊†‡#＃{_NUMBERED_MARKS}]+$")
_ANY_NUMBERED_MARK = re.compile(f"[{_NUMBERED_MARKS}]")
_NOT_PUBLISHED = re.compile(r"-+|—+|–+|─+|\.{3,}|…+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_YEAR = re.compile(r"(\d{4})\s*年?度?")
_FOOTNOTE = re.compile(r"注\s*$|注\s*[:：\d①-⑳、.．(（]|资料来源|数据来源")


def cell_text(value: object) -> str:
    """A cell as text ('' for blank; 2018.0 -> '2018', since Excel stores every number as a float)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def split_mark(text: str, anywhere: bool = False) -> tuple[str, str]:
    """("45.2①" -> "45.2", "①"): trailing footnote marks, and with `anywhere` numbered marks inside a label too."""
    text = text.strip()
    found = _TRAILING_MARKS.search(text)
    marks = ""
    if found:
        marks, text = found.group(), text[: found.start()].rstrip()
    if anywhere and _ANY_NUMBERED_MARK.search(text):
        marks = "".join(_ANY_NUMBERED_MARK.findall(text)) + marks
        text = _ANY_NUMBERED_MARK.sub("", text)
    return text, marks


def clean_label(value: object) -> tuple[str, str]:
    """A label folded for matching (marks off, NFKC, no whitespace) and the marks removed from it.

    Yearbooks pad labels with spaces to align them ("指  标") and mix full- and half-width brackets, so labels are
    compared in this folded form, never as typed.
    """
    text, marks = split_mark(cell_text(value), anywhere=True)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)), marks


def label_key(text: str) -> str:
    """The folded form of a label, for lookups in `indicators:` and `ignore:`."""
    return clean_label(text)[0]


def is_footnote(text: str) -> bool:
    """True for the text of a footnote row ("注: …", "注①…", "资料来源…"), but not for a label like "注册商标数"."""
    return bool(_FOOTNOTE.match(unicodedata.normalize("NFKC", text)))


FOUR_DIGIT_YEARS = range(1000, 10000)  # a year as tables write it; a longer run of digits is an ID, not a year


def parse_year(value: object) -> int | None:
    """2018, 2018.0, "2018", "2018年", "２０１８年", "2018年度", "2018年①" -> 2018; anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and value in FOUR_DIGIT_YEARS else None
    text = unicodedata.normalize("NFKC", split_mark(cell_text(value))[0]).strip()
    match = _YEAR.fullmatch(text)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Value:
    """A parsed value cell: a number, or None for "not published" (blank, "-", "…", "—").

    `mark` is the footnote mark taken off and `shown` the cell as written, so the build report can say what was
    removed and how a gap was written.
    """

    number: float | None
    mark: str = ""
    shown: str = ""


def parse_value(value: object, percent_ok: bool = False) -> Value:
    """Read a cell as a number the way yearbooks write them; ValueError('found "…"') when it is not one.

    Accepted: numbers, numbers stored as text, full-width digits and punctuation, thousands separators ("1,234.5",
    "1，234"), "−3.2", trailing footnote marks ("38*", "45.2①"), "12.5%" in a % row. Not published: blank, "-",
    "…", "—", "－". Anything else ("十四", "约40", ">4400", dates, TRUE) is refused, never guessed.
    """
    if value is None:
        return Value(None)
    if isinstance(value, bool):
        raise ValueError(f"found {str(value).upper()}")
    if isinstance(value, (int, float)):
        return Value(_bounded(float(value), f"{value}"))
    if isinstance(value, (date, time, timedelta)):
        raise ValueError(f'found a date "{value}" (Excel may have turned the entry into a date)')
    raw = str(value).strip()
    text, mark = split_mark(raw)
    text = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    if not text or _NOT_PUBLISHED.fullmatch(text):
        return Value(None, mark, raw)
    if percent_ok and text.endswith("%"):
        text = text[:-1].rstrip()
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        raise ValueError(f'found "{raw}"')
    return Value(_bounded(float(text), f'"{raw}"'), mark, raw)


def _bounded(number: float, shown: str) -> float:
    """The number, or ValueError when no statistic could be it (units.expected_bound): a 400-digit cell reads as
    inf, and 1e300 would overflow the forecast's arithmetic."""
    expected = expected_bound(number)
    if expected:
        raise ValueError(f"found {shown}, not {expected}")
    return number
