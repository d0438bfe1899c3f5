"""The two languages of the suite's reader-facing words: one type, checked once, so "fr" is an error everywhere."""

from enum import StrEnum

from .errors import InputError


class Lang(StrEnum):
    """Chinese or English: charts, reasons, tables and the briefing are written in one of them."""

    ZH = "zh"
    EN = "en"


def as_lang(value: "str | Lang") -> Lang:
    """The language for `value`, or InputError naming what was given; never a silent fall-back to English."""
    try:
        return Lang(value)
    except ValueError:
        raise InputError(f'language: expected "zh" or "en", found {value!r}') from None
