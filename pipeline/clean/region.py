"""Find the article in the body of a page dump: the best run of prose after the header.

Prose lines add their words, other lines cost a price growing with their length (a maximum-sum segment, as
in Finn et al.'s body text extraction), so teasers and related-story lists, where prose alternates with
links, fall outside it. A run that starts later than the body pays for the prose it leaves out before it,
so a distant block (a cookie notice, a legal footer, an author's bio) must outweigh the article it would
skip, not merely match it; and the run stops at a comment thread's heading. Pictures' captions and the
lines of ordered lists sit inside articles: they do not break the run.
"""

from __future__ import annotations

import re

from pipeline.clean.lines import (
    chrome_reason,
    ends_like_prose,
    holds_any,
    is_picture_text,
    reads_like_prose,
    word_count,
)

Line = tuple[int, str]  # (line number in the source, text)

_LETTER_WORD = re.compile(r"[^\W\d_]+")
_PROSE_WORDS = 15  # a line this long counts as article prose even without final punctuation
_SENTENCE_WORDS = 5  # a shorter line counts if it ends like a sentence
_GAP_COST = 8.0  # price of a non-prose line, times the square root of its word count
_LIST = ("list_item", "list_gap")  # marks of ordered lists: kept in the article
_NEUTRAL = ("image_caption", "list_gap")  # lines that sit inside articles: they neither add nor cost
_ITEM_NUMBER = re.compile(r"^(?:step\s+)?(\d{1,3})(?:[.):]|\s)", re.IGNORECASE)
_LIST_MIN_ITEMS = 3
_LIST_ITEM_GAP = 3  # lines allowed between two items (a link, a price, a picture credit)
# A heading or count that opens a comment thread: '12 comments', 'Leave a comment', 'Kommentare (3)'.
_COMMENTS = re.compile(r"\b(comments?|comentários?|comentarios?|commentaires?|comment[io]|kommentare?|reacties|"
                       r"komentar|komentarze|коммента\w*)\b", re.IGNORECASE)
_COMMENTS_MAX_WORDS = 5
_COMMENTS_HINTS = ("com", "kom", "reac", "ком")  # what every word of `_COMMENTS` holds, lowered: a cheap test first


def body_reasons(body: list[Line], at_top: bool) -> list[str | None]:
    """Per line of the body: None to keep it, else why it is removed.

    A plain article (at the top of the page, no chrome line anywhere) has nothing to trim: its lists and
    short closing lines are article, so it comes through whole.
    """
    if at_top:
        reasons = [chrome_reason(line) for _, line in body]
        if not any(reasons):
            return reasons
    end = _comments_start(body)  # nothing past it can be article: no need to look at it line by line
    inside = body[:end]
    reasons = [chrome_reason(line) or ("image_caption" if is_picture_text(line) else None) for _, line in inside]
    for i, mark in _list_items(inside).items():
        reasons[i] = reasons[i] or mark
    first, last = _article_region(inside, reasons)
    footer_from = first + _footer_start(inside[first:last], reasons[first:last])
    return ["outside_article" if not first <= i < last else
            (None if reason in _LIST else reason) or ("footer" if i >= footer_from else None)
            for i, reason in enumerate(reasons)] + ["outside_article"] * (len(body) - end)


def _article_region(body: list[Line], reasons: list[str | None]) -> tuple[int, int]:
    """[first, last) of the best run: the maximum of its scores minus the prose words before its start."""
    best, best_span = -float("inf"), (0, len(body))
    running = 0.0  # sum of the scores of lines before i
    skipped = 0.0  # prose words before line i: what a run starting at i leaves out
    start_value, start = 0.0, 0  # the best start so far: max over s <= i of -(running(s) + skipped(s))
    for i, ((_, line), reason) in enumerate(zip(body, reasons, strict=True)):
        words = word_count(line)
        prose = reason == "list_item" or reason is None and _region_prose(line, words)
        if -(running + skipped) > start_value:
            start_value, start = -(running + skipped), i
        if reason not in _NEUTRAL:
            running += words if prose else -_GAP_COST * max(words, 1) ** 0.5
        skipped += words if prose else 0
        if running + start_value >= best:  # (ties extend the run over neutral lines: a list's last link)
            best, best_span = running + start_value, (start, i + 1)
    return best_span


def _region_prose(line: str, words: int) -> bool:
    """A sentence of five words or more, or a long line that is not a run of capitalised names or links.

    Long unpunctuated lines with mostly capitalised words are tag clouds, archive menus and headline lists.
    """
    if ends_like_prose(line):
        return words >= _SENTENCE_WORDS
    if words < _PROSE_WORDS:
        return False
    letters = _LETTER_WORD.findall(line)
    return sum(word[0].isupper() for word in letters) * 2 < len(letters)


def _comments_start(body: list[Line]) -> int:
    """Index of the first line that opens a comment thread after some prose, or len(body).

    Comments are prose too, often more of it than the article: the article must not run into them. A bare
    'Comments' is not enough (share bars have one): the line needs a count or a verb with it.
    """
    seen_prose = False
    for i, (_, line) in enumerate(body):
        if seen_prose and 2 <= word_count(line) <= _COMMENTS_MAX_WORDS and _comments_heading(line):
            return i
        seen_prose = seen_prose or reads_like_prose(line)
    return len(body)


def _comments_heading(line: str) -> bool:
    lower = line.lower()
    return holds_any(lower, _COMMENTS_HINTS) and _COMMENTS.search(line) is not None


def _list_items(body: list[Line]) -> dict[int, str]:
    """Ordered lists: lines starting 1, 2, 3... ('1.', '1)', 'Step 1'), three items or more.

    Ranked lists, recipe steps and tables of standings are article text however short their lines: the
    items are marked `list_item` (they score as prose), the lines between two items (a link, a price)
    `list_gap`.
    """
    marks: dict[int, str] = {}
    run: list[tuple[int, int]] = []  # (index, number) of the items so far

    def close() -> None:
        if len(run) >= _LIST_MIN_ITEMS:  # the last item is followed by as many lines as the others at most
            gap = max(later - earlier for (earlier, _), (later, _) in zip(run, run[1:], strict=False)) - 1
            marks.update((i, "list_gap") for i in range(run[0][0], min(run[-1][0] + gap + 1, len(body))))
            marks.update((i, "list_item") for i, _ in run)

    for i, (_, line) in enumerate(body):
        if not line[0].isdigit() and line[0] not in "Ss" or not (match := _ITEM_NUMBER.match(line)):
            continue
        number = int(match[1])
        if run and number == run[-1][1] + 1 and i - run[-1][0] <= _LIST_ITEM_GAP + 1:
            run.append((i, number))
            continue
        close()
        run = [(i, number)] if number == 1 else []
    close()
    return marks


def _footer_start(body: list[Line], reasons: list[str | None]) -> int:
    """Index where a trailing run of short, unpunctuated lines (related links, tags) begins; len(body) if none.

    Chrome lines inside the run do not break it (they are removed anyway); an ordered list does. A single
    short line is kept: it is more often the article's last line than chrome.
    """
    start, short_lines = len(body), 0
    while start > 0 and reasons[start - 1] not in _LIST:
        line = body[start - 1][1]
        if reasons[start - 1] is None:
            if ends_like_prose(line) or word_count(line) > _PROSE_WORDS:
                break
            short_lines += 1
        start -= 1
    return start if short_lines >= 2 else len(body)
