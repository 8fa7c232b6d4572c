"""The data contracts of a release: one pandera model and one Arrow schema per table.

The pandera models say what a valid row is (validate.py enforces them and quarantines the rest);
the Arrow schemas fix the exact Parquet types, so that every release has the same shape.
"""

from __future__ import annotations

import pandera.pandas as pa
import pyarrow as arrow
from pandera.typing import Series

DOC_ID = r"^[0-9a-f]{16}$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
QUARANTINE_STAGES = ["read", "clean", "segment", "enrich", "chunk", "validate", "publish"]
REMOVAL_REASONS = [
    "navigation", "call_to_action", "no_words", "title", "header", "published_date", "date_line",
    "image_caption", "byline", "footer",
]


class DocumentPart(pa.DataFrameModel):
    """Columns shared by every table that hangs off a document."""

    doc_id: Series[str] = pa.Field(str_matches=DOC_ID)


class Span(DocumentPart):
    start: Series[int] = pa.Field(ge=0)
    end: Series[int] = pa.Field(ge=1)
    text: Series[str] = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check(error="end must be greater than start")
    def end_after_start(cls, df):  # noqa: N805 (pandera passes the class)
        return df["end"] > df["start"]


class Documents(DocumentPart):
    doc_id: Series[str] = pa.Field(str_matches=DOC_ID, unique=True)
    source_path: Series[str] = pa.Field(str_length={"min_value": 1})
    source_sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    encoding: Series[str]
    title: Series[str] = pa.Field(nullable=True)
    published_date: Series[str] = pa.Field(nullable=True, str_matches=ISO_DATE)
    image_caption: Series[str] = pa.Field(nullable=True)
    image_credit: Series[str] = pa.Field(nullable=True)
    language: Series[str] = pa.Field(nullable=True)
    text: Series[str] = pa.Field(str_length={"min_value": 1})
    n_chars: Series[int] = pa.Field(ge=1)
    n_words: Series[int] = pa.Field(ge=1)
    n_paragraphs: Series[int] = pa.Field(ge=1)
    n_sentences: Series[int] = pa.Field(ge=1)

    class Config:
        strict = True


class Paragraphs(Span):
    paragraph_index: Series[int] = pa.Field(ge=0)
    n_sentences: Series[int] = pa.Field(ge=1)

    class Config:
        strict = True
        unique = ["doc_id", "paragraph_index"]


class Sentences(Span):
    sentence_index: Series[int] = pa.Field(ge=0)
    paragraph_index: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        unique = ["doc_id", "sentence_index"]


class RemovedLines(DocumentPart):
    line_number: Series[int] = pa.Field(ge=1)
    text: Series[str]
    reason: Series[str] = pa.Field(isin=REMOVAL_REASONS)

    class Config:
        strict = True


class Duplicates(DocumentPart):
    source_path: Series[str]
    duplicate_of: Series[str] = pa.Field(str_matches=DOC_ID)
    kept_source_path: Series[str]
    method: Series[str] = pa.Field(isin=["exact_bytes"])

    class Config:
        strict = True


class Quarantine(pa.DataFrameModel):
    source_path: Series[str]
    doc_id: Series[str] = pa.Field(nullable=True)
    source_sha256: Series[str] = pa.Field(nullable=True)
    stage: Series[str] = pa.Field(isin=QUARANTINE_STAGES)
    reason: Series[str] = pa.Field(str_length={"min_value": 1})
    detail: Series[str]

    class Config:
        strict = True


_STR, _INT = arrow.string(), arrow.int64()


def _span_fields() -> list[arrow.Field]:
    return [arrow.field("doc_id", _STR, False), arrow.field("start", _INT, False),
            arrow.field("end", _INT, False), arrow.field("text", _STR, False)]


