"""Assemble a release from finished shards: write, audit, then make it visible in one rename."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as arrow
import pyarrow.parquet as pq

import pipeline
from pipeline.config import BuildConfig
from pipeline.publish import versions
from pipeline.publish.books import per_file_books, summarise
from pipeline.publish.card import render_card
from pipeline.publish.changelog import combine, render_entry
from pipeline.publish.croissant import render_croissant
from pipeline.publish.diff import diff_against_parent
from pipeline.publish.lock import output_lock
from pipeline.publish.manifest import (
    content_fingerprint,
    created_timestamp,
    describe_files,
    schema_of,
    write_sha256sums,
)
from pipeline.publish.parquet import part_file_name, write_sorted_file
from pipeline.publish.parts import (
    RELEASE_TABLES,
    part_key,
    plan_duplicates,
    plan_parts,
    shard_part_tables,
    split_by_documents,
)
from pipeline.publish.retention import RETENTION_POLICIES, carried_forward
from pipeline.publish.splits import DEFAULT_SPLIT, check_splits, split_table
from pipeline.schemas import ARROW_SCHEMAS, SORT_KEYS, TABLE_DESCRIPTIONS
from pipeline.shards import BooksError, ShardSummary, check_reachable, prune_stale_shards
from pipeline.sources import InputFile
from pipeline.sources.discover import sha256_file

part_tables = shard_part_tables  # module attribute, so a test can stand in a faulty merge


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
    quality: dict = field(default_factory=dict)  # the gate's verdict on this release (quality_summary)


@dataclass
class TableTotals:
    """What the card, Croissant and the manifest need of a table, gathered part by part (no rows kept)."""

    schema: arrow.Schema
    num_rows: int = 0
    nbytes: int = 0


class ReleaseWriter:
    """Writes a release's tables into a staging folder one part at a time and keeps only totals.

    A part whose key matches a part of the parent release is not rebuilt: the parent's files are linked
    (releases are immutable), so an hourly run that adds a few articles writes a few files.
    """

    def __init__(self, staging: Path, config: BuildConfig, parent_dir: Path | None = None) -> None:
        self.staging, self.config = staging, config
        self.totals = {name: TableTotals(ARROW_SCHEMAS[name]) for name in RELEASE_TABLES}
        self.languages: set[str] = set()
        self.parts: list[dict] = []  # per part: key, first file index, pieces, rows/bytes per table, languages
        self.files = 0  # file index of the next piece
        self.reused = 0
        self._written: list[tuple[str, int, Path]] = []  # split, file index, temporary path
        self._parent_dir, self._parent_parts, self._parent_files = parent_dir, {}, 0
        if parent_dir is not None:
            manifest = versions.manifest_or_none(parent_dir) or {}
            self._parent_parts = {part["key"]: part for part in manifest.get("parts") or [] if part.get("key")}
            self._parent_files = manifest.get("part_files") or 0

    def add(self, tables: dict[str, arrow.Table], key: str | None = None) -> None:
        first, record = self.files, {"key": key, "first_file": self.files, "tables": {}, "languages": []}
        languages: set[str] = set()
        for piece in split_by_documents(tables, self.config.max_parquet_file_bytes):
            for name in RELEASE_TABLES:
                table = piece[name]
                counted = record["tables"].setdefault(name, {"rows": 0, "nbytes": 0})
                counted["rows"] += table.num_rows
                counted["nbytes"] += table.nbytes
                for split, rows in split_table(table, self.config.splits).items():
                    path = self.staging / name / f".{split}-{self.files:06d}.tmp"
                    write_sorted_file(rows, path, SORT_KEYS[name], TABLE_DESCRIPTIONS[name])
                    self._written.append((split, self.files, path))
            languages.update(lang for lang in piece["documents"]["language"].to_pylist() if lang)
            self.files += 1
        record["pieces"], record["languages"] = self.files - first, sorted(languages)
        self._count(record)

    def reuse(self, key: str) -> bool:
        """Link the parent's files of the part with this key, if the parent has it."""
        part = self._parent_parts.get(key)
        if part is None or self._parent_dir is None:
            return False
        record = {**part, "first_file": self.files}
        splits = list(check_splits(self.config.splits)) or [DEFAULT_SPLIT]
        for offset in range(part["pieces"]):
            for name in RELEASE_TABLES:
                for split in splits:
                    source = self._parent_dir / name / part_file_name(split, part["first_file"] + offset,
                                                                      self._parent_files)
                    path = self.staging / name / f".{split}-{self.files:06d}.tmp"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.link(source, path)  # releases are immutable: sharing the bytes is safe
                    except OSError:
                        shutil.copyfile(source, path)
                    self._written.append((split, self.files, path))
            self.files += 1
        self._count(record)
        self.reused += 1
        return True

    def source_paths(self, carried_parts: bool = True) -> dict[str, arrow.Table]:
        """`source_path` of every row of documents, quarantine and duplicates (one column, read back from the
        staged files), for the per-file books; rows carried from the parent can be left out."""
        wanted = {index for part in self.parts if carried_parts or part.get("key")
                  for index in range(part["first_file"], part["first_file"] + part["pieces"])}
        found: dict[str, list[arrow.Table]] = {name: [] for name in ("documents", "quarantine", "duplicates")}
        for _split, index, path in self._written:
            name = path.parent.name
            if name in found and index in wanted:
                found[name].append(pq.read_table(path, columns=["source_path"]))
        return {name: arrow.concat_tables(tables) if tables else arrow.table({"source_path": arrow.array(
            [], arrow.string())}) for name, tables in found.items()}

    def _count(self, record: dict) -> None:
        for name, counted in record["tables"].items():
            self.totals[name].num_rows += counted["rows"]
            self.totals[name].nbytes += counted["nbytes"]
        self.languages.update(record["languages"])
        self.parts.append(record)

    def finish(self) -> list[Path]:
        """Give every file its final `{split}-0000k-of-0000N.parquet` name, now that N is known."""
        if not self.files:
            self.add({name: ARROW_SCHEMAS[name].empty_table() for name in RELEASE_TABLES})
        written = []
        for split, index, path in self._written:
            final = path.with_name(part_file_name(split, index, self.files))
            os.rename(path, final)
            written.append((split, index, final))
        self._written = written
        return [path for _, _, path in written]


