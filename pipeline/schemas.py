"""The data contracts of a release: one pandera model and one Arrow schema per table.

The pandera models say what a valid row is (validate.py enforces them and quarantines the rest);
the Arrow schemas fix the exact Parquet types, so that every release has the same shape.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
from pandera import extensions
from pandera.typing import Series

DOC_ID = r"^[0-9a-f]{16}$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
QUARANTINE_STAGES = ["read", "clean", "segment", "enrich", "chunk", "validate", "shard", "publish"]
EXTRACTION_METHODS = ["page_dump", "trafilatura_precision", "trafilatura", "trafilatura_recall"]
REMOVAL_REASONS = [
    "navigation", "call_to_action", "no_words", "title", "header", "published_date", "date_line",
    "image_caption", "byline", "footer", "outside_article",
]


class DocumentPart(pa.DataFrameModel):
    """Columns shared by every table that hangs off a document."""

    doc_id: Series[str] = pa.Field(str_matches=DOC_ID)


def end_after_start(df: pd.DataFrame, *, start: str, end: str) -> pd.Series:
    """A span's end lies after its start. Registered (not a model method) so `to_yaml` exports it."""
    return df[end] > df[start]


if "end_after_start" not in pa.Check.REGISTERED_CUSTOM_CHECKS:  # importing twice must not re-register
    extensions.register_check_method(statistics=["start", "end"], supported_types=pd.DataFrame)(end_after_start)


class Span(DocumentPart):
    start: Series[int] = pa.Field(ge=0)
    end: Series[int] = pa.Field(ge=1)
    text: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        end_after_start = {"start": "start", "end": "end"}


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
    url: Series[str] = pa.Field(nullable=True)
    site_name: Series[str] = pa.Field(nullable=True)
    authors: Series[object] = pa.Field(nullable=True)  # list<string> in Arrow
    extraction_method: Series[str] = pa.Field(nullable=True, isin=EXTRACTION_METHODS)
    text: Series[str] = pa.Field(str_length={"min_value": 1})
    n_chars: Series[int] = pa.Field(ge=1)
    n_words: Series[int] = pa.Field(ge=1)
    n_paragraphs: Series[int] = pa.Field(ge=1)
    n_sentences: Series[int] = pa.Field(ge=1)
    # enrichment (pipeline/enrich): null when the enricher is switched off or abstains
    language_score: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    keywords: Series[object] = pa.Field(nullable=True)
    mean_word_length: Series[float] = pa.Field(nullable=True, ge=0)
    symbol_word_ratio: Series[float] = pa.Field(nullable=True, ge=0)
    ellipsis_line_ratio: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    bullet_line_ratio: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    punctuated_line_ratio: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    duplicate_line_ratio: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    duplicate_line_char_ratio: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    alpha_word_ratio: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    stop_word_count: Series[float] = pa.Field(nullable=True, ge=0, coerce=True)  # int64 in Arrow; NaN-able here
    mean_sentence_words: Series[float] = pa.Field(nullable=True, ge=0)
    reading_time_minutes: Series[float] = pa.Field(nullable=True, ge=0)
    flesch_reading_ease: Series[float] = pa.Field(nullable=True)
    # set at publish time (pipeline/dedup.py): the kept representative of this document's duplicate group;
    # null for a document that is unique or is itself the representative
    duplicate_of: Series[str] = pa.Field(nullable=True, str_matches=DOC_ID)

    class Config:
        strict = True


SPEAKER_SOURCES = ["same_sentence", "pronoun", "same_paragraph", "previous_paragraph"]


class Entities(Span):
    label: Series[str] = pa.Field(str_length={"min_value": 1})  # OntoNotes labels with the default model;
    # not a closed list, so that a model with another label set can be configured
    canonical: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        unique = ["doc_id", "start", "end"]


class Quotes(Span):
    paragraph_index: Series[int] = pa.Field(ge=0)
    speaker: Series[str] = pa.Field(nullable=True)
    speaker_source: Series[str] = pa.Field(nullable=True, isin=SPEAKER_SOURCES)
    cue: Series[str] = pa.Field(nullable=True)
    partial: Series[bool]

    class Config:
        strict = True
        unique = ["doc_id", "start"]


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


class Chunks(Span):
    chunk_id: Series[str] = pa.Field(str_matches=DOC_ID, unique=True)
    chunk_index: Series[int] = pa.Field(ge=0)
    n_tokens: Series[int] = pa.Field(ge=1)
    title: Series[str] = pa.Field(nullable=True)
    published_date: Series[str] = pa.Field(nullable=True, str_matches=ISO_DATE)
    first_sentence_index: Series[int] = pa.Field(ge=0)
    last_sentence_index: Series[int] = pa.Field(ge=0)
    split_sentence: Series[bool]

    @pa.dataframe_check(error="last_sentence_index must not be before first_sentence_index")
    def sentences_in_order(cls, df):  # noqa: N805 (pandera passes the class)
        return df["last_sentence_index"] >= df["first_sentence_index"]

    class Config:
        strict = True
        unique = ["doc_id", "chunk_index"]


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
    method: Series[str] = pa.Field(isin=["exact_bytes", "exact_text", "near_minhash"])
    similarity: Series[float] = pa.Field(nullable=True, ge=0, le=1)  # Jaccard of word shingles (near_minhash)

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


_STR, _INT, _FLOAT = arrow.string(), arrow.int64(), arrow.float64()
QUALITY_COLUMNS = ("mean_word_length", "symbol_word_ratio", "ellipsis_line_ratio", "bullet_line_ratio",
                   "punctuated_line_ratio", "duplicate_line_ratio", "duplicate_line_char_ratio", "alpha_word_ratio")
