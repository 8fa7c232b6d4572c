"""Separate a page-text dump's article from its site chrome, and recover the header's metadata.

A dump has one block of the page per line: the HTML title, menus and calls to action, then a header
(headline, standfirst, caption, date, byline), the body, and often a footer. When the headline of the title
line comes again on a line of its own (the article's h1), the header starts there, not in the chrome
above. It ends at the first line that reads like prose (or, when that prose is a standfirst, after the
byline or date below it); lines before it are metadata or chrome. The article is then found in the body
(`region.py`); lines outside it are removed as `outside_article`, and inside it chrome lines still go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.clean.dates import parse_date_line
from pipeline.clean.lines import (
    PROSE_MIN_WORDS,
    chrome_reason,
    is_byline,
    reads_like_prose,
    split_caption,
    word_count,
    words_of,
)
from pipeline.clean.region import body_reasons
from pipeline.clean.unicode import repaired_lines
from pipeline.document import RemovedLine

__all__ = ["CleanedPage", "chrome_reason", "clean_page_dump", "reads_like_prose"]

_TITLE_MIN_WORDS, _TITLE_MAX_WORDS = 4, 25
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|\-–—·»:]|::)\s+")
_STANDFIRST_MAX_WORDS = 60  # a standfirst (dek) is a sentence or two
_STANDFIRST_MAX_LINES = 8  # lines between the standfirst and the byline or date
_KICKER_LINES = 4  # lines just above the h1 that may still be the article's (a kicker, the date)


@dataclass
class CleanedPage:
    paragraphs: list[str]
    removed: list[RemovedLine]
    title: str | None = None
    published_date: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None


def clean_page_dump(raw_text: str) -> CleanedPage:
    lines = repaired_lines(raw_text)
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line]
    headline = _headline_repeat(numbered)
    body_start = _next_prose(numbered, 0 if headline is None else headline + 1)
    if headline is not None and not _heads_the_article(numbered, headline, body_start):
        headline, body_start = None, _next_prose(numbered, 0)
    body_start = _after_standfirst(numbered, body_start)
    page = CleanedPage(paragraphs=[], removed=[])
    title_candidates: list[tuple[int, str]] = []

    # Far above the h1 is site chrome (a date there is today's); just above it, a kicker or the date.
    above = 0 if headline is None else max(0, headline - _KICKER_LINES)
    for number, line in numbered[:above]:
        page.removed.append(RemovedLine(number, line, chrome_reason(line) or "header"))
    dates: list[RemovedLine] = []
    for number, line in numbered[above:body_start]:
        reason = chrome_reason(line)
        if reason is None and (date := parse_date_line(line)):
            dates.append(RemovedLine(number, date[0], "date_line"))
            reason = "date_line"
        elif reason is None and (caption := split_caption(line)):
            if page.image_caption is None:  # the first caption is the lead image's; later ones are removed too
                page.image_caption, page.image_credit = caption
            reason = "image_caption"
        elif reason is None and is_byline(line):
            reason = "byline"
        if reason is None:
            title_candidates.append((number, line))
        else:
            page.removed.append(RemovedLine(number, line, reason))

    title_number = numbered[headline][0] if headline else _pick_title(title_candidates)
    if dates:  # the article's date: the first under the headline, else the first just above it
        date = next((d for d in dates if title_number is None or d.line_number > title_number), dates[0])
        page.published_date = date.text
        for removed in page.removed:
            if removed.line_number == date.line_number:
                removed.reason = "published_date"
    ledes = _ledes(numbered[above:body_start], title_candidates, title_number)
    title_words = next((words_of(line) for number, line in title_candidates if number == title_number), None)
    for number, line in title_candidates:
        if number == title_number:
            page.title = line
            page.removed.append(RemovedLine(number, line, "title"))
        elif words_of(line) == title_words:  # the headline again (h1 and og:title both dumped): no lede
            page.removed.append(RemovedLine(number, line, "header"))
        elif body_start == len(numbered) or number in ledes:
            page.paragraphs.append(line)  # a lede without final punctuation, or a page with no prose at all
        else:
            page.removed.append(RemovedLine(number, line, "header"))

    body = numbered[body_start:]
    for (number, line), reason in zip(body, body_reasons(body, at_top=body_start <= 1), strict=True):
        if reason is None:
            page.paragraphs.append(line)
        else:
            page.removed.append(RemovedLine(number, line, reason))
    page.removed.sort(key=lambda removed: removed.line_number)
    return page


def _next_prose(numbered: list[tuple[int, str]], start: int) -> int:
    """Index of the first line from `start` on that reads like prose and is not chrome, or len(numbered)."""
    return next((i for i in range(start, len(numbered))
                 if reads_like_prose(numbered[i][1]) and not chrome_reason(numbered[i][1])), len(numbered))


def _heads_the_article(numbered: list[tuple[int, str]], headline: int, body_start: int) -> bool:
    """Whether more prose follows the headline's repeat than precedes it.

    The h1 heads the article, the bulk of the page's prose; a line that merely holds the title's words
    further down (a caption, a related link, a time like '10:30' read as words) must not cut the article
    off above it. A headline with no prose after it heads nothing.
    """
    if body_start == len(numbered):
        return False
    before = sum(word_count(line) for _, line in numbered[:headline] if reads_like_prose(line))
    if before == 0:
        return True
    after = sum(word_count(line) for _, line in numbered[body_start:] if reads_like_prose(line))
    return after > before


def _after_standfirst(numbered: list[tuple[int, str]], body_start: int) -> int:
    """Where the body starts when its first prose is a standfirst: a sentence or two, then a byline or date.

    The byline and date close the header, so the standfirst and what sits between (author, captions,
    share buttons) belong to the header too. A page's first line is no standfirst: nothing heads it.
    """
    if body_start == 0:
        return body_start
    words = 0
    for i in range(body_start, min(len(numbered), body_start + _STANDFIRST_MAX_LINES + 1)):
        line = numbered[i][1]
        if reads_like_prose(line) and not chrome_reason(line):
            words += word_count(line)
            if words > _STANDFIRST_MAX_WORDS:
                break
        elif is_byline(line) or parse_date_line(line):
            after = _next_prose(numbered, i + 1)
            return after if after < len(numbered) else body_start
    return body_start


def _headline_repeat(numbered: list[tuple[int, str]]) -> int | None:
    """Index of the line that repeats the headline of the page's title (line one), or None.

    A dump starts with the HTML title ("Headline | Site"); the headline comes again as the article's h1,
    just above the byline and body, so the article is after it, not in the chrome before it.
    """
    if len(numbered) < 2 or reads_like_prose(numbered[0][1]):  # a first line of prose is no page title
        return None
    parts = [words_of(part) for part in _TITLE_SEPARATOR.split(numbered[0][1])]
    longest = max(range(len(parts)), key=lambda i: len(parts[i]))
    if sum(not word.isdigit() for word in parts[longest]) < 2:
        return None
    headlines = {tuple(word for part in parts[a:b] for word in part)
                 for a in range(longest + 1) for b in range(longest + 1, len(parts) + 1)}
    # (cheap test first: a line holding the same words is at least as long as their letters, and not much
    # longer than the title line itself)
    shortest, longest_chars = min(sum(map(len, words)) for words in headlines), 2 * len(numbered[0][1])
    first_word = parts[longest][0]  # every candidate holds the longest part
    for i, (_, line) in enumerate(numbered[1:], start=1):
        if (shortest <= len(line) <= longest_chars and first_word in line.lower() and words_of(line) in headlines
                and not chrome_reason(line)):
            return i
    return None


def _pick_title(candidates: list[tuple[int, str]]) -> int | None:
    """The first header line that reads like a headline; failing that, the longest short line."""
    for number, line in candidates:
        if _TITLE_MIN_WORDS <= word_count(line) <= _TITLE_MAX_WORDS:
            return number
    usable = [(word_count(line), -number, number) for number, line in candidates if 2 <= word_count(line) <= 40]
    if not usable:
        return candidates[0][0] if candidates else None
    return max(usable)[2]


def _ledes(header: list[tuple[int, str]], candidates: list[tuple[int, str]], title_number: int | None) -> set[int]:
    """Long header lines after the title that lead straight into the body (a lede without final punctuation).

    Only the run of such lines just before the body counts: long menu lines further up, or lines above a
    byline or date (a standfirst), are not a lede.
    """
    kept = {number for number, _ in candidates}
    ledes: set[int] = set()
    for number, line in reversed(header):
        if (title_number is None or number <= title_number or number not in kept
                or word_count(line) < PROSE_MIN_WORDS):
            break
        ledes.add(number)
    return ledes
