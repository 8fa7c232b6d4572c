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
    # Release layout (issue 5): e.g. {"train": 0.8, "validation": 0.1, "test": 0.1}, by hash of doc_id;
    # None publishes one `train` split. Parquet files are sharded above max_parquet_file_bytes (uncompressed Arrow).
    splits: dict[str, float] | None = None
    max_parquet_file_bytes: int = 500 * 1024 * 1024

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
