"""Retention of inputs that disappeared since the parent release.

News archives rotate crawl folders: an article whose file is gone is still part of the archive, so by
default (`retention="keep"`) its published rows are carried forward from the parent release. With
`retention="drop"` the release holds only what the current inputs produce (a MAJOR change).
The unit is the input file: a collection (JSONL, CSV, Parquet, WARC) that is still read holds exactly the
records it holds now, so an edited or deleted line is not carried forward.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as arrow
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.publish.parquet import part_groups
from pipeline.schemas import ARROW_SCHEMAS, PER_DOCUMENT_TABLES
from pipeline.shards import file_of

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


def parent_parts(parent_dir: Path) -> list[dict[str, list[Path]]]:
    """The parent's per-document files grouped by part (file k of every table holds the same documents)."""
    return part_groups({name: sorted((parent_dir / name).glob("*.parquet")) for name in PER_DOCUMENT_TABLES})


def _read(files: list[Path], name: str) -> arrow.Table:
    if not files:
        return ARROW_SCHEMAS[name].empty_table()
    return conform(arrow.concat_tables(pq.read_table(f) for f in files), ARROW_SCHEMAS[name])


def carried_forward(parent_dir: Path, current_paths: set[str], current_ids: set[str],
                    part_documents: int) -> Iterator[dict[str, arrow.Table]]:
    """Rows of the parent's documents whose input is no longer among the current inputs, a part at a time
    (about `part_documents` documents), so carrying a large archive forward needs no more memory than a part."""
    paths = arrow.array(sorted(current_paths), arrow.string())
    ids = arrow.array(sorted(current_ids), arrow.string())
    buffer: dict[str, list[arrow.Table]] = {name: [] for name in PER_DOCUMENT_TABLES}
    held = 0
    for group in parent_parts(parent_dir):
        documents = _read(group.get("documents", []), "documents")
        # a record whose file is still read but whose line changed is replaced by the new line, not carried
        # forward beside it ('feed.jsonl#L2' is in 'feed.jsonl'; a file named with a '#' matches by its whole path)
        in_file = pc.is_in(file_of(documents["source_path"]), paths)
        present = pc.or_(pc.is_in(documents["source_path"], paths), in_file)
        gone = pc.invert(pc.or_(present, pc.is_in(documents["doc_id"], ids)))
        documents = documents.filter(gone)
        if not documents.num_rows:
            continue
        buffer["documents"].append(documents)
        for name in PER_DOCUMENT_TABLES:
            if name != "documents":
                table = _read(group.get(name, []), name)
                buffer[name].append(table.filter(pc.is_in(table["doc_id"], documents["doc_id"])))
        held += documents.num_rows
        if held >= part_documents:
            yield {name: arrow.concat_tables(tables) for name, tables in buffer.items()}
            buffer, held = {name: [] for name in PER_DOCUMENT_TABLES}, 0
    if held:
        yield {name: arrow.concat_tables(tables) for name, tables in buffer.items()}
