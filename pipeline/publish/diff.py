"""What changed between two releases: the change set behind versions, changelogs and `broadsheet diff`.

Rows are compared per table by the table's sort key (e.g. `doc_id, sentence_index`) and a hash of the
columns both versions share: a key only in the new release is an added row, only in the old one a removed
row, in both with different values a changed row. Documents get one more rule: `doc_id` is the sha256 of
the input bytes, so an edited article arrives as a new `doc_id`; a removed and an added document with the
same `source_path` are reported as one *changed* document.

The version bump follows Croissant 1.1's versioning rules: MAJOR when records are removed or changed or
a column is removed or retyped, MINOR when records or columns are only added, PATCH when the records are
the same and only the serialisation (file bytes) or the metadata changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field

import pandas as pd
import pyarrow as arrow

from pipeline.schemas import SORT_KEYS

# (table name, files to read or None for all) -> rows, or None when the release lacks the table. A list of
# files (paths inside the release) lets a diff read only the files that differ from the other release.
TableReader = Callable[[str, list[str] | None], arrow.Table | None]


@dataclass
class TableDiff:
    name: str
    rows_before: int
    rows_after: int
    added: int = 0
    removed: int = 0
    changed: int = 0
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    columns_retyped: list[str] = field(default_factory=list)
    same_files: bool = False  # byte-identical Parquet: rows were not even read

    @property
    def bump(self) -> str | None:
        if self.removed or self.changed or self.columns_removed or self.columns_retyped:
            return "major"
        if self.added or self.columns_added:
            return "minor"
        return None


@dataclass
class DocumentChange:
    source_path: str
    old_doc_id: str
    new_doc_id: str


@dataclass
class ReleaseDiff:
    old_version: str | None
    new_version: str | None
    tables: dict[str, TableDiff]
    documents_added: list[dict] = field(default_factory=list)  # {doc_id, source_path, title}
    documents_removed: list[dict] = field(default_factory=list)
    documents_changed: list[DocumentChange] = field(default_factory=list)
    files_changed: bool = False
    metadata_changed: list[str] = field(default_factory=list)

    @property
    def bump(self) -> str | None:
        """The semantic-version part to increase, or None when nothing at all changed."""
        parts = {table.bump for table in self.tables.values()}
        for part in ("major", "minor"):
            if part in parts:
                return part
        if self.files_changed or self.metadata_changed:
            return "patch"
        return None

    def to_dict(self) -> dict:
        return {
            "old_version": self.old_version, "new_version": self.new_version, "bump": self.bump,
            "documents": {
                "added": self.documents_added, "removed": self.documents_removed,
                "changed": [asdict(c) for c in self.documents_changed],
            },
            "tables": {name: asdict(t) for name, t in self.tables.items()},
            "files_changed": self.files_changed, "metadata_changed": self.metadata_changed,
        }


def _keyed_digests(table: arrow.Table, keys: list[str], columns: list[str]) -> pd.DataFrame:
    """One row per record: its key columns, an occurrence number (keys may repeat) and a content hash."""
    frame = table.select(columns).to_pandas()
    for name in columns:  # list cells (authors, keywords) are arrays, which pandas cannot hash: join them
        if arrow.types.is_list(table.schema.field(name).type):
            frame[name] = frame[name].map(lambda cell: None if cell is None else "\x1f".join(map(str, cell)))
    out = frame[keys].copy()
    out["_nth"] = out.groupby(keys, dropna=False).cumcount()
    out["_digest"] = pd.util.hash_pandas_object(frame, index=False).to_numpy() if len(frame) else []
    return out


def diff_table(name: str, old: arrow.Table | None, new: arrow.Table | None) -> tuple[TableDiff, pd.DataFrame]:
    """Compare one table; also return the merged key frame (`_merge`: left_only, right_only, both)."""
    old_schema = old.schema if old is not None else arrow.schema([])
    new_schema = new.schema if new is not None else arrow.schema([])
    old_types = {f.name: f.type for f in old_schema}
    new_types = {f.name: f.type for f in new_schema}
    result = TableDiff(
        name, old.num_rows if old is not None else 0, new.num_rows if new is not None else 0,
        columns_added=[c for c in new_types if c not in old_types],
        columns_removed=[c for c in old_types if c not in new_types],
        columns_retyped=[c for c in new_types if c in old_types and old_types[c] != new_types[c]],
    )
    common = [c for c in new_types if c in old_types and c not in result.columns_retyped]
    keys = [k for k in SORT_KEYS.get(name, []) if k in common] or common
    empty = pd.DataFrame(columns=[*keys, "_nth", "_merge"])
    if old is None or new is None or not keys:
        result.added = result.rows_after if old is None else 0
        result.removed = result.rows_before if new is None else 0
        return result, empty
    if not old.num_rows or not new.num_rows:  # one side empty (e.g. only new files differ): no join needed
        side, label = (new, "right_only") if new.num_rows else (old, "left_only")
        merged = _keyed_digests(side, keys, common).rename(columns={"_digest": "_digest_new" if new.num_rows
                                                                     else "_digest_old"})
        merged["_digest_old" if new.num_rows else "_digest_new"] = None
        merged["_merge"] = label
        result.added, result.removed = new.num_rows, old.num_rows
        return result, merged
    merged = _keyed_digests(old, keys, common).merge(
        _keyed_digests(new, keys, common), on=[*keys, "_nth"], how="outer", indicator=True,
        suffixes=("_old", "_new"))
    result.added = int((merged["_merge"] == "right_only").sum())
    result.removed = int((merged["_merge"] == "left_only").sum())
    both = merged["_merge"] == "both"
    result.changed = int((both & (merged["_digest_old"] != merged["_digest_new"])).sum())
    return result, merged


def _doc_rows(table: arrow.Table | None, ids: set[str]) -> list[dict]:
    if table is None or not ids:
        return []
    columns = [c for c in ("doc_id", "source_path", "title") if c in table.schema.names]
    rows = [row for row in table.select(columns).to_pylist() if row["doc_id"] in ids]
    return sorted(rows, key=lambda r: (r.get("source_path") or "", r["doc_id"]))


def _same_files(old_files: list[dict], new_files: list[dict], name: str) -> bool:
    def of(files: list[dict]) -> list[tuple[str, str]]:
        return sorted((f["path"], f["sha256"]) for f in files if f["path"].split("/")[0] == name)

    return bool(of(old_files)) and of(old_files) == of(new_files)


def _changed_files(old_files: list[dict], new_files: list[dict], name: str) -> tuple[list[str], list[str]]:
    """Files of `name` on each side that have no byte-identical partner on the other side: rows in identical
    files cancel out of a diff, so only these are read (a run that changed one part reads one part)."""
    def of(files: list[dict]) -> list[dict]:
        return [f for f in files if f["path"].split("/")[0] == name]

    old, new = of(old_files), of(new_files)
    unmatched = Counter(f["sha256"] for f in new)
    unmatched.subtract(Counter(f["sha256"] for f in old))
    new_left, old_left = Counter({k: v for k, v in unmatched.items() if v > 0}), Counter(
        {k: -v for k, v in unmatched.items() if v < 0})
    picked_new, picked_old = [], []
    for item in new:
        if new_left[item["sha256"]] > 0:
            new_left[item["sha256"]] -= 1
            picked_new.append(item["path"])
    for item in old:
        if old_left[item["sha256"]] > 0:
            old_left[item["sha256"]] -= 1
            picked_old.append(item["path"])
    return picked_old, picked_new


def _rows(files: list[dict], name: str) -> int:
    return sum(int(f.get("rows") or 0) for f in files if f["path"].split("/")[0] == name)


def diff_releases(old: TableReader, new: TableReader, tables: list[str], old_files: list[dict] | None = None,
                  new_files: list[dict] | None = None, old_version: str | None = None,
                  new_version: str | None = None, old_metadata: Mapping | None = None,
                  new_metadata: Mapping | None = None) -> ReleaseDiff:
    """The change set between two releases, reading each table only when its files differ."""
    old_files, new_files = old_files or [], new_files or []
    diff = ReleaseDiff(old_version, new_version, {})
    diff.files_changed = sorted((f["path"], f["sha256"]) for f in old_files) != sorted(
        (f["path"], f["sha256"]) for f in new_files)
    old_metadata, new_metadata = dict(old_metadata or {}), dict(new_metadata or {})
    diff.metadata_changed = sorted(k for k in old_metadata.keys() | new_metadata.keys()
                                   if old_metadata.get(k) != new_metadata.get(k))
    for name in tables:
        if _same_files(old_files, new_files, name):
            rows = _rows(new_files, name)
            diff.tables[name] = TableDiff(name, rows, rows, same_files=True)
            continue
        listed = bool(old_files) and bool(new_files)
        old_paths, new_paths = _changed_files(old_files, new_files, name) if listed else (None, None)
        old_table, new_table = old(name, old_paths), new(name, new_paths)
        table_diff, merged = diff_table(name, old_table, new_table)
        if listed:  # the rows compared were those of the differing files; report the whole tables
            table_diff.rows_before = _rows(old_files, name) if old_table is not None else 0
            table_diff.rows_after = _rows(new_files, name) if new_table is not None else 0
        diff.tables[name] = table_diff
        if name == "documents":
            _document_changes(diff, old_table, new_table, merged)
    return diff


def _document_changes(diff: ReleaseDiff, old: arrow.Table | None, new: arrow.Table | None,
                      merged: pd.DataFrame) -> None:
    """Added/removed doc_ids, with removed+added pairs at the same source_path turned into edits."""
    if old is None or new is None or "doc_id" not in merged:
        old_ids = set(old["doc_id"].to_pylist()) if old is not None else set()
        new_ids = set(new["doc_id"].to_pylist()) if new is not None else set()
        added_ids, removed_ids, same_id_changed = new_ids - old_ids, old_ids - new_ids, set()
    else:
        added_ids = set(merged.loc[merged["_merge"] == "right_only", "doc_id"])
        removed_ids = set(merged.loc[merged["_merge"] == "left_only", "doc_id"])
        both = merged[merged["_merge"] == "both"]
        same_id_changed = set(both.loc[both["_digest_old"] != both["_digest_new"], "doc_id"])
    added, removed = _doc_rows(new, added_ids), _doc_rows(old, removed_ids)
    added_at = {row["source_path"]: row for row in added}
    changes = [DocumentChange(row["source_path"], row["doc_id"], row["doc_id"])
               for row in _doc_rows(new, same_id_changed)]
    still_removed = []
    for row in removed:
        partner = added_at.pop(row["source_path"], None)
        if partner is None:
            still_removed.append(row)
        else:
            changes.append(DocumentChange(row["source_path"], row["doc_id"], partner["doc_id"]))
    diff.documents_added = sorted(added_at.values(), key=lambda r: (r["source_path"], r["doc_id"]))
    diff.documents_removed = still_removed
    diff.documents_changed = sorted(changes, key=lambda c: (c.source_path, c.new_doc_id))
    if diff.documents_changed and "documents" in diff.tables:
        # An edit is a changed record, not an addition: count it so, whatever the key says.
        table = diff.tables["documents"]
        paired = sum(1 for c in diff.documents_changed if c.old_doc_id != c.new_doc_id)
        table.added -= paired
        table.removed -= paired
        table.changed += paired


def release_diff(old_dir: str, new_dir: str, storage_options: dict | None = None, old_version: str = "latest",
                 new_version: str = "latest") -> ReleaseDiff:
    """`broadsheet diff A B`: two releases (release folders, or dataset folders plus versions; any fsspec URL)."""
    from pipeline.publish.store import open_release

    old = open_release(old_dir, old_version, storage_options)
    new = open_release(new_dir, new_version, storage_options)
    old_manifest, new_manifest = old.manifest(), new.manifest()
    names = list(dict.fromkeys([*new_manifest.get("tables", {}), *old_manifest.get("tables", {})]))
    return diff_releases(old.read_table, new.read_table, names, old_manifest.get("files"),
                         new_manifest.get("files"), old.version, new.version,
                         old_manifest.get("release_metadata"),
                         new_manifest.get("release_metadata", old_manifest.get("release_metadata")))


def diff_against_parent(parent_dir: str, staging_dir: str, tables: list[str], files: list[dict],
                        metadata: Mapping) -> ReleaseDiff:
    """A build's staged files against the release it follows, reading only the files that differ."""
    from pipeline.publish.store import open_release, read_release_files

    parent = open_release(parent_dir)
    manifest = parent.manifest()
    names = list(dict.fromkeys([*tables, *manifest.get("tables", {})]))
    return diff_releases(parent.read_table, lambda name, paths: read_release_files(staging_dir, name, paths),
                         names, manifest.get("files"), files, parent.version, None,
                         manifest.get("release_metadata", metadata), metadata)
