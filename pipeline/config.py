"""Build settings with safe defaults; part of every shard's fingerprint."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Limits:
    """Refuse inputs that would exhaust memory instead of crashing on them."""

    max_file_bytes: int = 50_000_000
    max_document_chars: int = 5_000_000
    min_document_chars: int = 1


@dataclass(frozen=True)
class BuildConfig:
    dataset_name: str = "broadsheet"
    shard_size: int = 500  # documents (files for now) per task run: Prefect costs tens of ms a task
    limits: Limits = field(default_factory=Limits)
    license: str = "other"
    pretty_name: str = "Broadsheet news text"
    # Input reading: "auto" detects each file's format from its name and first bytes; or force one of
    # text, html, warc, jsonl, csv, parquet. Collection columns: None means the first of the usual names
    # present (see pipeline/sources/collections.py).
    input_format: str = "auto"
    text_column: str | None = None
    html_column: str | None = None
    url_column: str | None = None
    title_column: str | None = None
    date_column: str | None = None

    def fingerprint(self) -> str:
        """Changes whenever a setting that affects output changes."""
        payload = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()[:16]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> BuildConfig:
        data = dict(data)
        limits = Limits(**data.pop("limits", {}))
        return cls(limits=limits, **data)
