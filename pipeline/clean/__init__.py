"""Clean: repair unicode, strip site chrome, recover title, date and caption; keep an audit of removals."""

from __future__ import annotations

from pipeline.base import DocumentStep
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
            return self.reject(doc, "document_too_large",
                                f"{len(doc.raw_text)} characters, over the limit of {self.limits.max_document_chars}")
        page = clean_page_dump(doc.raw_text)
        doc.text = PARAGRAPH_SEPARATOR.join(page.paragraphs)
        doc.title, doc.published_date = page.title, page.published_date
        doc.image_caption, doc.image_credit = page.image_caption, page.image_credit
        doc.removed = page.removed
        if len(doc.text) < self.limits.min_document_chars:
            return self.reject(doc, "no_article", "nothing is left of the page once its chrome is removed")
        return doc
