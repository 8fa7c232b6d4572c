"""ftfy's mojibake test (`is_bad`), searched only near the characters its patterns cannot do without.

`is_bad` runs a regex of about forty alternatives at every position of the text: on dumps it was most of the
cleaner's time. Each alternative is a short fixed sequence of character classes, and each has at least one
class made only of rare non-ASCII characters (accented capitals, box drawing, currency, C1 controls...).
Those "anchor" characters are read from ftfy's own regex at import, so a match can only lie within a few
characters of one, and the regex need only be searched there. Text with curly quotes and dashes but no
anchor (most English news) needs no search at all. If ftfy's regex ever stops fitting that shape, the
derivation fails and `looks_bad` is plain `is_bad`.
"""

from __future__ import annotations

import re

from ftfy.badness import BADNESS_RE

# Typographic characters ftfy's patterns allow but never need: anchors avoid them whenever a branch can,
# and, after them, the common letters of running text (a Russian 'в' rather than the 'Ђ' that follows it).
_TYPOGRAPHY = set("\u00a0\u00ab\u00bb\u00b7\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2022\u2026\u2039\u203a")


def _branch_anchors(branch: list[tuple], constants) -> set[str] | None:
    """The smallest set of non-ASCII characters one mandatory position of a branch must hold, or None."""
    options = []
    for op, arg in branch:
        if op == constants.LITERAL:
            chars = {chr(arg)}
        elif op == constants.IN and all(o in (constants.LITERAL, constants.RANGE) for o, _ in arg):
            chars = {chr(c) for o, a in arg for c in ([a] if o == constants.LITERAL else range(a[0], a[1] + 1))}
        else:
            continue  # a repeat, a negated class or a category: not a position every match must fill
        if all(ord(c) > 127 for c in chars):
            options.append(chars)
    return min(options, key=lambda chars: (len(chars & _TYPOGRAPHY), sum(map(_running_letter, chars)), len(chars)),
               default=None)


def _running_letter(char: str) -> bool:
    """A letter of running text in Latin-1, Greek or Russian: an anchor the search would stop at all the time."""
    return "\u00c0" <= char <= "\u00ff" or "\u0391" <= char <= "\u03c9" or "\u0410" <= char <= "\u044f"


def _derive() -> tuple[re.Pattern, int] | None:
    """(cluster pattern, reach) from ftfy's regex, or None when it does not have the expected shape."""
    try:
        from re import _constants, _parser  # the stdlib's regex parser (private, hence the fallback)

        (op, (_, branches)), = _parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags).data
        if op != _constants.BRANCH:
            return None
        anchors: set[str] = set()
        width = 0
        for branch in branches:
            chars = _branch_anchors(branch.data, _constants)
            if chars is None:
                return None
            anchors |= chars
            width = max(width, branch.getwidth()[1])
    except Exception:  # noqa: BLE001  (any surprise in a private API means: use ftfy's own test)
        return None
    if width > 16:
        return None
    reach = width - 1
    anchor = "[" + "".join(re.escape(c) for c in sorted(anchors)) + "]"
    # Anchors no more than 2*reach characters apart share one window; farther apart, windows cannot meet.
    return re.compile(f"{anchor}(?:.{{0,{2 * reach}}}?{anchor})*", re.DOTALL), reach


_DERIVED = _derive()


def may_be_bad(text: str) -> bool:
    """False when no part of the text can be mojibake: it holds none of the anchor characters every match needs.

    Exact for any substring too (a line of a page), so one scan of a page can clear all its lines at once.
    """
    return _DERIVED is None or _DERIVED[0].search(text) is not None


# ftfy's regex has no look-around and no '$'; its one '^' (a line opening with 'Ã ') is why matching each line
# of a page is not the same as matching the page. In multi-line mode '^' matches after every newline, so a
# match in any line is a match in the lines joined by newlines.
_BAD_IN_A_LINE = re.compile(BADNESS_RE.pattern, BADNESS_RE.flags | re.MULTILINE)
_LOOKAROUND = ("(?=", "(?!", "(?<", "\\b", "\\B", "\\A", "\\Z", "$")


def looks_bad(text: str) -> bool:
    """Exactly `ftfy.badness.is_bad(text)`, but searched only in windows around anchor characters."""
    return _windowed(BADNESS_RE, text)


def any_line_looks_bad(lines: list[str]) -> bool:
    """Whether `looks_bad` holds for one of the lines, in one windowed search of the page (False is exact;
    True may also come from a match across a line break, so the caller then checks line by line)."""
    if _DERIVED is None or any(token in BADNESS_RE.pattern for token in _LOOKAROUND):
        return True
    return _windowed(_BAD_IN_A_LINE, "\n".join(lines))


def _windowed(pattern: re.Pattern, text: str) -> bool:
    if _DERIVED is None:
        return pattern.search(text) is not None
    clusters, reach = _DERIVED
    return any(pattern.search(text, max(0, cluster.start() - reach), cluster.end() + reach)
               for cluster in clusters.finditer(text))
