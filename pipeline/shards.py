"""Shards: groups of many inputs processed as one unit, written to a work folder with a completion marker.

A shard's key hashes its inputs' content, the settings and the code version, so a finished shard is
reused by a rerun (after a crash, or when only other inputs changed) and never by a different build.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import pyarrow as arrow
import pyarrow.compute as pc

import pipeline
from pipeline import storage
from pipeline.config import BuildConfig
from pipeline.dedup import SIGNATURE_SCHEMA, signatures_table
from pipeline.document import Document, Rejection
from pipeline.redact import scrub
from pipeline.schemas import ARROW_SCHEMAS
from pipeline.sources import InputFile, read_input
from pipeline.steps import document_steps
from pipeline.tables import documents_to_tables, rejections_to_table
from pipeline.validate import split_valid

DONE_MARKER = "_SUCCESS.json"
# A shard folder no build used for this long is pruned after a publish: an hourly schedule leaves one
# behind each time new files land in a shard, and every changed shard scans the markers for reusable rows.
# The delay spares the folders of a build still running beside this one on the same output.
STALE_WORK_SECONDS = 24 * 3600


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
    folder: str  # a local path or an fsspec URL (pipeline/storage.py)
    inputs: int = 0  # records read (one per text or HTML file; one per page record of a WARC or row of a collection)
    published: int = 0
    quarantined: int = 0
    duplicates: int = 0  # identical records inside this shard
    reused: bool = False
    per_reason: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage, for benchmarks
    per_file: dict[str, int] = field(default_factory=dict)  # records read per input file (relative path)
    records_reused: int = 0  # records taken from an earlier shard's outputs (its file unchanged), not redone


_SUMMARY_FIELDS = {f.name for f in fields(ShardSummary)}


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
        digest = hashlib.sha256(_settings(config).encode())
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
    """Run every stage on one shard and write its tables; a shard already done is not redone.

    `work_dir` is a local folder or an fsspec URL that every worker can write to.
    """
    folder = storage.join(work_dir, f"shard-{spec.key}")
    done = storage.read_json(storage.join(folder, DONE_MARKER)) or {}
    if "per_file" in done:  # a marker without per-file counts is from an older build: redo the shard
        summary = ShardSummary(**{k: v for k, v in done.items() if k in _SUMMARY_FIELDS})
        summary.index, summary.folder, summary.reused = spec.index, folder, True
        storage.touch_folder(folder)  # in use again: not stale for a concurrent build's pruning
        return summary
    earlier = reuse_unchanged_files(spec, str(work_dir), config)
    if earlier is not None:
        changed = tuple(item for item in spec.files if item.relative_path not in earlier.per_file)
        summary = _process(ShardSpec(spec.index, spec.key, changed), folder, config, earlier)
        if summary is not None:
            return summary
    summary = _process(spec, folder, config, None)
    if summary is None:  # (only a merge with earlier rows can be refused)
        raise AssertionError(f"shard {spec.key}: processing without earlier rows was refused")
    return summary


@dataclass
class EarlierRows:
    """Rows of unchanged files, taken from the shards of an earlier run with the same settings."""

    files: tuple[InputFile, ...]
    tables: dict[str, arrow.Table]
    per_file: dict[str, int]
    doc_ids: set[str]


def _settings(config: BuildConfig) -> str:
    return f"{pipeline.__version__}|{config.fingerprint()}"


def reuse_unchanged_files(spec: ShardSpec, work_dir: str, config: BuildConfig) -> EarlierRows | None:
    """The rows of this shard's files that an earlier shard already made (same path, digest and settings).

    The incremental part of the state store: when new files join a shard (an article added next to it
    changes the shard's key), only the new files are read and enriched. A file whose records took part in
    an exact-duplicate pair is redone with the rest, since which copy is kept depends on its neighbours.
    """
    wanted = {(item.relative_path, item.sha256): item for item in spec.files if item.problem is None}
    settings, by_folder = _settings(config), {}
    for marker in storage.glob(work_dir, f"shard-*/{DONE_MARKER}"):
        done = storage.read_json(marker)
        if done is None or done.get("settings") != settings:
            continue
        found = [wanted.pop(key) for key in list(wanted) if done.get("files", {}).get(key[0]) == key[1]
                 and key[0] in done.get("per_file", {})]
        if found:
            by_folder[storage.parent(marker)] = (found, done["per_file"])
        if not wanted:
            break
    parts = [rows for folder, (found, counts) in by_folder.items()
             if (rows := _earlier_rows(folder, found, counts)) is not None]
    if not parts:
        return None
    names = parts[0].tables.keys()
    return EarlierRows(tuple(item for part in parts for item in part.files),
                       {name: arrow.concat_tables([part.tables[name] for part in parts]) for name in names},
                       {path: n for part in parts for path, n in part.per_file.items()},
                       {doc_id for part in parts for doc_id in part.doc_ids})


def file_of(source_paths: arrow.ChunkedArray | arrow.Array) -> arrow.ChunkedArray | arrow.Array:
    """The input file of each record: 'feed.jsonl#L2' and 'crawl.warc.gz#record-3' belong to their file."""
    return pc.replace_substring_regex(source_paths, pattern=r"#[^#]*$", replacement="")


def _earlier_rows(folder: str, files: list[InputFile], counts: dict[str, int]) -> EarlierRows | None:
    duplicates = storage.read_parquet(storage.join(folder, "duplicates.parquet"),
                                      columns=["source_path", "kept_source_path"])
    paired = set(file_of(duplicates["source_path"]).to_pylist()) | set(
        file_of(duplicates["kept_source_path"]).to_pylist())
    files = [item for item in files if item.relative_path not in paired]
    if not files:
        return None
    names = arrow.array([item.relative_path for item in files], arrow.string())
    tables = {name: storage.read_parquet(path) for name in (*ARROW_SCHEMAS, SIGNATURES)
              if storage.exists(path := storage.join(folder, f"{name}.parquet"))}
    documents = tables["documents"].filter(pc.is_in(file_of(tables["documents"]["source_path"]), names))
    quarantine = tables["quarantine"].filter(pc.is_in(file_of(tables["quarantine"]["source_path"]), names))
    per_file = {item.relative_path: counts[item.relative_path] for item in files}
    if documents.num_rows + quarantine.num_rows != sum(per_file.values()):
        return None  # the rows do not account for the files' records: redo them rather than guess
    ids = documents["doc_id"]
    kept = {"documents": documents, "quarantine": quarantine, "duplicates": tables["duplicates"].slice(0, 0)}
    for name, table in tables.items():
        if name not in kept:
            kept[name] = table.filter(pc.is_in(table["doc_id"], ids))
    schemas = {**ARROW_SCHEMAS, SIGNATURES: SIGNATURE_SCHEMA}
    kept = {name: table.select(schemas[name].names).cast(schemas[name]) for name, table in kept.items()}
    return EarlierRows(tuple(files), kept, per_file, set(ids.to_pylist()))


def _process(spec: ShardSpec, folder: str, config: BuildConfig, earlier: EarlierRows | None) -> ShardSummary | None:
    """Run the steps on the shard's files and write its tables, with `earlier`'s rows added when given.

    Returns None when the new files cannot be merged with the earlier rows exactly as a full run would
    have (a new record repeats a reused one, or a table-wide contract failure): the caller redoes it all.
    """
    seconds: dict[str, float] = {}
    per_file: dict[str, int] = {}
    docs, rejections, duplicates, records_read = run_steps(spec, config, seconds, per_file)
    if earlier is not None and any(doc.doc_id in earlier.doc_ids for doc in docs):
        return None
    started = time.perf_counter()
    tables = documents_to_tables(docs)
    seconds["tables"] = time.perf_counter() - started
    started = time.perf_counter()
    tables, failures = split_valid(tables)
    seconds["validate"] = time.perf_counter() - started
    if earlier is not None and any(failure.doc_id is None for found in failures.values() for failure in found):
        return None
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
    records_reused = 0
    if earlier is not None:
        tables = {name: arrow.concat_tables([earlier.tables[name], table]) if name in earlier.tables else table
                  for name, table in tables.items()}
        for reason in earlier.tables["quarantine"]["reason"].to_pylist():
            per_reason[reason] = per_reason.get(reason, 0) + 1
        per_file.update(earlier.per_file)
        records_reused = sum(earlier.per_file.values())
        records_read += records_reused
        per_file = {path: per_file[path] for path in sorted(per_file)}
    summary = ShardSummary(
        index=spec.index, key=spec.key, folder=folder, inputs=records_read,
        published=tables["documents"].num_rows, quarantined=tables["quarantine"].num_rows,
        duplicates=len(duplicates), per_reason=dict(sorted(per_reason.items())), seconds=seconds,
        per_file=per_file, records_reused=records_reused,
    )
    if summary.inputs != summary.published + summary.quarantined + summary.duplicates:
        raise BooksError(f"shard {spec.key}: the books do not balance: {records_read} records read, "
                           f"{summary.published} published + {summary.quarantined} quarantined + "
                           f"{summary.duplicates} duplicates")
    started = time.perf_counter()
    _write_atomically(folder, tables, summary, _settings(config),
                      {item.relative_path: item.sha256 for item in (*spec.files, *(earlier.files if earlier else ()))})
    seconds["write"] = time.perf_counter() - started
    return summary


def quarantine_shard(spec: ShardSpec, work_dir: str | Path, error: BaseException) -> ShardSummary:
    """A shard that failed after its retries: its inputs go to quarantine with the error; other shards go on.

    Written as `failed-<key>` so that a later run tries the shard again instead of reusing the failure.
    """
    folder = storage.join(work_dir, f"failed-{spec.key}")
    reason = scrub(f"{type(error).__name__}: {error}")[:500]
    rejections = [Rejection(item.relative_path, "shard", "shard_failed",
                            f"{item.relative_path}: its shard failed after retries ({reason})",
                            source_sha256=item.sha256) for item in spec.files]
    tables = {name: ARROW_SCHEMAS[name].empty_table() for name in ARROW_SCHEMAS}
    tables["quarantine"] = rejections_to_table(rejections)
    summary = ShardSummary(index=spec.index, key=spec.key, folder=folder, inputs=len(rejections),
                           quarantined=len(rejections), per_reason={"shard_failed": len(rejections)},
                           per_file={item.relative_path: 1 for item in spec.files})
    _write_atomically(folder, tables, summary)
    return summary


def _write_atomically(folder: str, tables: dict[str, arrow.Table], summary: ShardSummary, settings: str = "",
                      files: dict[str, str] | None = None) -> None:
    """All or nothing (pipeline/storage.py), so a killed run never leaves a half shard marked done.

    The marker also records the settings and each file's digest: the state a later shard reads to reuse
    the rows of files that did not change (`reuse_unchanged_files`).
    """
    payload = asdict(summary)
    payload.pop("reused")
    payload["settings"], payload["files"] = settings, dict(sorted((files or {}).items()))
    storage.write_folder(folder, tables, DONE_MARKER, payload)


def prune_stale_shards(summaries: list[ShardSummary], now: float | None = None) -> list[str]:
    """Remove the work folders this build did not use and nothing touched for `STALE_WORK_SECONDS`.

    Covers finished shards, failed ones and the temporary folders of killed attempts. Called after a
    successful publish, whose release no longer needs them (carried-forward rows come from the parent
    release). Returns the names removed.
    """
    if not summaries:
        return []
    used = {summary.folder.rstrip("/").rsplit("/", 1)[-1] for summary in summaries}
    cutoff = (time.time() if now is None else now) - STALE_WORK_SECONDS
    return storage.prune_folders(storage.parent(summaries[0].folder), used,
                                 ("shard-", "failed-", ".shard-", ".failed-"), cutoff)


def check_reachable(summaries: list[ShardSummary]) -> None:
    """Fail with the cause when the publisher cannot see a shard its workers finished."""
    for summary in summaries:
        if not storage.exists(storage.join(summary.folder, DONE_MARKER)):
            raise FileNotFoundError(
                f"shard {summary.key} was finished by a worker but {summary.folder} is not visible here: workers on "
                "other machines need a shared work folder (an NFS mount, or --work-dir s3://... any fsspec URL)")


def shard_file(summary: ShardSummary, name: str) -> str:
    return storage.join(summary.folder, f"{name}.parquet")


def read_shard_table(summary: ShardSummary, name: str, columns: list[str] | None = None) -> arrow.Table:
    return storage.read_parquet(shard_file(summary, name), columns)
