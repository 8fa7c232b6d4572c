"""Apply corpus-level duplicates to merged shard tables (called by `release.py` before writing).

With `dedup.keep = "one"` (default) every copy leaves all per-document tables and gets a `duplicates` row
naming the kept representative, so `inputs = published + quarantined + duplicates` still holds; with
`"all"` the copies stay published and `documents.duplicate_of` names their representative.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as arrow
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.config import DedupConfig
from pipeline.dedup import SIGNATURE_SCHEMA, Match, find_duplicates, signatures_table
from pipeline.schemas import ARROW_SCHEMAS, PER_DOCUMENT_TABLES
from pipeline.shards import SIGNATURES, ShardSummary


def shard_signatures(summaries: list[ShardSummary], documents: arrow.Table, config: DedupConfig) -> arrow.Table:
    """The signatures the shards stored; computed here for documents of shards that have none."""
    parts = [pq.read_table(Path(s.folder) / f"{SIGNATURES}.parquet") for s in summaries
             if (Path(s.folder) / f"{SIGNATURES}.parquet").exists()]
    stored = arrow.concat_tables(parts).cast(SIGNATURE_SCHEMA) if parts else SIGNATURE_SCHEMA.empty_table()
    stored = stored.filter(pc.is_in(stored["doc_id"], documents["doc_id"]))
    if config.near:
        stored = stored.filter(pc.invert(pc.is_null(stored["minhash"])))
    have = set(stored["doc_id"].to_pylist())
    missing = documents.filter(pc.invert(pc.is_in(documents["doc_id"], arrow.array(sorted(have), arrow.string()))))
    if missing.num_rows:
        stored = arrow.concat_tables([stored, signatures_table(missing, config)])
    # one row per document: the same doc_id can come from two shards only as a byte-identical copy
    seen, keep = set(), []
    for n, doc_id in enumerate(stored["doc_id"].to_pylist()):
        if doc_id not in seen:
            seen.add(doc_id)
            keep.append(n)
    return stored.take(keep)


def apply_duplicates(tables: dict[str, arrow.Table], summaries: list[ShardSummary],
                     config: DedupConfig) -> dict[str, arrow.Table]:
    if not (config.exact_text or config.near) or tables["documents"].num_rows < 2:
        return tables
    documents = tables["documents"]
    matches = find_duplicates(documents, shard_signatures(summaries, documents, config), config)
    if not matches:
        return tables
    by_copy = {m.doc_id: m for m in matches}
    paths = dict(zip(documents["doc_id"].to_pylist(), documents["source_path"].to_pylist(), strict=True))
    tables = dict(tables)
    if config.keep == "all":
        marks = [by_copy[d].duplicate_of if d in by_copy else None for d in documents["doc_id"].to_pylist()]
        index = documents.schema.get_field_index("duplicate_of")
        tables["documents"] = documents.set_column(index, "duplicate_of", arrow.array(marks, arrow.string()))
        return tables
    rows = [_row(m, paths) for m in matches]
    # earlier rows (byte-identical copies) that point at a document removed now point at its representative
    old = tables["duplicates"].to_pylist()
    for row in old:
        if row["duplicate_of"] in by_copy:
            match = by_copy[row["duplicate_of"]]
            row.update(duplicate_of=match.duplicate_of, kept_source_path=paths[match.duplicate_of])
    tables["duplicates"] = arrow.Table.from_pylist(old + rows, schema=ARROW_SCHEMAS["duplicates"])
    drop = arrow.array(sorted(by_copy), arrow.string())
    for name in PER_DOCUMENT_TABLES:
        tables[name] = tables[name].filter(pc.invert(pc.is_in(tables[name]["doc_id"], drop)))
    return tables


def _row(match: Match, paths: dict[str, str]) -> dict:
    return {"doc_id": match.doc_id, "source_path": paths[match.doc_id], "duplicate_of": match.duplicate_of,
            "kept_source_path": paths[match.duplicate_of], "method": match.method,
            "similarity": match.similarity}
