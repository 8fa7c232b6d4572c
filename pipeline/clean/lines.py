"""Tests on one line of a page: is it chrome, prose, a caption, a byline? Used by the dump and HTML cleaners."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"\w+", re.UNICODE)
_HAS_WORD = re.compile(r"\w")
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
# Cheap prefilter: the call-to-action regex only runs on lines holding one of these (it is the slow part).
_CTA_HINTS = ("channel", "newsletter", "us on", "our page", "telegram", "twitter", "facebook", "instagram",
              "youtube", "whatsapp", "updates", "our app", "notification", "podcast", "click here", "journalism",
              "cookie", "reserved", "©", "copyright", "terms", "privacy")
_CTA_MAX_WORDS = 25
_CREDIT_IN_PARENS = re.compile(r"^(?P<caption>.*\S)\s*\((?P<credit>[^()]{2,80})\)$")
_CREDIT_WORDS = re.compile(
    r"/|\b(photo|image|picture|credit|courtesy|file|getty|reuters|afp|ap|epa|shutterstock|released|"
    r"handout|pool|via)\b",
    re.IGNORECASE,
)
_CREDIT_PREFIX = re.compile(r"^(photo|image|picture|caption|credit|photograph)s?\s*(by|:|–|-)\s*", re.IGNORECASE)
# A short line naming a picture agency ('Jane Doe/Getty Images', 'AP Photo/Jane Doe').
_CREDIT_LINE = re.compile(r"\b(getty images|ap photo|reuters|afp|shutterstock|epa|handout|courtesy of)\b")  # lowered
_CREDIT_LINE_HINTS = ("getty images", "ap photo", "reuters", "afp", "shutterstock", "epa", "handout", "courtesy of")
_BYLINE = re.compile(r"^(by|written by|words by|reporting by)\s+\S", re.IGNORECASE)
_BYLINE_MAX_WORDS = 10
PROSE_MIN_WORDS = 8


@lru_cache(maxsize=1 << 16)
def word_count(line: str) -> int:
    return len(line.split()) if line[:1].isalnum() or _HAS_WORD.search(line) else 0  # (most lines start a word)


def holds_any(text: str, parts: tuple[str, ...]) -> bool:
    """A plain loop of substring tests: several times faster than a regex alternation of the same words, or
    than `any()` over a generator; the cheap first test of the line classifiers."""
    for part in parts:  # noqa: SIM110 (the point: no generator)
        if part in text:
            return True
    return False


def words_of(line: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(line.lower()))


@lru_cache(maxsize=1 << 16)  # pure, and asked several times per line; menus repeat across a site's pages
def chrome_reason(line: str) -> str | None:
    """Why a line is site chrome wherever it stands, or None."""
    words = word_count(line)
    if words == 0:
        return "no_words"
    lower = line.lower()
    if lower.strip(" :|»›>-–—•·") in _NAVIGATION:
        return "navigation"
    if words == 1:  # of the calls to action, only '©...' fits in one word
        return "call_to_action" if line.startswith("©") else None
    if words <= _CTA_MAX_WORDS and holds_any(lower, _CTA_HINTS) and _CALL_TO_ACTION.search(line):
        return "call_to_action"
    return None


def ends_like_prose(line: str) -> bool:
    """Ends with a sentence mark, maybe followed by quotes or brackets ('said.”'), or with a closing quote.

    String methods, not an end-anchored regex: that one is tried at every position of a long line.
    """
    if line.endswith(('"', "”", "’")):
        return True
    return line.rstrip(_CLOSERS).endswith(_SENTENCE_END)


def reads_like_prose(line: str) -> bool:
    return ends_like_prose(line) and word_count(line) >= PROSE_MIN_WORDS


def is_byline(line: str) -> bool:
    return _BYLINE.match(line) is not None and word_count(line) <= _BYLINE_MAX_WORDS


def split_caption(line: str) -> tuple[str, str | None] | None:
    """(caption, credit) if the line is an image caption such as 'Parade in 2013 (URI Tours / Released)'."""
    match = _CREDIT_IN_PARENS.match(line) if line.endswith(")") else None
    if match and _CREDIT_WORDS.search(match["credit"]) and not ends_like_prose(match["caption"]):
        return match["caption"].strip(), match["credit"].strip()
    if line[:1] in "PpIiCc" and _CREDIT_PREFIX.match(line):
        return _CREDIT_PREFIX.sub("", line).strip(), None
    return None


def is_picture_text(line: str) -> bool:
    """A picture's caption or credit as it stands in a body: '... (AP Photo/Jane Doe)', 'Photo: ...', or a
    short line naming an agency ('Jane Doe/Getty Images'). Looser than `split_caption`, which must not
    mistake a header line for the lead image's caption. (Cheap tests first: this runs on every body line.)"""
    if line.endswith(")") and (match := _CREDIT_IN_PARENS.match(line)) and _CREDIT_WORDS.search(match["credit"]):
        return True
    if line[:1] in "PpIiCc" and _CREDIT_PREFIX.match(line):
        return True
    if word_count(line) > _BYLINE_MAX_WORDS:
        return False
    lower = line.lower()
    return (holds_any(lower, _CREDIT_LINE_HINTS) and _CREDIT_LINE.search(lower) is not None
            and not _BYLINE.match(line) and not ends_like_prose(line))
