"""The books of a build: every record read ends published, quarantined or a duplicate, per input file and in total.

Shards count the records each input's reader yielded; the merged tables say where each record went, by
`source_path` (the file's relative path, or the file's path plus a record suffix: `#record-3`, `#L12`,
`#row-3`). A file whose records do not add up means a bug lost or doubled a record: the build stops.
"""

from __future__ import annotations

import re
from collections import Counter

import pyarrow as arrow

from pipeline.shards import BooksError, ShardSummary
from pipeline.sources import InputFile

_RECORD_SUFFIX = re.compile(r"#(record-\d+|row-\d+|L\d+)$")
OUTCOMES = (("published", "documents"), ("quarantined", "quarantine"), ("duplicates", "duplicates"))


def input_of(source_path: str, paths: set[str]) -> str | None:
    """The input file a record came from (None if none of `paths`)."""
    if source_path in paths:
        return source_path
    head = _RECORD_SUFFIX.sub("", source_path)
    return head if head in paths else None


def per_file_books(inputs: list[InputFile], summaries: list[ShardSummary],
                   tables: dict[str, arrow.Table]) -> list[dict]:
    """One entry per input file (sorted by path): its records and where they went. Raises BooksError if any
    file's records do not add up, or a row names no input."""
    records: dict[str, int] = {}
    for summary in summaries:
        records.update(summary.per_file)
    paths = {item.relative_path for item in inputs}
    tally = {path: Counter() for path in paths}
    strays: list[str] = []
    for outcome, table in OUTCOMES:
        for source_path in tables[table]["source_path"].to_pylist():
            path = input_of(source_path, paths)
            if path is None:
                strays.append(f"{source_path} ({table})")
            else:
                tally[path][outcome] += 1
    entries = [{"path": item.relative_path, "sha256": item.sha256, "bytes": item.size,
                "records": records.get(item.relative_path, 0),
                **{outcome: tally[item.relative_path][outcome] for outcome, _ in OUTCOMES}}
               for item in sorted(inputs, key=lambda i: i.relative_path)]
    unbalanced = [e for e in entries if e["records"] != e["published"] + e["quarantined"] + e["duplicates"]]
    if unbalanced or strays:
        shown = "; ".join(f"{e['path']}: {e['records']} records read, {e['published']} published + "
                          f"{e['quarantined']} quarantined + {e['duplicates']} duplicates" for e in unbalanced[:10])
        more = f" (and {len(unbalanced) - 10} more files)" if len(unbalanced) > 10 else ""
        stray = f"; rows naming no input: {', '.join(strays[:10])}" if strays else ""
        raise BooksError(f"the books do not balance for {len(unbalanced)} input files: {shown}{more}{stray}")
    return entries


def summarise(entries: list[dict]) -> dict[str, int]:
    """How the input files fared, for the run summary (the full list is in manifest.json)."""
    return {
        "input_files": len(entries),
        "files_all_published": sum(1 for e in entries if e["records"] and e["published"] + e["duplicates"]
                                   == e["records"]),
        "files_partly_quarantined": sum(1 for e in entries if 0 < e["quarantined"] < e["records"]),
        "files_all_quarantined": sum(1 for e in entries if e["records"] and e["quarantined"] == e["records"]),
        "files_without_records": sum(1 for e in entries if not e["records"]),
    }