ARROW_SCHEMAS: dict[str, arrow.Schema] = {
    "documents": arrow.schema([
        arrow.field("doc_id", _STR, False), arrow.field("source_path", _STR, False),
        arrow.field("source_sha256", _STR, False), arrow.field("encoding", _STR, False),
        arrow.field("title", _STR), arrow.field("published_date", _STR),
        arrow.field("image_caption", _STR), arrow.field("image_credit", _STR),
        arrow.field("language", _STR), arrow.field("text", _STR, False),
        arrow.field("n_chars", _INT, False), arrow.field("n_words", _INT, False),
        arrow.field("n_paragraphs", _INT, False), arrow.field("n_sentences", _INT, False),
    ]),
    "paragraphs": arrow.schema([*_span_fields(), arrow.field("paragraph_index", _INT, False),
                                arrow.field("n_sentences", _INT, False)]),
    "sentences": arrow.schema([*_span_fields(), arrow.field("sentence_index", _INT, False),
                               arrow.field("paragraph_index", _INT, False)]),
    "removed_lines": arrow.schema([
        arrow.field("doc_id", _STR, False), arrow.field("line_number", _INT, False),
        arrow.field("text", _STR, False), arrow.field("reason", _STR, False),
    ]),
    "duplicates": arrow.schema([
        arrow.field("doc_id", _STR, False), arrow.field("source_path", _STR, False),
        arrow.field("duplicate_of", _STR, False), arrow.field("kept_source_path", _STR, False),
        arrow.field("method", _STR, False),
    ]),
    "quarantine": arrow.schema([
        arrow.field("source_path", _STR, False), arrow.field("doc_id", _STR),
        arrow.field("source_sha256", _STR), arrow.field("stage", _STR, False),
        arrow.field("reason", _STR, False), arrow.field("detail", _STR, False),
    ]),
}

MODELS: dict[str, type[pa.DataFrameModel]] = {
    "documents": Documents, "paragraphs": Paragraphs, "sentences": Sentences,
    "removed_lines": RemovedLines, "duplicates": Duplicates, "quarantine": Quarantine,
}

# How rows of each table are ordered in a release: by document, then position.
SORT_KEYS: dict[str, list[str]] = {
    "documents": ["doc_id"], "paragraphs": ["doc_id", "paragraph_index"],
    "sentences": ["doc_id", "sentence_index"], "removed_lines": ["doc_id", "line_number"],
    "duplicates": ["doc_id", "source_path"], "quarantine": ["source_path", "stage", "reason", "detail"],
}

TABLE_DESCRIPTIONS: dict[str, str] = {
    "documents": "One row per published article: clean body text and recovered metadata.",
    "paragraphs": "Paragraphs of each document, as [start, end) character offsets into documents.text.",
    "sentences": "Sentences of each document, as [start, end) character offsets into documents.text.",
    "removed_lines": "Every line the cleaner took out of a page, with the reason (audit of the cleaner).",
    "duplicates": "Input records whose content is identical to a published document, and which one was kept.",
    "quarantine": "Input records that could not be published, with the stage and the reason.",
}

# Tables made per document inside a shard (documents and the tables keyed by its doc_id), and the
# tables whose rows are spans of documents.text (checked to slice it exactly).
SHARD_LEVEL_TABLES = ("duplicates", "quarantine")
PER_DOCUMENT_TABLES = tuple(name for name in ARROW_SCHEMAS if name not in SHARD_LEVEL_TABLES)
SPAN_TABLES = tuple(
    name for name, schema in ARROW_SCHEMAS.items()
    if name != "documents" and {"doc_id", "start", "end", "text"} <= set(schema.names)
)

# What each column means, for the dataset card's column table and Croissant field descriptions.
# A column missing here is still published; its description is then empty.
COLUMN_DESCRIPTIONS: dict[str, str] = {
    "doc_id": "Document id: first 16 hex digits of the sha256 of the input record's bytes (stable across versions).",
    "source_path": "Path of the input file, relative to the input folder it was found in.",
    "source_sha256": "sha256 of the input file's bytes.",
    "encoding": "Character encoding the input was decoded from.",
    "title": "Headline recovered from the page, if any.",
    "published_date": "Publication date recovered from the page (ISO YYYY-MM-DD), if any.",
    "image_caption": "Caption of the article's lead image, if any.",
    "image_credit": "Credit (photographer/agency) of the lead image, if any.",
    "language": "Language of the text (ISO 639-1), if known.",
    "text": "Clean text (documents: the article body; span tables: documents.text[start:end]).",
    "n_chars": "Characters in text.",
    "n_words": "Whitespace-separated words in text.",
    "n_paragraphs": "Paragraphs in the paragraphs table for this document.",
    "n_sentences": "Sentences (in this document, or in this paragraph).",
    "start": "Start offset (characters, inclusive) into documents.text.",
    "end": "End offset (characters, exclusive) into documents.text.",
    "paragraph_index": "Position of the paragraph in its document, from 0.",
    "sentence_index": "Position of the sentence in its document, from 0.",
    "line_number": "Line number in the input file, from 1.",
    "reason": "Why the row is here (a reason code).",
    "duplicate_of": "doc_id of the published document with the same bytes.",
    "kept_source_path": "source_path of the copy that was published.",
    "method": "How the duplicate was found.",
    "stage": "Pipeline stage that rejected the record.",
    "detail": "Readable explanation naming the file and what is wrong.",
}
