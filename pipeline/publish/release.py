"""Assemble a release from finished shards: write, audit, then make it visible in one rename."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as arrow
import pyarrow.compute as pc

import pipeline
from pipeline.config import BuildConfig
from pipeline.publish import versions
from pipeline.publish.books import per_file_books, summarise
from pipeline.publish.card import render_card
from pipeline.publish.changelog import combine, render_entry
from pipeline.publish.croissant import render_croissant
from pipeline.publish.dedup import apply_duplicates
from pipeline.publish.diff import diff_against_parent
from pipeline.publish.lock import output_lock
from pipeline.publish.manifest import (
    content_fingerprint,
    created_timestamp,
    describe_files,
    schema_of,
    write_sha256sums,
)
from pipeline.publish.parquet import write_table_files
from pipeline.publish.retention import RETENTION_POLICIES, carried_forward
from pipeline.publish.splits import split_table
from pipeline.schemas import ARROW_SCHEMAS, PER_DOCUMENT_TABLES, SORT_KEYS, TABLE_DESCRIPTIONS
from pipeline.shards import BooksError, ShardSummary, read_shard_table
from pipeline.sources import InputFile
from pipeline.sources.discover import sha256_file

RELEASE_TABLES = tuple(ARROW_SCHEMAS)


class ReleaseExistsError(RuntimeError):
    pass


@dataclass
class PublishResult:
    dataset: str
    version: str | None
    path: str | None
    published: bool
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""
    bump: str | None = None  # major/minor/patch against the parent, None for a first or unchanged release
    parent: str | None = None
    files: dict[str, int] = field(default_factory=dict)  # how the input files fared (books.summarise)
    per_file: list[dict] = field(default_factory=list)  # each input file's records and where they went


def merge_shards(summaries: list[ShardSummary]) -> dict[str, arrow.Table]:
    """Concatenate shard tables in input order; a document already seen in an earlier shard is a duplicate."""
    parts: dict[str, list[arrow.Table]] = {name: [] for name in RELEASE_TABLES}
    seen: dict[str, str] = {}  # doc_id -> kept source_path
    for summary in sorted(summaries, key=lambda s: s.index):
        docs = read_shard_table(summary, "documents")
        repeated = [(d, p) for d, p in zip(docs["doc_id"].to_pylist(), docs["source_path"].to_pylist(), strict=True)
                    if d in seen]
        if repeated:
            parts["duplicates"].append(arrow.Table.from_pylist(
                [{"doc_id": d, "source_path": p, "duplicate_of": d, "kept_source_path": seen[d],
                  "method": "exact_bytes"} for d, p in repeated], schema=ARROW_SCHEMAS["duplicates"]))
        drop = arrow.array([d for d, _ in repeated], arrow.string())
        for name in RELEASE_TABLES:
            table = docs if name == "documents" else read_shard_table(summary, name)
            if name in PER_DOCUMENT_TABLES and repeated:
                table = table.filter(pc.invert(pc.is_in(table["doc_id"], drop)))
            parts[name].append(table.cast(ARROW_SCHEMAS[name]))
        seen.update(zip(docs["doc_id"].to_pylist(), docs["source_path"].to_pylist(), strict=True))
    return {name: arrow.concat_tables(tables) if tables else ARROW_SCHEMAS[name].empty_table()
            for name, tables in parts.items()}


def remove_stale_staging(dataset_dir: Path) -> None:
    """Staging folders left by a killed build; safe to remove because the caller holds the lock."""
    for leftover in dataset_dir.glob(".staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def publish_release(summaries: list[ShardSummary], output: str | Path, config: BuildConfig,
                    inputs: list[InputFile], version: str | None = None) -> PublishResult:
    if config.retention not in RETENTION_POLICIES:
        raise ValueError(f"retention must be one of {RETENTION_POLICIES}, not {config.retention!r}")
    dataset_dir = Path(output) / config.dataset_name
    dataset_dir.mkdir(parents=True, exist_ok=True)
    with output_lock(dataset_dir):
        return _publish_locked(summaries, dataset_dir, config, inputs, version)


def _publish_locked(summaries, dataset_dir: Path, config: BuildConfig, inputs, version) -> PublishResult:
    remove_stale_staging(dataset_dir)
    tables = apply_duplicates(merge_shards(summaries), summaries, config.dedup)
    per_file = per_file_books(inputs, summaries, tables)  # before rows of removed inputs are carried forward
    files_summary = summarise(per_file)
    parent = versions.latest_version(dataset_dir)
    carried = 0
    if parent is not None and config.retention == "keep":
        kept = carried_forward(dataset_dir / parent, {i.relative_path for i in inputs},
                               set(tables["documents"]["doc_id"].to_pylist()))
        carried = kept["documents"].num_rows
        tables.update({name: arrow.concat_tables([tables[name], table]) for name, table in kept.items()})
    counts = {
        "inputs": sum(s.inputs for s in summaries),
        "carried_forward": carried,
        "published": tables["documents"].num_rows,
        "quarantined": tables["quarantine"].num_rows,
        "duplicates": tables["duplicates"].num_rows,
    }
    if counts["inputs"] + carried != counts["published"] + counts["quarantined"] + counts["duplicates"]:
        raise BooksError(f"the books do not balance (inputs + carried_forward != published + quarantined + "
                         f"duplicates): {counts}")

    staging = dataset_dir / f".staging-{uuid.uuid4().hex[:12]}"
    try:
        paths = []
        for name in RELEASE_TABLES:
            for split, part in split_table(tables[name], config.splits).items():
                paths += write_table_files(part, staging / name, SORT_KEYS[name], TABLE_DESCRIPTIONS[name],
                                           split=split, max_file_bytes=config.max_parquet_file_bytes)
        files = describe_files(staging, paths)
        fingerprint = content_fingerprint(files)
        metadata = release_metadata(config)
        change = diff_against_parent(str(dataset_dir / parent), tables, files, metadata) if parent else None
        forced = version is not None
        if not forced and change is not None and change.bump is None:
            shutil.rmtree(staging)
            return PublishResult(config.dataset_name, parent, str(dataset_dir / parent), False, counts,
                                 f"nothing changed since {parent}: no new release", None, parent, files_summary,
                                 per_file)
        bump = change.bump if change else None
        version = version or versions.bump(parent, bump or "minor")
        versions.parse(version)
        target = dataset_dir / version
        if target.exists():
            raise ReleaseExistsError(f"release {target} already exists; releases are immutable")
        if parent and versions.parse(version) <= versions.parse(parent):
            raise ValueError(f"version {version} is not newer than the latest release {parent}")

        languages = sorted({lang for lang in tables["documents"]["language"].to_pylist() if lang}) or ["en"]
        note = (f"broadsheet {pipeline.__version__}, settings fingerprint {config.fingerprint()}, "
                f"{len(inputs)} input files in {len(summaries)} shards.")
        note += build_steps_note(config)
        (staging / "README.md").write_text(render_card(
            config.dataset_name, version, config.pretty_name, config.license, languages, tables, counts, note,
            chunking=config.chunking, files=files, parent=parent))
        parent_log = dataset_dir / (parent or "") / "CHANGELOG.md"
        (staging / "CHANGELOG.md").write_text(combine(
            render_entry(version, change, forced), parent_log.read_text() if parent and parent_log.exists() else None))
        croissant = render_croissant(config.dataset_name, version, config.pretty_name, config.license, languages,
                                     {name: tables[name].schema for name in RELEASE_TABLES}, files)
        (staging / "croissant.json").write_text(json.dumps(croissant, indent=2, ensure_ascii=False) + "\n")
        write_sha256sums(staging)  # every file but manifest.json, which carries the build time
        manifest = {
            "dataset": config.dataset_name, "version": version, "parent_version": parent,
            "created": created_timestamp(), "code_version": pipeline.__version__,
            "config": config.to_dict(), "config_fingerprint": config.fingerprint(),
            "content_fingerprint": fingerprint, "counts": counts, "bump": bump,
            "release_metadata": metadata,
            "sha256sums": sha256_file(staging / "SHA256SUMS"),
            "tables": {name: {"rows": tables[name].num_rows, "schema": schema_of(tables[name])}
                       for name in RELEASE_TABLES},
            "files": files,
            "input_files": files_summary,
            "inputs": per_file,  # per input file: records read = published + quarantined + duplicates
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        from pipeline.quality.publish_gate import gate_staging  # here: the gate reads releases via this package

        gate_staging(staging, dataset_dir, version)  # audit before publishing: raises if the release fails
        os.rename(staging, target)  # atomic on one file system: the release appears complete or not at all
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    versions.point_latest(dataset_dir, version)
    how = f" ({bump} change from {parent})" if bump else ""
    return PublishResult(config.dataset_name, version, str(target), True, counts, f"published {version}{how}",
                         bump, parent, files_summary, per_file)


def build_steps_note(config: BuildConfig) -> str:
    """The card's 'how it was built': the steps a document went through and how the files were laid out."""
    from pipeline.steps import document_steps

    steps = " → ".join(["read (decode, refuse empty/binary/oversized)",
                        *(step.name for step in document_steps(config)), "validate (pandera contracts)"])
    splits = ", ".join(f"{k} {v:g}" for k, v in (config.splits or {}).items()) or "one train split"
    return (f"\n\nSteps per document: {steps}; failures go to `quarantine` with the stage and reason. "
            f"Splits: {splits} (by sha256 of doc_id). Parquet: zstd, sorted by each table's key, page index, "
            f"content-defined chunking, files of at most {config.max_parquet_file_bytes // 2**20} MiB (Arrow size).")


def release_metadata(config: BuildConfig) -> dict:
    """Settings that change a release's metadata but not its rows: a change alone makes a PATCH release."""
    return {"license": config.license, "pretty_name": config.pretty_name}
