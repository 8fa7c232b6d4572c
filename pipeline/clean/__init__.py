"""Clean: repair unicode, strip site chrome, recover title, date and caption; keep an audit of removals.

Page dumps and plain text go through the line-based dump cleaner; HTML through trafilatura (clean/html.py).
What a source already knew about a record (a collection's title or date column, a WARC record's target URI
and fetch date) is kept when the page itself says nothing better.
"""

from __future__ import annotations

from pipeline.base import DocumentStep
from pipeline.clean.html import MAX_HTML_DEPTH, extract_html, too_deep
from pipeline.clean.page_dump import clean_page_dump
from pipeline.config import Limits
from pipeline.document import Document, Rejection

PARAGRAPH_SEPARATOR = "\n\n"


class Cleaner(DocumentStep):
    """Documents in, cleaned documents (or rejections) out."""

    name = "clean"

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def process(self, doc: Document) -> Document | Rejection:
        if len(doc.raw_text) > self.limits.max_document_chars:
            return self.reject(doc, "document_too_large", f"{len(doc.raw_text)} characters, over the limit of "
                                                          f"{self.limits.max_document_chars} set by "
                                                          "limits.max_document_chars")
        if doc.input_format == "html":
            return self._clean_html(doc)
        page = clean_page_dump(doc.raw_text)
        doc.text = PARAGRAPH_SEPARATOR.join(page.paragraphs)
        doc.title = doc.title or page.title
        doc.published_date = doc.published_date or page.published_date or doc.fetch_date
        doc.image_caption, doc.image_credit = page.image_caption, page.image_credit
        doc.removed = page.removed
        doc.extraction_method = "page_dump"
        if len(doc.text) < self.limits.min_document_chars:
            return self.reject(doc, "no_article", "nothing is left of the page once its chrome is removed")
        return doc

    def _clean_html(self, doc: Document) -> Document | Rejection:
        if too_deep(doc.raw_text):
            return self.reject(doc, "html_too_deep", f"elements nest deeper than {MAX_HTML_DEPTH} levels, where "
                                                     "the HTML parser stops: the page could only be read in part")
        article = extract_html(doc.raw_text, doc.url)
        if article is None:
            return self.reject(doc, "no_article", "the HTML page holds no recoverable article "
                                                  "(an index, error or empty page)")
        doc.text = PARAGRAPH_SEPARATOR.join(article.paragraphs)
        doc.removed = article.removed
        doc.title = doc.title or article.title
        doc.published_date = doc.published_date or article.published_date or doc.fetch_date
        doc.url = doc.url or article.url
        doc.site_name = doc.site_name or article.site_name
        doc.authors = doc.authors or article.authors
        doc.extraction_method = article.method
        if len(doc.text) < self.limits.min_document_chars:
            return self.reject(doc, "no_article", "the extracted article is empty")
        return doc
