"""Separate a page-text dump's article from its site chrome, and recover the header's metadata.

A dump has one block of the page per line: the HTML title, menus and calls to action, then a header
(headline, caption, date, byline), the body, and often a footer. When the headline of the title line comes
again on a line of its own (the article's h1), the header starts there; it ends at the first line that reads
like prose, and lines before it are metadata or chrome. After it, the article is the best run of prose (a
maximum-sum segment, as in Finn et al.'s body text extraction, that pays for prose it leaves out before
it): prose lines add their words, other lines cost a price growing with their length, so comment threads,
teasers, related-story lists and cookie or legal blocks further down fall outside it. Lines outside it are
removed as `outside_article`; inside it, chrome lines still go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.clean.dates import parse_date_line
from pipeline.clean.unicode import repaired_lines
from pipeline.document import RemovedLine

_WORD = re.compile(r"\w+", re.UNICODE)
_LETTER_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = (".", "!", "?", "…", ":", ";")
_CLOSERS = "\"'”’)]"  # may follow a sentence's final mark
_NAVIGATION = {
    "navigation", "menu", "main menu", "home", "search", "skip to content", "skip to main content", "share",
    "share this", "share this article", "tweet", "print", "email", "e-mail", "subscribe", "log in", "login",
    "sign in", "sign up", "register", "advertisement", "advertising", "sponsored", "related", "related articles",
    "related posts", "read more", "more", "comments", "leave a comment", "next", "previous", "next post",
    "previous post", "back to top", "close", "facebook", "twitter", "linkedin", "whatsapp", "telegram", "reddit",
    "pinterest", "copy link", "newsletter", "tags", "topics", "categories", "you may also like", "trending",
    "most popular", "most read", "latest news", "top stories", "toggle navigation", "open menu", "close menu",
}
_CALL_TO_ACTION = re.compile(
    r"\b(join|follow|subscribe|sign up|like|download|get)\b.{0,60}\b(channel|newsletter|us on|our page|"
    r"telegram|twitter|facebook|instagram|youtube|whatsapp|updates|our app|notifications|podcast)\b"
    r"|\bclick here\b|\bsupport (our|independent) journalism\b|\bwe use cookies\b|\bcookie (policy|settings)\b"
    r"|\ball rights reserved\b|^©|\bcopyright ©|\bterms (of use|and conditions)\b|\bprivacy policy\b",
    re.IGNORECASE,
)
_CREDIT_IN_PARENS = re.compile(r"^(?P<caption>.*\S)\s*\((?P<credit>[^()]{2,80})\)$")
_CREDIT_WORDS = re.compile(
    r"/|\b(photo|image|picture|credit|courtesy|file|getty|reuters|afp|ap|epa|shutterstock|released|"
    r"handout|pool|via)\b",
    re.IGNORECASE,
)
_CREDIT_PREFIX = re.compile(r"^(photo|image|picture|caption|credit|photograph)s?\s*(by|:|–|-)\s*", re.IGNORECASE)
_BYLINE = re.compile(r"^(by|written by|words by|reporting by)\s+\S", re.IGNORECASE)
_BYLINE_MAX_WORDS = 10
# A short line naming a picture agency ('Jane Doe/Getty Images', 'AP Photo/Jane Doe').
_CREDIT_LINE = re.compile(r"\b(getty images|ap photo|reuters|afp|shutterstock|epa|handout|courtesy of)\b",
                          re.IGNORECASE)
# Cheap prefilter: the call-to-action regex only runs on lines holding one of these (it is the slow part).
_CTA_HINTS = ("channel", "newsletter", "us on", "our page", "telegram", "twitter", "facebook", "instagram",
              "youtube", "whatsapp", "updates", "our app", "notification", "podcast", "click here", "journalism",
              "cookie", "reserved", "©", "copyright", "terms", "privacy")
_CTA_HINT = re.compile("|".join(re.escape(hint) for hint in _CTA_HINTS))
_CTA_MAX_WORDS = 25
_REGION_PROSE_WORDS = 15  # a line this long counts as article prose even without final punctuation
_REGION_SENTENCE_WORDS = 5  # a shorter line counts if it ends like a sentence
_REGION_GAP_COST = 8.0  # price of a non-prose line, times the square root of its word count
_PROSE_MIN_WORDS = 8
_TITLE_MIN_WORDS, _TITLE_MAX_WORDS = 4, 25


@dataclass
class CleanedPage:
    paragraphs: list[str]
    removed: list[RemovedLine]
    title: str | None = None
    published_date: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None


@lru_cache(maxsize=1 << 16)
def word_count(line: str) -> int:
    return len(_WORD.findall(line))


@lru_cache(maxsize=1 << 16)  # pure, and asked several times per line; menus repeat across a site's pages
def chrome_reason(line: str) -> str | None:
    """Why a line is site chrome wherever it stands, or None."""
    words = word_count(line)
    if words == 0:
        return "no_words"
    if line.lower().strip(" :|»›>-–—•·") in _NAVIGATION:
        return "navigation"
    if words <= _CTA_MAX_WORDS and _CTA_HINT.search(line.lower()) and _CALL_TO_ACTION.search(line):
        return "call_to_action"
    return None


def ends_like_prose(line: str) -> bool:
    """Ends with a sentence mark, maybe followed by quotes or brackets ('said.”'), or with a closing quote.

    String methods, not an end-anchored regex: that one is tried at every position of a long line.
    """
    if line.endswith(('"', "”", "’")):
        return True
    bare = line.rstrip(_CLOSERS)
    return bare.endswith(_SENTENCE_END)


def reads_like_prose(line: str) -> bool:
    return ends_like_prose(line) and word_count(line) >= _PROSE_MIN_WORDS


def split_caption(line: str) -> tuple[str, str | None] | None:
    """(caption, credit) if the line is an image caption such as 'Parade in 2013 (URI Tours / Released)'."""
    match = _CREDIT_IN_PARENS.match(line) if line.endswith(")") else None
    if match and _CREDIT_WORDS.search(match["credit"]) and not ends_like_prose(match["caption"]):
        return match["caption"].strip(), match["credit"].strip()
    if _CREDIT_PREFIX.match(line):
        return _CREDIT_PREFIX.sub("", line).strip(), None
    return None


def _body_metadata(line: str) -> str | None:
    """'image_caption' for a picture's caption or credit inside the body, else None.

    Pictures sit inside articles, so these lines neither add to the article region nor cost it. (Bylines
    and date lines do cost there: after the article has begun, they head comments and teasers.)
    """
    match = _CREDIT_IN_PARENS.match(line) if line.endswith(")") else None
    if match and _CREDIT_WORDS.search(match["credit"]) or _CREDIT_PREFIX.match(line):
        return "image_caption"  # '... (AP Photo/Jane Doe)', 'Photo: ...'
    if (word_count(line) <= _BYLINE_MAX_WORDS and _CREDIT_LINE.search(line) and not _BYLINE.match(line)
            and not ends_like_prose(line)):
        return "image_caption"  # 'Jane Doe/Getty Images', 'Jane Doe | Bloomberg | Getty Images'
    return None


def clean_page_dump(raw_text: str) -> CleanedPage:
    lines = repaired_lines(raw_text)
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line]
    prose = [i for i, (_, line) in enumerate(numbered) if reads_like_prose(line) and not chrome_reason(line)]
    headline = _headline_repeat(numbered)
    if headline is not None and (not prose or prose[-1] < headline):
        headline = None  # a headline with no prose after it heads no article
    body_start = next((i for i in prose if headline is None or i > headline), len(numbered))
    body_start = _after_standfirst(numbered, prose, body_start)
    page = CleanedPage(paragraphs=[], removed=[])
    title_candidates: list[tuple[int, str]] = []

    for number, line in numbered[:body_start]:
        reason = chrome_reason(line)
        date = parse_date_line(line) if reason is None else None
        if date and page.published_date is None:
            page.published_date, reason = date[0], "published_date"
        elif date:
            reason = "date_line"
        elif reason is None and (caption := split_caption(line)):
            if page.image_caption is None:  # the first caption is the lead image's; later ones are removed too
                page.image_caption, page.image_credit = caption
            reason = "image_caption"
        elif reason is None and _BYLINE.match(line) and word_count(line) <= _BYLINE_MAX_WORDS:
            reason = "byline"
        if reason is None:
            title_candidates.append((number, line))
        else:
            page.removed.append(RemovedLine(number, line, reason))

    title_number = numbered[headline][0] if headline else _pick_title(title_candidates)
    ledes = _ledes(numbered[:body_start], title_candidates, title_number)
    for number, line in title_candidates:
        if number == title_number:
            page.title = line
            page.removed.append(RemovedLine(number, line, "title"))
        elif body_start == len(numbered) or number in ledes:
            page.paragraphs.append(line)  # a lede without final punctuation, or a page with no prose at all
        else:
            page.removed.append(RemovedLine(number, line, "header"))

    body = numbered[body_start:]
    reasons = [chrome_reason(line) for _, line in body]
    # A plain article (headline, then prose straight away, no chrome line anywhere) has nothing to trim:
    # its lists and short closing lines are article, so it comes through whole.
    plain = body_start <= 1 and not any(reasons)
    if not plain:
        reasons = [reason or _body_metadata(line) for (_, line), reason in zip(body, reasons, strict=True)]
        for i, mark in _list_items(body).items():
            reasons[i] = reasons[i] or mark
    end = len(body) if plain else _comments_start(body)
    first, last = (0, len(body)) if plain else _article_region(body[:end], reasons[:end])
    footer_from = len(body) if plain else first + _footer_start(body[first:last], reasons[first:last])
    for i, (number, line) in enumerate(body):
        reason = "outside_article" if not first <= i < last else (
            (None if reasons[i] in _LIST else reasons[i]) or ("footer" if i >= footer_from else None))
        if reason is None:
            page.paragraphs.append(line)
        else:
            page.removed.append(RemovedLine(number, line, reason))
    page.removed.sort(key=lambda removed: removed.line_number)
    return page


_STANDFIRST_MAX_WORDS = 60  # a standfirst (dek) is a sentence or two
_STANDFIRST_MAX_LINES = 8  # lines between the standfirst and the byline or date


def _after_standfirst(numbered: list[tuple[int, str]], prose: list[int], body_start: int) -> int:
    """Where the body starts when its first prose is a standfirst: a sentence or two, then a byline or date.

    The byline and date close the header, so the standfirst and what sits between (author, captions,
    share buttons) belong to the header too.
    """
    words = 0
    for i in range(body_start, min(len(numbered), body_start + _STANDFIRST_MAX_LINES + 1)):
        line = numbered[i][1]
        if reads_like_prose(line) and not chrome_reason(line):
            words += word_count(line)
            if words > _STANDFIRST_MAX_WORDS:
                break
        elif _BYLINE.match(line) and word_count(line) <= _BYLINE_MAX_WORDS or parse_date_line(line):
            return next((j for j in prose if j > i), body_start)
    return body_start


_TITLE_SEPARATOR = re.compile(r"\s+(?:[|\-–—·»:]|::)\s+")


def _headline_repeat(numbered: list[tuple[int, str]]) -> int | None:
    """Index of the line that repeats the headline of the page's title (line one), or None.

    A dump starts with the HTML title ("Headline | Site"); the headline comes again as the article's h1,
    just above the byline and body, so the article is after it, not in the chrome before it.
    """
    if len(numbered) < 2 or reads_like_prose(numbered[0][1]):  # a first line of prose is no page title
        return None
    parts = [_WORD.findall(part.lower()) for part in _TITLE_SEPARATOR.split(numbered[0][1])]
    longest = max(range(len(parts)), key=lambda i: len(parts[i]))
    if sum(not word.isdigit() for word in parts[longest]) < 2:
        return None
    headlines = {tuple(word for part in parts[a:b] for word in part)
                 for a in range(longest + 1) for b in range(longest + 1, len(parts) + 1)}
    lengths = {len(headline) for headline in headlines}
    for i, (_, line) in enumerate(numbered[1:], start=1):
        if word_count(line) in lengths and tuple(_WORD.findall(line.lower())) in headlines and not chrome_reason(line):
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
                or word_count(line) < _PROSE_MIN_WORDS):
            break
        ledes.add(number)
    return ledes


def _article_region(body: list[tuple[int, str]], reasons: list[str | None]) -> tuple[int, int]:
    """[first, last) of the best run of lines: prose scores its words, anything else a cost.

    The body starts at the first prose after the header, so a run that starts later pays for the prose it
    leaves out before it: a distant block (a cookie notice, a legal footer, a comment thread) must outweigh
    the article it would skip, not merely match it. Otherwise this is a maximum-sum segment (Finn et al.'s
    body text extraction), which cuts teasers and related-story lists where prose alternates with links.
    """
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
            running += words if prose else -_REGION_GAP_COST * max(words, 1) ** 0.5
        skipped += words if prose else 0
        if running + start_value > best:
            best, best_span = running + start_value, (start, i + 1)
    return best_span


_LIST = ("list_item", "list_gap")  # marks of ordered lists: kept in the article
_NEUTRAL = ("image_caption", "list_gap")  # lines that sit inside articles: they neither add nor cost
_ITEM_NUMBER = re.compile(r"^(?:step\s+)?(\d{1,3})(?:[.):]|\s)", re.IGNORECASE)
_LIST_MIN_ITEMS = 3
_LIST_ITEM_GAP = 3  # lines allowed between two items (a link, a price, a picture credit)


# A heading or count that opens a comment thread: '12 comments', 'Leave a reply', 'Kommentare (3)'.
_COMMENTS = re.compile(r"\b(comments?|comentários?|comentarios?|commentaires?|comment[io]|kommentare?|reacties|"
                       r"komentar|komentarze|коммента\w*)\b", re.IGNORECASE)
_COMMENTS_MAX_WORDS = 5


def _comments_start(body: list[tuple[int, str]]) -> int:
    """Index of the first line that opens a comment thread after some prose, or len(body).

    Comments are prose too, often more of it than the article: the article region must not run into
    them. A bare 'Comments' is not enough (share bars have one): the line needs a count or a verb.
    """
    seen_prose = False
    for i, (_, line) in enumerate(body):
        words = word_count(line)
        if seen_prose and 2 <= words <= _COMMENTS_MAX_WORDS and _COMMENTS.search(line):
            return i
        seen_prose = seen_prose or reads_like_prose(line)
    return len(body)


def _list_items(body: list[tuple[int, str]]) -> dict[int, str]:
    """Ordered lists: lines starting 1, 2, 3... ('1.', '1)', 'Step 1'), three items or more.

    Ranked lists, recipe steps and tables of standings are article text however short their lines: the
    items are marked `list_item`, the lines between two items (a link, a price) `list_gap`.
    """
    marks: dict[int, str] = {}
    run: list[tuple[int, int]] = []  # (index, number) of the items so far

    def close() -> None:
        if len(run) >= _LIST_MIN_ITEMS:
            marks.update((i, "list_gap") for i in range(run[0][0], run[-1][0] + 1))
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


def _region_prose(line: str, words: int) -> bool:
    """A sentence of five words or more, or a long line that is not a run of capitalised names or links.

    Long unpunctuated lines with mostly capitalised words are tag clouds, archive menus and headline lists.
    """
    if ends_like_prose(line):
        return words >= _REGION_SENTENCE_WORDS
    if words < _REGION_PROSE_WORDS:
        return False
    letters = _LETTER_WORD.findall(line)
    return sum(word[0].isupper() for word in letters) * 2 < len(letters)


def _footer_start(body: list[tuple[int, str]], reasons: list[str | None]) -> int:
    """Index where a trailing run of short, unpunctuated lines (related links, tags) begins; len(body) if none.

    Chrome lines inside the run do not break it (they are removed anyway). A single short line is kept:
    it is more often the article's last line than chrome.
    """
    start, short_lines = len(body), 0
    while start > 0 and reasons[start - 1] not in _LIST:
        line = body[start - 1][1]
        if reasons[start - 1] is None:
            if ends_like_prose(line) or word_count(line) > 15:
                break
            short_lines += 1
        start -= 1
    return start if short_lines >= 2 else len(body)
