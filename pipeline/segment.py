"""Segment: paragraphs and sentences as exact character spans of the document's clean `text`."""

from __future__ import annotations

import sentencex

from pipeline.base import DocumentStep
from pipeline.clean import PARAGRAPH_SEPARATOR
from pipeline.document import Document, Span


def paragraph_spans(text: str) -> list[Span]:
    spans, cursor = [], 0
    for block in text.split(PARAGRAPH_SEPARATOR):
        start = cursor + (len(block) - len(block.lstrip()))
        end = cursor + len(block.rstrip())
        if end > start:
            spans.append(Span(start, end))
        cursor += len(block) + len(PARAGRAPH_SEPARATOR)
    return spans


def sentence_spans(text: str, paragraph: Span, language: str = "en") -> list[Span]:
    """Sentences of one paragraph, found back in the text so offsets stay exact whatever the splitter does."""
    chunk = text[paragraph.start:paragraph.end]
    spans, cursor = [], 0
    for sentence in sentencex.segment(language, chunk):
        stripped = sentence.strip()
        if not stripped:
            continue
        found = chunk.find(stripped, cursor)
        if found < 0:  # the splitter changed the text: keep the rest of the paragraph as one sentence
            break
        spans.append(Span(paragraph.start + found, paragraph.start + found + len(stripped)))
        cursor = found + len(stripped)
    rest = chunk[cursor:]
    if rest.strip():
        lead = len(rest) - len(rest.lstrip())
        spans.append(Span(paragraph.start + cursor + lead, paragraph.start + cursor + len(rest.rstrip())))
    return spans


class Segmenter(DocumentStep):
    """Fills `paragraphs` and `sentences` of each document."""

    name = "segment"

    def process(self, doc: Document) -> Document:
        doc.paragraphs = paragraph_spans(doc.text)
        doc.sentences = [
            (index, span)
            for index, paragraph in enumerate(doc.paragraphs)
            for span in sentence_spans(doc.text, paragraph, doc.language or "en")
        ]
        return doc
