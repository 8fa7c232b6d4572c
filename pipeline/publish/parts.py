"""A release is written part by part, so publishing needs the memory of one part, not of the corpus.

A part is a run of consecutive shards (about `part_documents` input records). File k of every table
holds the rows of part k's documents, so a reader, the quality gate or a diff can take one part of every
table at a time. Part boundaries are content-defined like shard boundaries (a part ends after a shard
whose key hash is 0 modulo the shards a part holds), so a run that changes one shard rewrites one or two
parts' files and every other file keeps its bytes: the gate and the diff skip them, a Hub upload too.

Duplicates across shards are decided before any part is written, from a small index (doc_id, source
path, signature) of every document; texts are read back only for the few near-duplicate candidates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pyarrow as arrow
import pyarrow.compute as pc

from pipeline import storage
from pipeline.config import BuildConfig, DedupConfig
from pipeline.dedup import SIGNATURE_SCHEMA, Match, find_duplicates, signatures_table
from pipeline.publish.parquet import ROW_GROUP_BYTES, WRITER_SETTINGS
from pipeline.schemas import ARROW_SCHEMAS, PER_DOCUMENT_TABLES
from pipeline.shards import SIGNATURES, ShardSummary, read_shard_table, shard_file

RELEASE_TABLES = tuple(ARROW_SCHEMAS)


def plan_parts(summaries: list[ShardSummary], config: BuildConfig) -> list[list[ShardSummary]]:
    """Consecutive shards grouped into parts of about `config.part_documents` records.

    A part ends at a shard whose key hashes to a boundary (so one new input changes one part), or once it
    holds `part_documents` records: a part is what the publishing process and the gate hold in memory, and
    with a cap of twice that, the largest of many parts (a 100k build) took twice the memory of a 10k one.
    """
    shards_per_part = max(1, round(config.part_documents / max(config.shard_size, 1)))
    parts: list[list[ShardSummary]] = [[]]
    records = 0
    for summary in sorted(summaries, key=lambda s: s.index):
        parts[-1].append(summary)
        records += summary.inputs
        boundary = int(hashlib.sha256(summary.key.encode()).hexdigest()[:12], 16) % shards_per_part == 0
        if boundary or records >= config.part_documents:
            parts.append([])
            records = 0
    return [part for part in parts if part]


@dataclass
class DuplicatePlan:
    """What leaves the per-document tables, decided once for the whole corpus."""

    drop: dict[int, set[str]] = field(default_factory=dict)  # shard index -> doc_ids to leave out there
    rows: dict[int, list[dict]] = field(default_factory=dict)  # shard index -> new `duplicates` rows
    repointed: dict[str, tuple[str, str]] = field(default_factory=dict)  # removed doc -> (kept doc, its path)
    marks: dict[int, dict[str, str]] = field(default_factory=dict)  # keep="all": shard -> {doc_id: duplicate_of}
    published: set[str] = field(default_factory=set)  # doc_ids that stay in the release


def _index(summaries: list[ShardSummary]) -> arrow.Table:
    """doc_id, source_path and shard of every document the shards published: a few dozen bytes a row."""
    parts = []
    for summary in summaries:
        table = read_shard_table(summary, "documents", columns=["doc_id", "source_path"])
        parts.append(table.append_column("shard", arrow.array([summary.index] * table.num_rows, arrow.int64())))
    if not parts:
        return arrow.table({"doc_id": arrow.array([], arrow.string()), "source_path": arrow.array([], arrow.string()),
                            "shard": arrow.array([], arrow.int64())})
    return arrow.concat_tables(parts)


def plan_duplicates(summaries: list[ShardSummary], config: DedupConfig) -> DuplicatePlan:
    plan = DuplicatePlan()
    index = _index(sorted(summaries, key=lambda s: s.index))
    ids, paths, shards = (index[c].to_pylist() for c in ("doc_id", "source_path", "shard"))
    kept: dict[str, tuple[str, int]] = {}  # doc_id -> (source_path, shard) of its first occurrence
    for doc_id, path, shard in zip(ids, paths, shards, strict=True):
        if doc_id in kept:  # the same bytes in an earlier shard: an exact copy
            plan.drop.setdefault(shard, set()).add(doc_id)
            plan.rows.setdefault(shard, []).append({
                "doc_id": doc_id, "source_path": path, "duplicate_of": doc_id,
                "kept_source_path": kept[doc_id][0], "method": "exact_bytes"})
        else:
            kept[doc_id] = (path, shard)
    plan.published = set(kept)
    if not (config.exact_text or config.near) or len(kept) < 2:
        return plan
    folders = {s.index: s for s in summaries}
    documents = arrow.table({"doc_id": list(kept), "source_path": [p for p, _ in kept.values()]})
    text_of = _text_reader(folders, {d: s for d, (_, s) in kept.items()})
    matches = find_duplicates(documents, _signatures(summaries, kept, config, text_of), config, text_of)
    for match in matches:
        copy_path, copy_shard = kept[match.doc_id]
        kept_path = kept[match.duplicate_of][0]
        if config.keep == "all":
            plan.marks.setdefault(copy_shard, {})[match.doc_id] = match.duplicate_of
            continue
        plan.drop.setdefault(copy_shard, set()).add(match.doc_id)
        plan.rows.setdefault(copy_shard, []).append(_row(match, copy_path, kept_path))
        plan.repointed[match.doc_id] = (match.duplicate_of, kept_path)
        plan.published.discard(match.doc_id)
    return plan


def _row(match: Match, source_path: str, kept_path: str) -> dict:
    return {"doc_id": match.doc_id, "source_path": source_path, "duplicate_of": match.duplicate_of,
            "kept_source_path": kept_path, "method": match.method, "similarity": match.similarity}


def _text_reader(folders: dict[int, ShardSummary], shard_of: dict[str, int]):
    """doc_id -> text, reading one shard's texts at a time (candidates come in runs from the same shards)."""

    @lru_cache(maxsize=4)
    def shard_texts(shard: int) -> dict[str, str]:
        table = read_shard_table(folders[shard], "documents", columns=["doc_id", "text"])
        return dict(zip(table["doc_id"].to_pylist(), table["text"].to_pylist(), strict=True))

    return lambda doc_id: shard_texts(shard_of[doc_id])[doc_id]


