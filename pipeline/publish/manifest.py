"""The manifest and SHA256SUMS: what a release holds, where it came from, and how to check it."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.sources.discover import sha256_file


def created_timestamp() -> str:
    """UTC now, or SOURCE_DATE_EPOCH when set, for fully reproducible releases."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def describe_files(release_dir: Path, paths: list[Path]) -> list[dict]:
    files = []
    for path in sorted(paths):
        metadata = pq.read_metadata(path)
        files.append({
            "path": path.relative_to(release_dir).as_posix(),
            "sha256": sha256_file(path),
            "bytes": path.stat().st_size,
            "rows": metadata.num_rows,
        })
    return files


def content_fingerprint(files: list[dict]) -> str:
    """Same Parquet bytes, same fingerprint: how a rebuild knows nothing changed."""
    digest = hashlib.sha256()
    for item in sorted(files, key=lambda f: f["path"]):
        digest.update(f"{item['path']} {item['sha256']}\n".encode())
    return digest.hexdigest()


def _type_name(dtype) -> str:
    """Arrow names a list's child `item`, Parquet readers `element`: the same type, one name."""
    return re.sub(r"list<(element|item): ", "list<", str(dtype))


def schema_of(table) -> list[dict]:
    return [{"name": f.name, "type": _type_name(f.type), "nullable": f.nullable} for f in table.schema]


def write_sha256sums(release_dir: Path) -> None:
    lines = [f"{sha256_file(path)}  {path.relative_to(release_dir).as_posix()}"
             for path in sorted(release_dir.rglob("*")) if path.is_file() and path.name != "SHA256SUMS"]
    (release_dir / "SHA256SUMS").write_text("\n".join(lines) + "\n")
