"""Unicode repair that keeps the article's typography (curly quotes, dashes) intact."""

from __future__ import annotations

import re

import ftfy

# ftfy's defaults straighten curly quotes; a news archive wants them as the publisher wrote them.
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=False)
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x85")


def repair(text: str, max_rounds: int = 3) -> str:
    """Fix mojibake and control characters, and make every line break a plain newline.

    ftfy's output can itself look like mojibake (a C1 control fixed into '€' next to a Latin letter), so
    it runs until nothing changes: repairing repaired text must be a no-op, or cleaning is not idempotent.
    """
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))
    for _ in range(max_rounds):
        fixed = _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", ftfy.fix_text(text, _FTFY)))
        if fixed == text:
            break
        text = fixed
    return text


def normalise_line(line: str) -> str:
    """Collapse runs of spaces (no-break spaces included) and drop invisible characters."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", line)).strip()


def split_lines(text: str) -> list[str]:
    return _LINE_BREAKS.split(text)
