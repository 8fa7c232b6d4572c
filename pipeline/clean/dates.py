"""Recognise a line that is only a publication date, and give it in ISO form."""

from __future__ import annotations

import re
import warnings
from datetime import datetime
from functools import lru_cache

from dateutil import parser as dateparser

_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_FILLER = {"published", "updated", "posted", "on", "at", "date", "last", "modified", "first", "by", "|", "-",
           ",", ":", "am", "pm", "gmt", "utc", "edt", "est", "bst", "cet", "et", "pt", "the", "of"}
_MAX_WORDS = 9
_MONTH_OR_NUMERIC = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}",
    re.IGNORECASE,
)


_TOKEN = re.compile(r"[^\W\d_]+|\d+")  # words and numbers, as dateutil's lexer cuts them ('10:28am': 10, 28, am)
_INFO = dateparser.parserinfo()
# Every word dateutil can read as part of a date (months, weekdays, am/pm, 'at', 'of', 'UTC'...) and the fillers.
_DATE_WORDS = frozenset(
    {name.lower() for table in (_INFO.JUMP, _INFO.PERTAIN, _INFO.UTCZONE) for name in table}
    | {name.lower() for table in (_INFO.WEEKDAYS, _INFO.MONTHS, _INFO.HMS, _INFO.AMPM) for names in table
       for name in names}
    | _FILLER
)
# What may be left over once dateutil has read the date: fillers and its own joining words ('at', 'of', the T
# of ISO times, the m of 'a.m.').
_LEFTOVERS = _FILLER | {name.lower() for table in (_INFO.JUMP, _INFO.PERTAIN) for name in table}
_TZ_MAX_LETTERS = 5  # dateutil takes an upper-case word this short for a time-zone name ('CST')
_DOTTED = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")  # 12.06.2020: day first wherever dots are written


def _only_date_words(line: str) -> bool:
    """Whether every word could be part of a date: a cheap test that dateutil's verdict can only narrow."""
    return all(token.isdigit() or token.lower() in _DATE_WORDS or token.isupper() and len(token) <= _TZ_MAX_LETTERS
               for token in _TOKEN.findall(line))


@lru_cache(maxsize=4096)  # pure; the header is read twice (standfirst, then metadata)
def parse_date_line(line: str) -> tuple[str, str] | None:
    """(iso_date, prefix word) if the whole line is a date such as 'June 12, 2020' or 'Updated: 2020-06-12'."""
    if len(line) > 60 or ("19" not in line and "20" not in line) or len(line.split()) > _MAX_WORDS:
        return None  # (cheap tests first: most lines of a page are not dates)
    if not _YEAR.search(line) or not _MONTH_OR_NUMERIC.search(line) or not _only_date_words(line):
        return None
    try:
        with warnings.catch_warnings():  # unknown time-zone names ("CST") are fine: only the date is kept
            warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
            parsed, leftovers = dateparser.parse(line, fuzzy_with_tokens=True, default=datetime(1900, 1, 1),
                                                 dayfirst=_DOTTED.search(line) is not None)
    except (ValueError, OverflowError):
        return None
    rest = [token.lower() for chunk in leftovers for token in _TOKEN.findall(chunk)]
    if any(token not in _LEFTOVERS for token in rest) or parsed.year < 1900:
        return None
    return parsed.date().isoformat(), rest[0] if rest else ""