def remove_stale_staging(dataset_dir: Path) -> None:
    """Staging folders left by a killed build; safe to remove because the caller holds the lock."""
    for leftover in dataset_dir.glob(".staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def publish_release(summaries: list[ShardSummary], output: str | Path, config: BuildConfig,
                    inputs: list[InputFile], version: str | None = None) -> PublishResult:
    if config.retention not in RETENTION_POLICIES:
        raise ValueError(f"retention must be one of {RETENTION_POLICIES}, not {config.retention!r}")
    check_reachable(summaries)  # before anything is written
    dataset_dir = Path(output) / config.dataset_name
    dataset_dir.mkdir(parents=True, exist_ok=True)
    with output_lock(dataset_dir):
        result = _publish_locked(summaries, dataset_dir, config, inputs, version)
        prune_stale_shards(summaries)
        return result


def _publish_locked(summaries, dataset_dir: Path, config: BuildConfig, inputs, version) -> PublishResult:
    remove_stale_staging(dataset_dir)
    parent = versions.latest_version(dataset_dir)
    staging = dataset_dir / f".staging-{uuid.uuid4().hex[:12]}"
    try:
        writer = ReleaseWriter(staging, config, dataset_dir / parent if parent else None)
        plan = plan_duplicates(summaries, config.dedup)
        for part in plan_parts(summaries, config):
            key = part_key(part, plan)
            if not writer.reuse(key):
                writer.add(part_tables(part, plan), key)
        carried = 0
        if parent is not None and config.retention == "keep":
            for kept in carried_forward(dataset_dir / parent, {i.relative_path for i in inputs}, plan.published,
                                        config.part_documents):
                carried += kept["documents"].num_rows
                writer.add({name: kept.get(name, ARROW_SCHEMAS[name].empty_table()) for name in RELEASE_TABLES})
        paths = writer.finish()
        per_file = per_file_books(inputs, summaries, writer.source_paths(carried_parts=False))
        files_summary = summarise(per_file)
        tables = writer.totals
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
        files = describe_files(staging, paths)
        fingerprint = content_fingerprint(files)
        metadata = release_metadata(config)
        change = (diff_against_parent(str(dataset_dir / parent), str(staging), list(RELEASE_TABLES), files, metadata)
                  if parent else None)
        forced = version is not None
        if not forced and change is not None and (change.bump is None or _only_rows_moved(change, dataset_dir / parent,
                                                                                          files)):
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

        languages = sorted(writer.languages) or ["en"]
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
            "part_files": writer.files,
            "parts": writer.parts,
            "tables": {name: {"rows": tables[name].num_rows, "schema": schema_of(tables[name])}
                       for name in RELEASE_TABLES},
            "files": files,
            "input_files": files_summary,
            "inputs": per_file,  # per input file: records read = published + quarantined + duplicates
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        from pipeline.quality.publish_gate import gate_staging  # here: the gate reads releases via this package

        parent_manifest = (versions.manifest_or_none(dataset_dir / parent) or {}) if parent else {}
        trusted = ({f["sha256"] for f in parent_manifest.get("files") or []}
                   if parent_manifest.get("code_version") == pipeline.__version__ else set())
        report = gate_staging(staging, dataset_dir, version, trusted)  # audit before publishing: raises if it fails
        os.rename(staging, target)  # atomic on one file system: the release appears complete or not at all
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    versions.point_latest(dataset_dir, version)
    how = f" ({bump} change from {parent})" if bump else ""
    return PublishResult(config.dataset_name, version, str(target), True, counts, f"published {version}{how}",
                         bump, parent, files_summary, per_file, quality_summary(report))


def quality_summary(report) -> dict:
    """The gate's verdict in a few lines, for the run summary and the Prefect artifact."""
    failing = [{"check": c.name, "severity": c.severity, "table": c.table or "", "column": c.column or "",
                "message": c.message} for c in report.errors + report.warnings]
    return {"status": report.status, **report.summary(), "failing": failing}


def _only_rows_moved(change, parent_dir: Path, files: list[dict]) -> bool:
    """Same records and metadata but files holding other rows: rows only moved between parts (an input was
    removed and its rows carried forward), which is no reason for a new version. Files with the same rows
    and other bytes are a real serialisation change (a PATCH)."""
    if change.bump != "patch" or change.metadata_changed:
        return False
    parent = versions.manifest_or_none(parent_dir)
    if parent is None:
        return False
    layout = sorted((f["path"], f["rows"]) for f in parent.get("files") or [])
    return layout != sorted((f["path"], f["rows"]) for f in files)


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