READING_COLUMNS = ("mean_sentence_words", "reading_time_minutes", "flesch_reading_ease")


def _span_fields() -> list[arrow.Field]:
    return [arrow.field("doc_id", _STR, False), arrow.field("start", _INT, False),
            arrow.field("end", _INT, False), arrow.field("text", _STR, False)]


ARROW_SCHEMAS: dict[str, arrow.Schema] = {
    "documents": arrow.schema([
        arrow.field("doc_id", _STR, False), arrow.field("source_path", _STR, False),
        arrow.field("source_sha256", _STR, False), arrow.field("encoding", _STR, False),
        arrow.field("title", _STR), arrow.field("published_date", _STR),
        arrow.field("image_caption", _STR), arrow.field("image_credit", _STR),
        arrow.field("language", _STR), arrow.field("url", _STR), arrow.field("site_name", _STR),
        arrow.field("authors", arrow.list_(_STR)), arrow.field("extraction_method", _STR),
        arrow.field("text", _STR, False),
        arrow.field("n_chars", _INT, False), arrow.field("n_words", _INT, False),
        arrow.field("n_paragraphs", _INT, False), arrow.field("n_sentences", _INT, False),
        arrow.field("language_score", _FLOAT), arrow.field("keywords", arrow.list_(_STR)),
        *(arrow.field(name, _FLOAT) for name in QUALITY_COLUMNS), arrow.field("stop_word_count", _INT),
        *(arrow.field(name, _FLOAT) for name in READING_COLUMNS), arrow.field("duplicate_of", _STR),
    ]),
    "paragraphs": arrow.schema([*_span_fields(), arrow.field("paragraph_index", _INT, False),
                                arrow.field("n_sentences", _INT, False)]),
    "sentences": arrow.schema([*_span_fields(), arrow.field("sentence_index", _INT, False),
                               arrow.field("paragraph_index", _INT, False)]),
    "chunks": arrow.schema([
        *_span_fields(), arrow.field("chunk_id", _STR, False), arrow.field("chunk_index", _INT, False),
        arrow.field("n_tokens", _INT, False), arrow.field("title", _STR), arrow.field("published_date", _STR),
        arrow.field("first_sentence_index", _INT, False), arrow.field("last_sentence_index", _INT, False),
        arrow.field("split_sentence", arrow.bool_(), False),
    ]),
    "removed_lines": arrow.schema([
        arrow.field("doc_id", _STR, False), arrow.field("line_number", _INT, False),
        arrow.field("text", _STR, False), arrow.field("reason", _STR, False),
    ]),
    "duplicates": arrow.schema([
        arrow.field("doc_id", _STR, False), arrow.field("source_path", _STR, False),
        arrow.field("duplicate_of", _STR, False), arrow.field("kept_source_path", _STR, False),
        arrow.field("method", _STR, False), arrow.field("similarity", _FLOAT),
    ]),
    "entities": arrow.schema([*_span_fields(), arrow.field("label", _STR, False),
                              arrow.field("canonical", _STR, False)]),
    "quotes": arrow.schema([*_span_fields(), arrow.field("paragraph_index", _INT, False),
                            arrow.field("speaker", _STR), arrow.field("speaker_source", _STR),
                            arrow.field("cue", _STR), arrow.field("partial", arrow.bool_(), False)]),
    "quarantine": arrow.schema([
        arrow.field("source_path", _STR, False), arrow.field("doc_id", _STR),
        arrow.field("source_sha256", _STR), arrow.field("stage", _STR, False),
        arrow.field("reason", _STR, False), arrow.field("detail", _STR, False),
    ]),
}

MODELS: dict[str, type[pa.DataFrameModel]] = {
    "documents": Documents, "paragraphs": Paragraphs, "sentences": Sentences,
    "chunks": Chunks, "removed_lines": RemovedLines, "duplicates": Duplicates, "quarantine": Quarantine,
    "entities": Entities, "quotes": Quotes,
}

# How rows of each table are ordered in a release: by document, then position.
SORT_KEYS: dict[str, list[str]] = {
    "documents": ["doc_id"], "paragraphs": ["doc_id", "paragraph_index"],
    "sentences": ["doc_id", "sentence_index"], "chunks": ["doc_id", "chunk_index"],
    "removed_lines": ["doc_id", "line_number"],
    "duplicates": ["doc_id", "source_path"], "quarantine": ["source_path", "stage", "reason", "detail"],
    "entities": ["doc_id", "start", "end"], "quotes": ["doc_id", "start"],
}

TABLE_DESCRIPTIONS: dict[str, str] = {
    "documents": "One row per published article: clean body text and recovered metadata.",
    "paragraphs": "Paragraphs of each document, as [start, end) character offsets into documents.text.",
    "sentences": "Sentences of each document, as [start, end) character offsets into documents.text.",
    "chunks": ("Runs of whole sentences up to a token budget, for retrieval and training, as [start, end) "
               "offsets into documents.text, with the title and date repeated so a chunk stands alone."),
    "removed_lines": "Every line the cleaner took out of a page, with the reason (audit of the cleaner).",
    "duplicates": "Input records whose content is identical to a published document, and which one was kept.",
    "quarantine": "Input records that could not be published, with the stage and the reason.",
    "entities": "Named entities (spaCy NER) as offsets into documents.text, with a canonical name per document.",
    "quotes": "Direct quotes as offsets into documents.text, with the speaker (canonical), cue verb and how the "
              "speaker was found.",
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