def _signatures(summaries: list[ShardSummary], kept: dict[str, tuple[str, int]], config: DedupConfig,
                text_of) -> arrow.Table:
    """The signatures the shards stored (one row per kept document); computed for shards that have none."""
    parts = []
    for summary in summaries:
        if storage.exists(shard_file(summary, SIGNATURES)):
            table = read_shard_table(summary, SIGNATURES).cast(SIGNATURE_SCHEMA)
        else:
            docs = read_shard_table(summary, "documents").select(["doc_id", "text"])
            table = signatures_table(docs, config)
        mine = [n for n, d in enumerate(table["doc_id"].to_pylist()) if kept.get(d, ("", -1))[1] == summary.index]
        parts.append(table.take(arrow.array(mine, arrow.int64())))
    stored = arrow.concat_tables(parts) if parts else SIGNATURE_SCHEMA.empty_table()
    if config.near:
        missing = stored.filter(pc.is_null(stored["minhash"]))
        if missing.num_rows:  # stored without MinHash (near dedup switched on later): compute them now
            docs = arrow.table({"doc_id": missing["doc_id"],
                                "text": [text_of(d) for d in missing["doc_id"].to_pylist()]})
            stored = arrow.concat_tables([stored.filter(pc.invert(pc.is_null(stored["minhash"]))),
                                          signatures_table(docs, config)])
    return stored


