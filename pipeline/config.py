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


# Settings that only affect how a release is assembled, not what a shard computes.
PUBLISH_ONLY_SETTINGS = {"dataset_name", "license", "pretty_name", "retention", "shard_size"}


@dataclass(frozen=True)
class BuildConfig:
    dataset_name: str = "broadsheet"
    shard_size: int = 500  # documents (files for now) per task run: Prefect costs tens of ms a task
    limits: Limits = field(default_factory=Limits)
    license: str = "other"
    pretty_name: str = "Broadsheet news text"
    retention: str = "keep"  # inputs gone since the last release: "keep" their rows, or "drop" them

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
        return cls(limits=limits, **data)
