"""Recover the article and its metadata from an HTML page.

trafilatura does the heavy lifting (DOM cleaning, link density, main-content scoring, metadata from
meta tags, JSON-LD and htmldate). Two things measurably improve on its default on the extraction benchmark
(see bench/README.md): running it in `favor_precision` mode, which prunes more of the teasers and link
lists that sit beside an article, and then dropping the paragraphs that the page-dump cleaner recognises
as site chrome wherever they stand (share buttons, "follow us on" lines, cookie and copyright notices).
When the precise pass finds nothing, the default and then the recall-oriented pass are tried, so a short
or oddly built article is not lost for the sake of precision. A result without a single sentence (an index
page's link list, an error page) is no article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
import trafilatura
from lxml import etree

from pipeline.clean.lines import chrome_reason, reads_like_prose
from pipeline.clean.unicode import normalise_line, repair
from pipeline.document import RemovedLine

# (method name, trafilatura options), tried in order until one recovers text.
_PASSES: tuple[tuple[str, dict], ...] = (
    ("trafilatura_precision", {"favor_precision": True}),
    ("trafilatura", {}),
    ("trafilatura_recall", {"favor_recall": True}),
)
_ERROR_PAGE = re.compile(r"\b(404|page not found|not found|error|access denied|forbidden)\b", re.IGNORECASE)
_ERROR_PAGE_MAX_CHARS = 600  # an error page's text is short; a real article about a 404 is not
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
MAX_HTML_DEPTH = 255  # libxml2 stops building the tree below this depth (without its "huge" option)


@dataclass
class HtmlArticle:
    paragraphs: list[str]
    removed: list[RemovedLine] = field(default_factory=list)
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_date: str | None = None
    site_name: str | None = None
    url: str | None = None
    method: str = ""


def extract_html(html: str, url: str | None = None) -> HtmlArticle | None:
    """The article of a page, or None when the page holds none (index pages, empty bodies, error pages)."""
    result, method = None, ""
    for name, options in _PASSES:
        result = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True, **options)
        if result is not None and (result.text or "").strip():
            method = name
            break
    if not method:
        return None
    article = HtmlArticle(paragraphs=[], method=method)
    for number, raw in enumerate(repair(result.text).split("\n"), start=1):
        line = normalise_line(raw)
        if not line:
            continue
        reason = chrome_reason(line)
        if reason is None:
            article.paragraphs.append(line)
        else:
            article.removed.append(RemovedLine(number, line, reason))
    if not any(reads_like_prose(line) for line in article.paragraphs):
        return None  # link lists and headlines only (an index page): no sentence, no article
    title = normalise_line(result.title or "") or None
    text_chars = sum(len(p) for p in article.paragraphs)
    if title and _ERROR_PAGE.search(title) and text_chars < _ERROR_PAGE_MAX_CHARS:
        return None
    article.title = title
    article.authors = split_authors(result.author)
    article.published_date = result.date[:10] if result.date and _DATE.match(result.date) else None
    article.site_name = normalise_line(result.sitename or "") or None
    article.url = result.url or url
    return article


def too_deep(html: str) -> bool:
    """Whether elements nest past what the HTML parser reads: the page would silently be read in part."""
    if html.count("<") <= MAX_HTML_DEPTH:
        return False
    parser = lxml.html.HTMLParser()
    try:
        lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):  # an empty document, or a str with an encoding declaration
        return False
    return any("Excessive depth" in entry.message for entry in parser.error_log)


def split_authors(author: str | None) -> list[str]:
    """trafilatura joins several authors with '; '."""
    if not author:
        return []
    return [name for name in (normalise_line(part) for part in author.split(";")) if name]
