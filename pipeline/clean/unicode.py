"""Unicode repair that keeps the article's typography (curly quotes, dashes) intact."""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.badness import is_bad

# ftfy's defaults straighten curly quotes; a news archive wants them as the publisher wrote them.
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=False)
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x85")


_ASCII_CLEAN = re.compile(r"[\x00-\x08\x0e-\x1f\x7f&]")
# What ftfy would still change in a line without mojibake: controls (C0, C1, escapes), surrogates,
# ligatures, HTML entities.
_NEEDS_FTFY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufb00-\ufb06&]")


def _clean_already(line: str) -> bool:
    if line.isascii():
        return not _ASCII_CLEAN.search(line)
    return not _NEEDS_FTFY.search(line) and not is_bad(line) and unicodedata.is_normalized("NFC", line)


def _fix_line(line: str, max_rounds: int = 3) -> str:
    """ftfy until nothing changes: its output can itself look like mojibake (a C1 control fixed into '€'
    next to a Latin letter), and repairing repaired text must be a no-op, or cleaning is not idempotent."""
    for _ in range(max_rounds):
        fixed = _INVISIBLE.sub("", _LINE_BREAKS.sub(" ", ftfy.fix_text(line, _FTFY)))
        if fixed == line:
            break
        line = fixed
    return line


def repair(text: str) -> str:
    """Fix mojibake and control characters, and make every line break a plain newline.

    ftfy works line by line; a line with no mojibake (ftfy's own `is_bad` test), no control character,
    ligature or HTML entity, already in NFC, is exactly what it would leave alone, so it skips the full fix
    (most lines of a page, and most of ftfy's cost: several times faster on dumps).
    """
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))
    if _clean_already(text):  # one scan of the whole page: the usual case, no line needs ftfy
        return text
    return "\n".join(line if _clean_already(line) else _fix_line(line) for line in text.split("\n"))


def normalise_line(line: str) -> str:
    """Collapse runs of spaces (no-break spaces included) and drop invisible characters.

    Stripping a no-break space can turn a line into something ftfy reads as mojibake, so a line that is
    not already clean is repaired again until both steps leave it alone (cleaning stays idempotent).
    """
    for _ in range(3):
        normalised = _SPACES.sub(" ", _INVISIBLE.sub("", line)).strip()
        if _clean_already(normalised):
            return normalised
        repaired = _fix_line(normalised)
        if repaired == normalised:
            return normalised
        line = repaired
    return _SPACES.sub(" ", _INVISIBLE.sub("", line)).strip()


def split_lines(text: str) -> list[str]:
    return _LINE_BREAKS.split(text)
