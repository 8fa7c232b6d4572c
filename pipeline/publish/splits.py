"""Deterministic train/validation/test splits by a hash of `doc_id`.

A document's split depends only on its `doc_id` and the configured fractions, never on which other
documents are in the release, so a document stays in the same split in every version (no leakage from
test into train when the dataset grows). Rows of per-document tables follow their document; tables
without `doc_id` (quarantine) are published whole as `train`.
"""

from __future__ import annotations

import hashlib

import pyarrow as arrow
import pyarrow.compute as pc

DEFAULT_SPLIT = "train"
SPLIT_ORDER = ("train", "validation", "test")


def check_splits(splits: dict[str, float] | None) -> dict[str, float]:
    """Validated fractions in a fixed order; an empty mapping means one `train` split."""
    if not splits:
        return {}
    unknown = sorted(set(splits) - set(SPLIT_ORDER))
    if unknown:
        raise ValueError(f"unknown split names {unknown}: use {', '.join(SPLIT_ORDER)}")
    if any(f < 0 for f in splits.values()) or abs(sum(splits.values()) - 1.0) > 1e-9:
        raise ValueError(f"split fractions must be >= 0 and add up to 1, got {splits}")
    return {name: float(splits[name]) for name in SPLIT_ORDER if name in splits}


def split_of(doc_id: str, splits: dict[str, float]) -> str:
    """The split a document falls in: a point in [0, 1) from sha256(doc_id), against cumulative fractions."""
    point = int.from_bytes(hashlib.sha256(doc_id.encode()).digest()[:8], "big") / 2**64
    edge = 0.0
    names = list(splits)
    for name in names:
        edge += splits[name]
        if point < edge:
            return name
    return names[-1]


def split_table(table: arrow.Table, splits: dict[str, float] | None) -> dict[str, arrow.Table]:
    """`{split: rows}`; every configured split is present (possibly empty) so file names are predictable."""
    splits = check_splits(splits)
    if not splits or "doc_id" not in table.schema.names:
        return {DEFAULT_SPLIT: table}
    ids = table["doc_id"].to_pylist()
    of = {d: split_of(d, splits) for d in set(ids) if d is not None}  # once per document, not per row
    labels = arrow.array([of.get(d, DEFAULT_SPLIT) for d in ids], arrow.string())
    return {name: table.filter(pc.equal(labels, name)) for name in splits}
