"""Reading releases wherever they live: a local folder or any fsspec URL (s3://, gs://, memory://, ...).

A dataset folder holds `<version>/` folders and a `latest` pointer file; a version exists once its
`manifest.json` does (targets write it after every other file, so a half-uploaded release is invisible).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import fsspec
import pyarrow as arrow
import pyarrow.parquet as pq
from fsspec.core import url_to_fs

from pipeline.publish.versions import LATEST, SEMVER, parse
from pipeline.redact import redact

__all__ = ["Release", "list_versions", "open_release", "redact"]


@dataclass
class Release:
    """One version of a dataset on some file system."""

    fs: fsspec.AbstractFileSystem
    path: str  # the release folder, in the file system's own terms
    version: str
    url: str  # what the user passed, redacted

    def manifest(self) -> dict:
        with self.fs.open(f"{self.path}/manifest.json", "rt", encoding="utf-8") as handle:
            return json.load(handle)

    def table_files(self, table: str, split: str | None = None) -> list[str]:
        pattern = f"{split}-*.parquet" if split else "*.parquet"
        return sorted(self.fs.glob(f"{self.path}/{table}/{pattern}"))

    def read_table(self, table: str, paths: list[str] | None = None) -> arrow.Table | None:
        """All splits and parts of one table (or only `paths`, relative to the release), or None when this
        release has no such table."""
        files = self.table_files(table)
        if not files:
            return None
        if paths is not None:
            wanted = set(paths)
            chosen = [f for f in files if f[len(self.path) + 1:] in wanted]
            if not chosen:
                return pq.read_schema(files[0], filesystem=self.fs).empty_table()
            files = chosen
        parts = [pq.read_table(path, filesystem=self.fs) for path in files]
        return arrow.concat_tables(parts, promote_options="default") if len(parts) > 1 else parts[0]

    def url_of(self, path: str) -> str:
        """A path inside this file system as a URL other libraries (datasets, pandas) can open."""
        protocol = self.fs.protocol if isinstance(self.fs.protocol, str) else self.fs.protocol[0]
        return path if protocol in ("file", "local") else f"{protocol}://{path}"


def read_release_files(folder: str, table: str, paths: list[str] | None = None) -> arrow.Table | None:
    """`Release.read_table` for a local folder without a manifest yet (a build's staging folder)."""
    fs, root = url_to_fs(str(folder))
    return Release(fs, root.rstrip("/"), "", redact(str(folder))).read_table(table, paths)


def list_versions(path_or_url: str, storage_options: dict | None = None) -> list[str]:
    fs, root = url_to_fs(str(path_or_url), **(storage_options or {}))
    if not fs.isdir(root):
        return []
    names = [entry.rstrip("/").rsplit("/", 1)[-1] for entry in fs.ls(root, detail=False)]
    found = [n for n in names if SEMVER.match(n) and fs.exists(f"{root}/{n}/manifest.json")]
    return sorted(found, key=parse)


def open_release(path_or_url: str, version: str = "latest", storage_options: dict | None = None) -> Release:
    """A release folder itself, or a dataset folder plus a version ("latest" follows the pointer file)."""
    url = str(path_or_url).rstrip("/")
    fs, root = url_to_fs(url, **(storage_options or {}))
    if fs.exists(f"{root}/manifest.json"):
        with fs.open(f"{root}/manifest.json", "rt", encoding="utf-8") as handle:
            found = json.load(handle).get("version", root.rsplit("/", 1)[-1])
        if version not in ("latest", found):
            raise FileNotFoundError(f"{redact(url)} is release {found}, not {version}")
        return Release(fs, root, found, redact(url))
    if version == "latest":
        if fs.exists(f"{root}/{LATEST}"):
            version = fs.cat_file(f"{root}/{LATEST}").decode().strip()
        else:
            versions = list_versions(url, storage_options)
            if not versions:
                raise FileNotFoundError(f"no releases under {redact(url)}")
            version = versions[-1]
    if not re.match(SEMVER, version):
        raise ValueError(f"version {version!r} is not of the form MAJOR.MINOR.PATCH (or 'latest')")
    if not fs.exists(f"{root}/{version}/manifest.json"):
        known = ", ".join(list_versions(url, storage_options)) or "none"
        raise FileNotFoundError(f"no release {version} under {redact(url)} (releases: {known})")
    return Release(fs, f"{root}/{version}", version, redact(f"{url}/{version}"))
