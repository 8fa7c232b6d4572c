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


@lru_cache(maxsize=4096)  # pure; the header is read twice (standfirst, then metadata)
def parse_date_line(line: str) -> tuple[str, str] | None:
    """(iso_date, prefix word) if the whole line is a date such as 'June 12, 2020' or 'Updated: 2020-06-12'."""
    if len(line) > 60 or ("19" not in line and "20" not in line) or len(line.split()) > _MAX_WORDS:
        return None  # (cheap tests first: most lines of a page are not dates)
    if not _YEAR.search(line):
        return None
    if not _MONTH_OR_NUMERIC.search(line):
        return None
    try:
        with warnings.catch_warnings():  # unknown time-zone names ("CST") are fine: only the date is kept
            warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
            parsed, leftovers = dateparser.parse(line, fuzzy_with_tokens=True, default=datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None
    rest = [tok.strip().lower() for chunk in leftovers for tok in re.split(r"[\s,]+", chunk) if tok.strip()]
    if any(tok not in _FILLER and not re.fullmatch(r"[\W_]+", tok) for tok in rest):
        return None
    if parsed.year < 1900:
        return None
    prefix = rest[0] if rest else ""
    return parsed.date().isoformat(), prefix