def shard_part_tables(part: list[ShardSummary], plan: DuplicatePlan) -> dict[str, arrow.Table]:
    """The tables of one part: its shards' rows, less the copies the plan removes, plus its duplicates rows."""
    pieces: dict[str, list[arrow.Table]] = {name: [] for name in RELEASE_TABLES}
    for summary in part:
        drop = arrow.array(sorted(plan.drop.get(summary.index, ())), arrow.string())
        for name in RELEASE_TABLES:
            table = read_shard_table(summary, name).cast(ARROW_SCHEMAS[name])
            if name in PER_DOCUMENT_TABLES and len(drop):
                table = table.filter(pc.invert(pc.is_in(table["doc_id"], drop)))
            if name == "duplicates":
                if plan.rows.get(summary.index):
                    table = arrow.concat_tables([table, arrow.Table.from_pylist(
                        plan.rows[summary.index], schema=ARROW_SCHEMAS["duplicates"])])
                table = _repoint(table, plan.repointed)
            if name == "documents" and plan.marks.get(summary.index):
                table = _mark(table, plan.marks[summary.index])
            pieces[name].append(table)
    return {name: arrow.concat_tables(tables) if tables else ARROW_SCHEMAS[name].empty_table()
            for name, tables in pieces.items()}


def _repoint(table: arrow.Table, repointed: dict[str, tuple[str, str]]) -> arrow.Table:
    """Exact copies of a document that was itself removed as a duplicate point at its representative."""
    if not repointed or not table.num_rows:
        return table
    rows = table.to_pylist()
    if not any(row["duplicate_of"] in repointed for row in rows):
        return table
    for row in rows:
        if row["duplicate_of"] in repointed:
            row["duplicate_of"], row["kept_source_path"] = repointed[row["duplicate_of"]]
    return arrow.Table.from_pylist(rows, schema=ARROW_SCHEMAS["duplicates"])


def _mark(documents: arrow.Table, marks: dict[str, str]) -> arrow.Table:
    values = [marks.get(d, old) for d, old in zip(documents["doc_id"].to_pylist(),
                                                   documents["duplicate_of"].to_pylist(), strict=True)]
    index = documents.schema.get_field_index("duplicate_of")
    return documents.set_column(index, "duplicate_of", arrow.array(values, arrow.string()))


def part_key(part: list[ShardSummary], plan: DuplicatePlan) -> str:
    """What a part's files depend on: its shards (whose keys hold inputs, settings and code version) and
    what the duplicate plan does to them. The same key means the same files, so they can be reused."""
    digest = hashlib.sha256(json.dumps([ROW_GROUP_BYTES, WRITER_SETTINGS], sort_keys=True).encode())
    for summary in part:
        targets = set(read_shard_table(summary, "duplicates")["duplicate_of"].to_pylist())
        targets |= {row["duplicate_of"] for row in plan.rows.get(summary.index, [])}
        state = [summary.key, sorted(plan.drop.get(summary.index, ())), plan.rows.get(summary.index, []),
                 sorted(plan.marks.get(summary.index, {}).items()),
                 sorted((d, list(plan.repointed[d])) for d in targets if d in plan.repointed)]
        digest.update(json.dumps(state, sort_keys=True).encode())
    return digest.hexdigest()[:32]


def split_by_documents(tables: dict[str, arrow.Table], max_bytes: int) -> Iterator[dict[str, arrow.Table]]:
    """A part whose largest table is over `max_bytes`, cut into runs of whole documents (sorted by doc_id),
    the same runs in every table; rows without a document (quarantine) go with the first run."""
    pieces = max(1, *(-(-table.nbytes // max_bytes) for table in tables.values()))
    ids = sorted(tables["documents"]["doc_id"].to_pylist())
    pieces = min(pieces, max(len(ids), 1))
    if pieces == 1:
        yield tables
        return
    size = -(-len(ids) // pieces)
    for n in range(pieces):
        chosen = arrow.array(ids[n * size:(n + 1) * size], arrow.string())
        piece = {}
        for name, table in tables.items():
            if name in PER_DOCUMENT_TABLES:
                piece[name] = table.filter(pc.is_in(table["doc_id"], chosen))
            else:
                piece[name] = table if n == 0 else table.schema.empty_table()
        yield piece
