"""Keywords per document with YAKE (unsupervised, statistical, no model to download).

Published as a `keywords` list column of `documents`, most relevant first: they are few, ordered and
always read with their document, so a list column saves a join; DuckDB, Polars, pandas and `datasets`
all read list columns natively.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yake

from pipeline.base import DocumentStep
from pipeline.document import Document

MAX_CHARS = 20_000  # YAKE's cost grows with the text; the first pages of an article carry its topic
# YAKE splits sentences on punctuation only: end unpunctuated paragraphs (headings, lists) so that
# keywords do not run from one paragraph into the next
_BARE_PARAGRAPH_END = re.compile(r"(?<=[^\W_])(?=\n)")


@lru_cache(maxsize=16)
def extractor(language: str, max_words: int, top: int) -> yake.KeywordExtractor:
    return yake.KeywordExtractor(lan=language, n=max_words, top=top, dedup_lim=0.7)


def keywords(text: str, language: str | None, max_words: int = 3, top: int = 10) -> list[str]:
    text = _BARE_PARAGRAPH_END.sub(".", text[:MAX_CHARS])
    found = extractor(language or "en", max_words, top).extract_keywords(text)
    ranked = sorted(found, key=lambda pair: (pair[1], pair[0]))  # lower YAKE score = more relevant; ties by text
    return [keyword for keyword, _ in ranked]


class KeywordsStep(DocumentStep):
    name = "enrich"

    def __init__(self, max_words: int, top: int) -> None:
        self.max_words, self.top = max_words, top

    def process(self, doc: Document) -> Document:
        doc.columns["keywords"] = keywords(doc.text, doc.language, self.max_words, self.top)
        return doc
