"""Unicode repair that keeps the article's typography (curly quotes, dashes) intact."""

from __future__ import annotations

import re
import unicodedata

import ftfy

from pipeline.clean.lines import holds_any
from pipeline.clean.mojibake import any_line_looks_bad, looks_bad, may_be_bad

# ftfy's defaults straighten curly quotes; a news archive wants them as the publisher wrote them.
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=False)
_SPACE_CLASS = r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
_WIDE_CLASS = r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
_SPACES = re.compile(f"{_SPACE_CLASS}+")
# Only the runs that change when collapsed: two spaces or more, or any other space character (a regex that
# also put every single space back in its place cost ~3 ms on a long page).
_SPACE_RUNS = re.compile(f" {_SPACE_CLASS}+|{_WIDE_CLASS}{_SPACE_CLASS}*")
_WIDE_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x85")
_ENDS_WITH_BREAK = ("\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029")

# What ftfy changes besides mojibake: control characters (C0, C1), surrogates, HTML entities, ligatures.
# Python's regexes cost ~10 ns a character, so cheap string methods rule most text out before they run.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_ENTITY = re.compile(r"&#?[0-9A-Za-z]{1,24};")  # ftfy's own HTML entity pattern
_LIGATURES = re.compile(r"[\ufb00-\ufb06]")
_ASCII_CONTROLS = tuple(map(chr, [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F]))
_DOUBLE_SPACES = re.compile(" {2,}")  # a literal prefix: searched at memchr speed, unlike a character class
_LIGATURE_CHARS = "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"


def _clean_already(line: str) -> bool:
    """True when ftfy would leave the line as it is (no mojibake by its own test, nothing else to fix)."""
    if "&" in line and _ENTITY.search(line):
        return False
    if not line.isprintable() and _CONTROLS.search(line):  # printable text holds no control or surrogate
        return False
    if line.isascii():
        return True
    return not _LIGATURES.search(line) and unicodedata.is_normalized("NFC", line) and not looks_bad(line)


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


def repaired_lines(text: str) -> list[str]:
    """`normalise_line` of every line of `repair(text)`, with each line checked at most once in the usual case.

    A line that is clean before and after its spaces are collapsed needs neither ftfy nor a second look; on a
    page with no control character or entity, an ASCII line needs no look at all.
    """
    if not text.isascii() and any(char in text for char in _INVISIBLE_CHARS):
        text = _INVISIBLE.sub("", text)
    raw = split_lines(text)
    ascii = text.isascii()
    if "\t" in text or not ascii and any(char in text for char in _WIDE_SPACES):
        lines = [line.strip() for line in split_lines(_SPACE_RUNS.sub(" ", text))]
    elif "  " in text:  # (plain spaces only: the same runs, found far faster)
        lines = [line.strip() for line in split_lines(_DOUBLE_SPACES.sub(" ", text))]
    else:
        lines = [line.strip() for line in raw]
    suspect = "&" in text and _ENTITY.search(text) is not None or has_controls(text, ascii)
    if not suspect and (ascii or _clean_unicode(text, raw, lines)):
        return lines
    for i, line in enumerate(raw):
        if suspect or not line.isascii():
            normalised = lines[i]
            if not (_clean_already(normalised) and (normalised == line or _clean_already(line))):
                lines[i] = normalise_line(line if _clean_already(line) else _fix_line(line))
    return lines


def has_controls(text: str, ascii: bool | None = None) -> bool:
    """Whether the text holds a control character or surrogate ftfy would fix (`_CONTROLS`).

    In ASCII text, one memchr scan per control character is several times cheaper than a regex over a
    character class, which tests every character of the page in turn.
    """
    if ascii if ascii is not None else text.isascii():
        return holds_any(text, _ASCII_CONTROLS)
    return _CONTROLS.search(text) is not None


def _clean_unicode(text: str, raw: list[str], lines: list[str]) -> bool:
    """True when no line, before or after its spaces are collapsed (`raw`, `lines`), needs ftfy: checked on
    the page at once.

    Each test holds for every line when it holds for the page: NFC (line breaks and spaces compose with
    nothing, so cutting or collapsing at them keeps it), no ligature, and no mojibake: no anchor character
    at all (most English news), else no match in any line (one windowed search of the joined lines).
    """
    if any(ligature in text for ligature in _LIGATURE_CHARS) or not unicodedata.is_normalized("NFC", text):
        return False
    return not may_be_bad(text) or not (any_line_looks_bad(lines) or any_line_looks_bad(raw))


def split_lines(text: str) -> list[str]:
    """Lines at every line break `_LINE_BREAKS` knows (str.splitlines, save for its extra separators)."""
    if "\x1c" in text or "\x1d" in text or "\x1e" in text:  # splitlines would split here too
        return _LINE_BREAKS.split(text)
    lines = text.splitlines()
    if not text or text.endswith(_ENDS_WITH_BREAK):
        lines.append("")
    return lines
