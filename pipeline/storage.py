"""Work folders on a local disk or any fsspec URL (s3://, gs://, ...), so workers on other machines can
write their shard outputs where the publishing process reads them.

A location is a plain string: a local path, or a URL whose protocol names the file system. A finished
folder is all-or-nothing either way: on a local disk it is written under a temporary name and renamed;
object stores have no rename, so there the tables are written first and the marker last, and a folder
counts as finished once its marker exists (a killed attempt leaves tables without one, redone later).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import fsspec
import pyarrow as arrow
import pyarrow.parquet as pq
from fsspec.core import url_to_fs

LAST_USED = "_LAST_USED"  # object stores cannot touch a folder: a reused shard rewrites this empty file


def is_local(location: str | Path) -> bool:
    text = str(location)
    return "://" not in text or text.startswith("file://")


def local_path(location: str | Path) -> Path:
    """A local location as a path (`file://` URLs included)."""
    text = str(location)
    return Path(url_to_fs(text)[1] if text.startswith("file://") else text)


def _remote(location: str, fresh: bool = False) -> tuple[fsspec.AbstractFileSystem, str]:
    """The file system and path; `fresh` drops cached listings (other workers write beside this process,
    and s3fs answers `exists` from a listing cached before they did)."""
    fs, path = url_to_fs(location)
    if fresh:
        fs.invalidate_cache()
    return fs, path.rstrip("/")


def join(location: str | Path, name: str) -> str:
    if is_local(location):
        return str(local_path(location) / name)
    return f"{str(location).rstrip('/')}/{name}"


def check_writable(location: str) -> None:
    """Write and remove a probe file, so a missing bucket or a read-only credential fails before any work
    instead of failing (and quarantining) every shard."""
    if is_local(location):
        return
    probe = f".probe-{uuid.uuid4().hex[:12]}"
    try:
        fs, path = _remote(location)
        fs.pipe_file(f"{path}/{probe}", b"")
        fs.rm_file(f"{path}/{probe}")
    except Exception as error:  # noqa: BLE001 (each file system raises its own errors)
        raise OSError(f"work folder {location}: cannot write there ({type(error).__name__}: {error})") from None


def exists(location: str) -> bool:
    if is_local(location):
        return local_path(location).exists()
    fs, path = _remote(location, fresh=True)
    return fs.exists(path)


def read_json(location: str) -> dict | None:
    """The JSON object at `location`, or None when there is none (or it is unreadable: treated as absent)."""
    try:
        if is_local(location):
            return json.loads(local_path(location).read_text())
        fs, path = _remote(location)
        return json.loads(fs.cat_file(path))
    except (OSError, ValueError):
        return None


def read_parquet(location: str, columns: list[str] | None = None) -> arrow.Table:
    if is_local(location):
        return pq.read_table(local_path(location), columns=columns)
    fs, path = _remote(location, fresh=True)
    return pq.read_table(path, columns=columns, filesystem=fs)


def glob(folder: str | Path, pattern: str) -> list[str]:
    """Sorted locations matching `pattern` under `folder`, written the way `folder` is (path or URL)."""
    if is_local(folder):
        return [str(found) for found in sorted(local_path(folder).glob(pattern))]
    fs, path = _remote(str(folder), fresh=True)
    return sorted(fs.unstrip_protocol(found) for found in fs.glob(f"{path}/{pattern}"))


def parent(location: str) -> str:
    if is_local(location):
        return str(local_path(location).parent)
    return location.rstrip("/").rsplit("/", 1)[0]


def touch_folder(folder: str) -> None:
    """Mark a folder as in use now, so a concurrent build's pruning spares it."""
    if is_local(folder):
        os.utime(local_path(folder))
        return
    fs, path = _remote(folder)
    fs.pipe_file(f"{path}/{LAST_USED}", b"")


def write_folder(folder: str, tables: dict[str, arrow.Table], marker_name: str, marker: dict) -> None:
    """Write `<name>.parquet` for each table and then the marker, as one all-or-nothing folder."""
    if is_local(folder):
        target = local_path(folder)
        staging = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
        staging.mkdir(parents=True)
        for name, table in tables.items():
            pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
        (staging / marker_name).write_text(json.dumps(marker, indent=2, sort_keys=True))
        if target.exists():  # an earlier, unfinished attempt (no marker): replace it
            shutil.rmtree(target)
        os.replace(staging, target)
        return
    fs, path = _remote(folder)
    fs.makedirs(path, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, f"{path}/{name}.parquet", compression="zstd", filesystem=fs)
    fs.pipe_file(f"{path}/{marker_name}", json.dumps(marker, indent=2, sort_keys=True).encode())


def prune_folders(work_dir: str, keep: set[str], prefixes: tuple[str, ...], cutoff: float) -> list[str]:
    """Remove the folders under `work_dir` named with one of `prefixes`, not in `keep`, unused since `cutoff`."""
    if is_local(work_dir):
        return _prunelocal_path(local_path(work_dir), keep, prefixes, cutoff)
    fs, root = _remote(work_dir, fresh=True)
    last_used: dict[str, float] = {}  # folder -> newest file in it, from one listing (object stores keep no
    for path, info in fs.find(root, detail=True).items():  # times for folders)
        name = path[len(root):].strip("/").split("/", 1)[0]
        if name in keep or not name.startswith(prefixes) or "/" not in path[len(root):].strip("/"):
            continue
        last_used[name] = max(last_used.get(name, 0.0), _modified(fs, path, info))
    removed = []
    for name, when in sorted(last_used.items()):
        if when < cutoff:
            fs.rm(f"{root}/{name}", recursive=True)
            removed.append(name)
    return removed


def _modified(fs: fsspec.AbstractFileSystem, path: str, info: dict) -> float:
    """A file's modification time from its listing entry (the key differs per file system), else asked."""
    for key in ("LastModified", "mtime", "updated", "last_modified", "created"):
        value = info.get(key)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, str) and value:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
    return fs.modified(path).timestamp()


def _prunelocal_path(work_dir: Path, keep: set[str], prefixes: tuple[str, ...], cutoff: float) -> list[str]:
    removed = []
    for folder in sorted(work_dir.iterdir()):
        if folder.name in keep or not folder.is_dir() or not folder.name.startswith(prefixes):
            continue
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder)
                removed.append(folder.name)
        except FileNotFoundError:  # removed by another build meanwhile
            continue
    return removed
