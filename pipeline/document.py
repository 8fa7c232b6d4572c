"""The record that travels through the stages of one shard."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def content_id(data: bytes | str, length: int = 16) -> str:
    """Stable id from content, never from run order: the same article gets the same id in every run."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:length]


@dataclass
class Span:
    start: int
    end: int


@dataclass
class RemovedLine:
    """One line the cleaner took out of the body, kept so a user can audit the cleaner."""

    line_number: int  # 1-based line of the decoded source
    text: str
    reason: str


@dataclass
class Document:
    doc_id: str
    source_path: str
    raw_text: str
    encoding: str
    source_sha256: str
    text: str = ""
    title: str | None = None
    published_date: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None
    language: str | None = None
    # How the record came in and what its source said about it (readers set these; the cleaner fills gaps).
    input_format: str = "dump"  # "dump" (page-text dump or plain text) or "html"
    url: str | None = None
    fetch_date: str | None = None  # ISO date the page was fetched (WARC-Date), a fallback for published_date
    site_name: str | None = None
    authors: list[str] = field(default_factory=list)
    extraction_method: str | None = None
    removed: list[RemovedLine] = field(default_factory=list)
    paragraphs: list[Span] = field(default_factory=list)
    sentences: list[tuple[int, Span]] = field(default_factory=list)  # (paragraph index, span)
    # Extension points for later steps: extra `documents` columns, and rows of per-document tables
    # (e.g. "entities": [{...}, ...]); the Arrow schemas in schemas.py decide what is kept.
    columns: dict[str, object] = field(default_factory=dict)
    rows: dict[str, list[dict]] = field(default_factory=dict)
    # Working data one step hands to later ones (e.g. spaCy parses for entities and quotes); never published,
    # and emptied once the enrich steps are done so a shard does not hold every parse in memory.
    annotations: dict[str, object] = field(default_factory=dict)


@dataclass
class Rejection:
    """An input record that cannot be published, and why; it lands in the quarantine table."""

    source_path: str
    stage: str
    reason: str
    detail: str
    doc_id: str | None = None
    source_sha256: str | None = None
