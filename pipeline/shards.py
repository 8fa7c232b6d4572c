"""Shards: groups of many inputs processed as one unit, written to a work folder with a completion marker.

A shard's key hashes its inputs' content, the settings and the code version, so a finished shard is
reused by a rerun (after a crash, or when only other inputs changed) and never by a different build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as arrow
import pyarrow.parquet as pq

import pipeline
from pipeline.config import BuildConfig
from pipeline.dedup import signatures_table
from pipeline.document import Document, Rejection
from pipeline.schemas import ARROW_SCHEMAS
from pipeline.sources import InputFile, read_text_file
from pipeline.steps import document_steps
from pipeline.tables import documents_to_tables, rejections_to_table
from pipeline.validate import split_valid

DONE_MARKER = "_SUCCESS.json"
SIGNATURES = "signatures"  # per-document dedup signatures (pipeline/dedup.py), read back at publish time


@dataclass(frozen=True)
class ShardSpec:
    index: int
    key: str
    files: tuple[InputFile, ...]


@dataclass
class ShardSummary:
    index: int
    key: str
    folder: str
    inputs: int = 0  # records read (one per text file for now)
    published: int = 0
    quarantined: int = 0
    duplicates: int = 0  # identical records inside this shard
    reused: bool = False
    per_reason: dict[str, int] = field(default_factory=dict)


def plan_shards(files: list[InputFile], config: BuildConfig) -> list[ShardSpec]:
    shards = []
    for index, start in enumerate(range(0, len(files), config.shard_size)):
        chunk = tuple(files[start:start + config.shard_size])
        digest = hashlib.sha256(f"{pipeline.__version__}|{config.fingerprint()}".encode())
        for item in chunk:
            digest.update(f"|{item.relative_path}|{item.sha256}".encode())
        shards.append(ShardSpec(index, digest.hexdigest()[:20], chunk))
    return shards


def read_inputs(files: tuple[InputFile, ...], config: BuildConfig) -> Iterator[Document | Rejection]:
    for item in files:
        try:
            yield from read_text_file(item, config.limits)
        except Exception as error:  # a reader bug must cost one file, not the run
            yield Rejection(item.relative_path, "read", "reader_error",
                            f"{item.relative_path}: {type(error).__name__}: {error}", source_sha256=item.sha256)


def run_steps(spec: ShardSpec, config: BuildConfig) -> tuple[list[Document], list[Rejection], list[dict]]:
    """Read, clean and segment one shard; returns (documents, rejections, exact duplicates dropped)."""
    stream = read_inputs(spec.files, config)
    for step in document_steps(config):
        stream = step.run(stream)
    docs: dict[str, Document] = {}
    rejections: list[Rejection] = []
    duplicates: list[dict] = []
    for item in stream:
        if isinstance(item, Rejection):
            rejections.append(item)
        elif item.doc_id in docs:
            kept = docs[item.doc_id]
            duplicates.append({"doc_id": item.doc_id, "source_path": item.source_path,
                               "duplicate_of": kept.doc_id, "kept_source_path": kept.source_path,
                               "method": "exact_bytes"})
        else:
            docs[item.doc_id] = item
    return list(docs.values()), rejections, duplicates


def process_shard(spec: ShardSpec, work_dir: str | Path, config: BuildConfig) -> ShardSummary:
    """Run every stage on one shard and write its tables; a shard already done is not redone."""
    folder = Path(work_dir) / f"shard-{spec.key}"
    marker = folder / DONE_MARKER
    if marker.exists():
        summary = ShardSummary(**json.loads(marker.read_text()))
        summary.reused = True
        return summary

    docs, rejections, duplicates = run_steps(spec, config)
    tables = documents_to_tables(docs)
    tables, failures = split_valid(tables)
    for doc in docs:
        if doc.doc_id in failures:
            detail = "; ".join(sorted({failure.describe() for failure in failures[doc.doc_id]}))
            rejections.append(Rejection(doc.source_path, "validate", "contract_violation",
                                        f"{doc.source_path}: {detail}", doc.doc_id, doc.source_sha256))
    tables["quarantine"] = rejections_to_table(rejections)
    tables["duplicates"] = arrow.Table.from_pylist(duplicates, schema=ARROW_SCHEMAS["duplicates"])
    if config.dedup.exact_text or config.dedup.near:
        tables[SIGNATURES] = signatures_table(tables["documents"], config.dedup)

    per_reason: dict[str, int] = {}
    for rejection in rejections:
        per_reason[rejection.reason] = per_reason.get(rejection.reason, 0) + 1
    summary = ShardSummary(
        index=spec.index, key=spec.key, folder=str(folder),
        inputs=tables["documents"].num_rows + len(rejections) + len(duplicates),
        published=tables["documents"].num_rows, quarantined=len(rejections), duplicates=len(duplicates),
        per_reason=dict(sorted(per_reason.items())),
    )
    _write_atomically(folder, tables, summary)
    return summary


def _write_atomically(folder: Path, tables: dict[str, arrow.Table], summary: ShardSummary) -> None:
    """Write into a temporary folder and rename it, so a killed run never leaves a half shard marked done."""
    staging = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.tmp")
    staging.mkdir(parents=True)
    for name, table in tables.items():
        pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
    payload = asdict(summary)
    payload.pop("reused")
    (staging / DONE_MARKER).write_text(json.dumps(payload, indent=2, sort_keys=True))
    if folder.exists():  # an earlier, unfinished attempt (no marker): replace it
        shutil.rmtree(folder)
    os.replace(staging, folder)


def read_shard_table(summary: ShardSummary, name: str) -> arrow.Table:
    return pq.read_table(Path(summary.folder) / f"{name}.parquet")
