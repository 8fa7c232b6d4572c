"""Find a release on disk and read it, turning what cannot be read into results rather than crashes.

A release is a folder with `manifest.json`; a dataset folder holds versions and a `latest` pointer.
Only a missing release or an unreadable manifest stops the gate (`GateError`, exit code 3): a damaged
Parquet file is a finding about the release and is reported as a failed check naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as arrow
import pyarrow.parquet as pq

from pipeline.publish import versions
from pipeline.publish.parquet import part_groups
from pipeline.quality.model import ERROR, CheckResult, GateError


@dataclass
class TableInfo:
    """Rows and schema of a whole table, summed over its files (the rows themselves are read part by part)."""

    schema: arrow.Schema
    num_rows: int = 0


@dataclass
class LoadedRelease:
    path: Path
    manifest: dict
    # Whole tables only where they stay small (quarantine, duplicates, and a few columns of documents);
    # `parts()` yields every table one part at a time.
    tables: dict[str, arrow.Table] = field(default_factory=dict)
    info: dict[str, TableInfo] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)  # table -> Parquet files on disk
    problems: list[CheckResult] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # tables with an unreadable file or inconsistent schemas

    @property
    def dataset_dir(self) -> Path:
        return self.path.parent

    def parts(self, trusted: set[str] = frozenset()) -> Iterator[tuple[dict[str, arrow.Table], bool]]:
        """Every table, one part at a time (file k of each table), and whether every file of the part is
        `trusted` (by sha256, as listed in the manifest): of such a part only the columns the dataset-wide
        checks need are read. A release whose tables are not cut into the same parts is one part. Tables
        with an unreadable file are left out and reported once."""
        listed = {f.get("path"): f.get("sha256") for f in self.manifest.get("files") or [] if isinstance(f, dict)}
        groups = part_groups(self.files)
        for group in groups:
            known = bool(trusted) and all(listed.get(p.relative_to(self.path).as_posix()) in trusted
                                          for paths in group.values() for p in paths)
            tables = {}
            for name, paths in group.items():
                if name in self.broken:
                    continue
                if known:
                    table = self._read_rows(name, paths)
                    if table is not None:
                        tables[name] = table
                    continue
                table = self._read(name, paths)
                if table is not None:
                    tables[name] = table
                    info = self.info.setdefault(name, TableInfo(table.schema))
                    info.num_rows += table.num_rows
            yield tables, known

    def _read_rows(self, name: str, paths: list[Path]) -> arrow.Table | None:
        """A checked part: row counts from the footers, and the few columns kept for dataset-wide checks."""
        info = self.info.setdefault(name, TableInfo(pq.read_schema(paths[0])))
        info.num_rows += sum(pq.read_metadata(p).num_rows for p in paths)
        if name not in TRUSTED_COLUMNS:
            return None
        columns = TRUSTED_COLUMNS[name]
        return arrow.concat_tables([pq.read_table(p, columns=columns) for p in paths], promote_options="permissive")

    def _read(self, name: str, paths: list[Path]) -> arrow.Table | None:
        parts = []
        for path in paths:
            rel = path.relative_to(self.path).as_posix()
            try:
                parts.append(pq.read_table(path))
            except Exception as error:  # any damage pyarrow detects: truncated, bad magic, corrupt page
                self.broken.add(name)
                self.info.pop(name, None)
                self.problems.append(CheckResult(
                    "parquet_readable", "manifest", ERROR, False,
                    f"{rel} cannot be read as Parquet: {type(error).__name__}: {str(error)[:200]}",
                    table=name, file=rel, failures=1))
                return None
        if not parts:
            return None
        try:
            return arrow.concat_tables(parts, promote_options="permissive")
        except Exception as error:
            self.broken.add(name)
            self.info.pop(name, None)
            self.problems.append(CheckResult(
                "parquet_schema_consistent", "manifest", ERROR, False,
                f"the files of {name} do not share one schema: {error}", table=name, file=name, failures=1))
            return None


# What the dataset-wide checks read of a part that was already checked row by row.
# None: the whole (small) table. Other tables are not read at all.
TRUSTED_COLUMNS: dict[str, list[str] | None] = {
    "documents": ["doc_id", "language", "published_date", "text"], "entities": ["doc_id"],
    "quarantine": None, "duplicates": None}


def resolve_release(target: str | Path | None, default_dataset_dir: str | Path) -> Path:
    """A release folder, a dataset folder (its latest version), a `latest` pointer file, or `latest`."""
    if target is None or (str(target) == versions.LATEST and not Path(target).exists()):
        target = Path(default_dataset_dir)
    path = Path(target)
    if path.is_file() and path.name == versions.LATEST:
        path = path.parent
    if path.is_dir() and (path / "manifest.json").exists():
        return path
    if path.is_dir():
        version = versions.latest_version(path)
        if version is not None:
            return path / version
        raise GateError(f"no release found in {path}: expected a release folder with manifest.json, or a "
                        "dataset folder holding versions and a `latest` file")
    raise GateError(f"release not found: {path} does not exist")


def read_manifest(release: Path) -> dict:
    manifest_path = release / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GateError(f"cannot read release: {manifest_path} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GateError(f"cannot read release: {manifest_path} is not valid JSON ({error})") from None
    if not isinstance(manifest, dict):
        raise GateError(f"cannot read release: {manifest_path} is not a JSON object")
    return manifest


def _table_names(release: Path, manifest: dict) -> list[str]:
    on_disk = {p.parent.name for p in release.glob("*/*.parquet")}
    listed = set((manifest.get("tables") or {}).keys())
    listed |= {str(f.get("path", "")).split("/")[0] for f in manifest.get("files") or [] if isinstance(f, dict)}
    return sorted((on_disk | listed) - {""})


def load_release(release: Path) -> LoadedRelease:
    """The manifest and the list of files; rows are read later, a part at a time (`LoadedRelease.parts`)."""
    loaded = LoadedRelease(release, read_manifest(release))
    for name in _table_names(release, loaded.manifest):
        loaded.files[name] = sorted((release / name).glob("*.parquet"))
    return loaded
