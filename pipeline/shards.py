"""Shards: groups of many inputs processed as one unit, written to a work folder with a completion marker.

A shard's key hashes its inputs' content, the settings and the code version, so a finished shard is
reused by a rerun (after a crash, or when only other inputs changed) and never by a different build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
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
from pipeline.redact import scrub
from pipeline.schemas import ARROW_SCHEMAS
from pipeline.sources import InputFile, read_input
from pipeline.steps import document_steps
from pipeline.tables import documents_to_tables, rejections_to_table
from pipeline.validate import split_valid

DONE_MARKER = "_SUCCESS.json"


class BooksError(RuntimeError):
    """Records were lost or counted twice: a bug, never retried or quarantined, so the run fails loudly."""


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
    inputs: int = 0  # records read (one per text or HTML file; one per page record of a WARC or row of a collection)
    published: int = 0
    quarantined: int = 0
    duplicates: int = 0  # identical records inside this shard
    reused: bool = False
    per_reason: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage, for benchmarks
    per_file: dict[str, int] = field(default_factory=dict)  # records read per input file (relative path)


def _is_boundary(item: InputFile, shard_size: int) -> bool:
    return int(hashlib.sha256(item.relative_path.encode()).hexdigest()[:12], 16) % shard_size == 0


def plan_shards(files: list[InputFile], config: BuildConfig) -> list[ShardSpec]:
    """Group the (sorted) inputs into shards whose boundaries depend on file names, not positions.

    A shard ends after a file whose path hash is 0 modulo `shard_size` (about `shard_size` files a
    shard, at most twice that), so adding or removing one input changes one shard's key and every
    other finished shard is reused: the cost of an incremental run follows what is new.
    """
    groups: list[list[InputFile]] = [[]]
    for item in files:
        groups[-1].append(item)
        if _is_boundary(item, config.shard_size) or len(groups[-1]) >= 2 * config.shard_size:
            groups.append([])
    shards = []
    for index, chunk in enumerate(group for group in groups if group):
        digest = hashlib.sha256(f"{pipeline.__version__}|{config.fingerprint()}".encode())
        for item in chunk:
            digest.update(f"|{item.relative_path}|{item.sha256}".encode())
        shards.append(ShardSpec(index, digest.hexdigest()[:20], tuple(chunk)))
    return shards


def read_inputs(files: tuple[InputFile, ...], config: BuildConfig) -> Iterator[Document | Rejection]:
    for item in files:
        yield from read_input(item, config)


class _Counter:
    """Counts the records each input's reader yields, independently of what the steps later do with them."""

    def __init__(self, files: tuple[InputFile, ...], config: BuildConfig) -> None:
        self.files, self.config = files, config
        self.per_file: dict[str, int] = {}

    @property
    def count(self) -> int:
        return sum(self.per_file.values())

    def __iter__(self) -> Iterator[Document | Rejection]:
        for item in self.files:
            self.per_file[item.relative_path] = 0
            for record in read_inputs((item,), self.config):
                self.per_file[item.relative_path] += 1
                yield record


def run_steps(spec: ShardSpec, config: BuildConfig, seconds: dict[str, float] | None = None,
              per_file: dict[str, int] | None = None) -> tuple[list[Document], list[Rejection], list[dict], int]:
    """Read and run every step on one shard: (documents, rejections, exact duplicates, records read).

    `per_file`, when given, receives the records read per input file.
    """
    started = time.perf_counter()
    counter = _Counter(spec.files, config)
    stream: Iterator[Document | Rejection] = iter(counter)
    steps = document_steps(config)
    for step in steps:
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
    if seconds is not None:
        step_seconds: dict[str, float] = {}  # several steps share a stage name (language, keywords: enrich)
        for step in steps:
            step_seconds[step.name] = step_seconds.get(step.name, 0.0) + step.seconds
        seconds["read"] = time.perf_counter() - started - sum(step_seconds.values())
        seconds.update(step_seconds)
    if per_file is not None:
        per_file.update(counter.per_file)
    return list(docs.values()), rejections, duplicates, counter.count


def process_shard(spec: ShardSpec, work_dir: str | Path, config: BuildConfig) -> ShardSummary:
    """Run every stage on one shard and write its tables; a shard already done is not redone."""
    folder = Path(work_dir) / f"shard-{spec.key}"
    marker = folder / DONE_MARKER
    done = json.loads(marker.read_text()) if marker.exists() else {}
    if "per_file" in done:  # a marker without per-file counts is from an older build: redo the shard
        summary = ShardSummary(**done)
        summary.index, summary.folder, summary.reused = spec.index, str(folder), True
        return summary

    seconds: dict[str, float] = {}
    per_file: dict[str, int] = {}
    docs, rejections, duplicates, records_read = run_steps(spec, config, seconds, per_file)
    started = time.perf_counter()
    tables = documents_to_tables(docs)
    seconds["tables"] = time.perf_counter() - started
    started = time.perf_counter()
    tables, failures = split_valid(tables)
    seconds["validate"] = time.perf_counter() - started
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
        index=spec.index, key=spec.key, folder=str(folder), inputs=records_read,
        published=tables["documents"].num_rows, quarantined=len(rejections), duplicates=len(duplicates),
        per_reason=dict(sorted(per_reason.items())), seconds=seconds, per_file=per_file,
    )
    if summary.inputs != summary.published + summary.quarantined + summary.duplicates:
        raise BooksError(f"shard {spec.key}: the books do not balance: {records_read} records read, "
                           f"{summary.published} published + {summary.quarantined} quarantined + "
                           f"{summary.duplicates} duplicates")
    started = time.perf_counter()
    _write_atomically(folder, tables, summary)
    seconds["write"] = time.perf_counter() - started
    return summary


def quarantine_shard(spec: ShardSpec, work_dir: str | Path, error: BaseException) -> ShardSummary:
    """A shard that failed after its retries: its inputs go to quarantine with the error; other shards go on.

    Written as `failed-<key>` so that a later run tries the shard again instead of reusing the failure.
    """
    folder = Path(work_dir) / f"failed-{spec.key}"
    reason = scrub(f"{type(error).__name__}: {error}")[:500]
    rejections = [Rejection(item.relative_path, "shard", "shard_failed",
                            f"{item.relative_path}: its shard failed after retries ({reason})",
                            source_sha256=item.sha256) for item in spec.files]
    tables = {name: ARROW_SCHEMAS[name].empty_table() for name in ARROW_SCHEMAS}
    tables["quarantine"] = rejections_to_table(rejections)
    summary = ShardSummary(index=spec.index, key=spec.key, folder=str(folder), inputs=len(rejections),
                           quarantined=len(rejections), per_reason={"shard_failed": len(rejections)},
                           per_file={item.relative_path: 1 for item in spec.files})
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
