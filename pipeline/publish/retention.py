"""Retention of inputs that disappeared since the parent release.

News archives rotate crawl folders: an article whose file is gone is still part of the archive, so by
default (`retention="keep"`) its published rows are carried forward from the parent release. With
`retention="drop"` the release holds only what the current inputs produce (a MAJOR change).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as arrow
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.schemas import ARROW_SCHEMAS, PER_DOCUMENT_TABLES

RETENTION_POLICIES = ("keep", "drop")


def conform(table: arrow.Table, schema: arrow.Schema) -> arrow.Table:
    """Bring a table written by an older release to today's schema: new columns are null, old ones dropped."""
    columns = [table[field.name].cast(field.type) if field.name in table.column_names
               else arrow.nulls(table.num_rows, field.type) for field in schema]
    return arrow.Table.from_arrays(columns, schema=schema.remove_metadata())


def read_release_table(release_dir: Path, name: str) -> arrow.Table:
    files = sorted((release_dir / name).glob("*.parquet"))
    if not files:
        return ARROW_SCHEMAS[name].empty_table()
    return conform(arrow.concat_tables(pq.read_table(f) for f in files), ARROW_SCHEMAS[name])


def carried_forward(parent_dir: Path, current_paths: set[str], current_ids: set[str]) -> dict[str, arrow.Table]:
    """Rows of the parent's documents whose input is no longer among the current inputs."""
    documents = read_release_table(parent_dir, "documents")
    gone = pc.invert(pc.or_(pc.is_in(documents["source_path"], arrow.array(sorted(current_paths), arrow.string())),
                            pc.is_in(documents["doc_id"], arrow.array(sorted(current_ids), arrow.string()))))
    documents = documents.filter(gone)
    keep_ids = documents["doc_id"]
    carried = {"documents": documents}
    for name in PER_DOCUMENT_TABLES:
        if name != "documents":
            table = read_release_table(parent_dir, name)
            carried[name] = table.filter(pc.is_in(table["doc_id"], keep_ids))
    return carried
