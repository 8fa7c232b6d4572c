"""Parquet written for readers and for the Hub: deterministic bytes, zstd, page index, sorted rows."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as arrow
import pyarrow.parquet as pq

ROW_GROUP_BYTES = 100 * 1024 * 1024  # uncompressed, as the Hub recommends
# How files are serialised; part of every release part's key, so a change here rewrites every part.
WRITER_SETTINGS = {"compression": "zstd", "compression_level": 3, "write_statistics": True,
                   "write_page_index": True, "use_content_defined_chunking": True}
FILE_BYTES = 500 * 1024 * 1024


def hf_features(schema: arrow.Schema) -> dict:
    """`datasets.Features` as JSON, stored under the b"huggingface" key so types round-trip."""

    def feature(dtype: arrow.DataType) -> dict:
        if arrow.types.is_list(dtype) or arrow.types.is_large_list(dtype):
            return {"feature": feature(dtype.value_type), "_type": "List"}
        if arrow.types.is_struct(dtype):
            return {field.name: feature(field.type) for field in dtype}
        name = "string" if arrow.types.is_string(dtype) or arrow.types.is_large_string(dtype) else str(dtype)
        return {"dtype": name, "_type": "Value"}

    return {"info": {"features": {field.name: feature(field.type) for field in schema}}}


def with_metadata(table: arrow.Table, description: str) -> arrow.Table:
    metadata = {b"huggingface": json.dumps(hf_features(table.schema), sort_keys=True).encode(),
                b"broadsheet": json.dumps({"description": description}).encode()}
    return table.replace_schema_metadata(metadata)


def write_sorted_file(table: arrow.Table, path: Path, sort_keys: list[str], description: str) -> None:
    """One file of rows sorted by the table's key, row groups of about ROW_GROUP_BYTES (uncompressed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = with_metadata(table.sort_by([(key, "ascending") for key in sort_keys]), description)
    bytes_per_row = table.nbytes / table.num_rows if table.num_rows else 1
    pq.write_table(
        table, path, row_group_size=max(1000, int(ROW_GROUP_BYTES / max(bytes_per_row, 1))),
        sorting_columns=[pq.SortingColumn(table.schema.get_field_index(sort_keys[0]))], **WRITER_SETTINGS,
    )


def part_file_name(split: str, part: int, parts: int) -> str:
    return f"{split}-{part:05d}-of-{parts:05d}.parquet"


def part_groups(files: dict[str, list[Path]]) -> list[dict[str, list[Path]]]:
    """Files of several tables grouped by part (`train-00003-of-00010` and `test-00003-of-00010` are part 3),
    in part order. Tables not cut into the same parts (a release older than parts) come back as one group."""
    groups: dict[str, dict[str, list[Path]]] = {}
    for name, paths in files.items():
        for path in paths:
            part = path.stem.split("-", 1)[1] if "-" in path.stem else path.stem
            groups.setdefault(part, {}).setdefault(name, []).append(path)
    present = {name for name, paths in files.items() if paths}
    aligned = all(key.endswith(f"-of-{len(groups):05d}") for key in groups) and all(
        set(group) == present for group in groups.values())
    return [groups[key] for key in sorted(groups)] if aligned else [dict(files)]
