"""Walk the inputs in a stable order, so that shards and releases do not depend on the file system.

Inputs are local paths or fsspec URLs (`file://`, `memory://`, and any protocol whose fsspec
implementation is installed, e.g. `s3://` with s3fs); `file://` URLs are read as local paths.
"""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

import fsspec

from pipeline import storage
from pipeline.redact import redact, refuse_credentials


@dataclass(frozen=True)
class InputFile:
    path: str  # absolute path, used to read
    relative_path: str  # path relative to the input root, published as `source_path`
    size: int
    sha256: str
    # (reason, detail) when the file cannot be read at all (a symlink loop, a broken link, no permission):
    # it is still an input, so it ends in quarantine instead of disappearing.
    problem: tuple[str, str] | None = None

    @classmethod
    def from_path(cls, path: Path, root: Path) -> InputFile:
        relative = path.name if root == path else path.relative_to(root).as_posix()
        try:
            return cls(str(path), relative, path.stat().st_size, sha256_file(path))
        except OSError as error:
            return cls(str(path), relative, 0, "", _problem(path, error))


def _problem(path: Path, error: OSError) -> tuple[str, str]:
    if error.errno == errno.ELOOP:
        return "symlink_loop", f"the symbolic link loops ({path.name} -> {os.readlink(path)} -> ...)"
    if error.errno == errno.ENOENT and path.is_symlink():
        return "broken_symlink", f"the symbolic link points at {os.readlink(path)}, which does not exist"
    return "unreadable", f"cannot be read: {error.strerror or error}"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def is_url(raw: str | Path) -> bool:
    return isinstance(raw, str) and "://" in raw


def read_input_bytes(item: InputFile, limit: int = -1) -> bytes:
    """The bytes of one input, local or remote; only the first `limit` bytes when one is given."""
    if is_url(item.path):
        with fsspec.open(item.path, "rb") as handle:
            return handle.read(limit)
    with open(item.path, "rb") as handle:
        return handle.read(limit)


def _local(raw: str | Path) -> str | Path:
    """A `file://` URL as a plain path; anything else unchanged."""
    if is_url(raw) and str(raw).startswith("file://"):
        return str(storage.local_path(raw))
    return raw


def _remote_files(raw: str) -> list[InputFile]:
    fs, root = fsspec.core.url_to_fs(raw)
    if not fs.exists(root):
        raise FileNotFoundError(f"input {redact(raw)}: no such file or directory")
    root = root.rstrip("/")
    paths = [root] if fs.isfile(root) else sorted(fs.find(root))
    found = []
    for path in paths:
        relative = path.rsplit("/", 1)[-1] if path == root else path[len(root):].lstrip("/")
        if any(part.startswith(".") for part in relative.split("/")):
            continue
        digest = hashlib.sha256()
        with fs.open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        found.append(InputFile(fs.unstrip_protocol(path), relative, int(fs.size(path)), digest.hexdigest()))
    return found


def _walk(inputs: list[str | Path]):
    for raw in inputs:
        raw = _local(raw)
        if is_url(raw):
            continue  # remote inputs are listed by _remote_files
        try:
            root = Path(raw).expanduser().resolve()
        except RuntimeError:  # Python 3.11 raises it for a symlink loop
            raise FileNotFoundError(f"input {raw}: a symbolic link that loops") from None
        if not root.exists():
            raise FileNotFoundError(f"input {raw}: no such file or directory")
        if root.is_file():
            yield root, root
            continue
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(folder) / name
                # a link that loops or points nowhere is yielded too: it is quarantined, not silently skipped
                if not name.startswith(".") and (path.is_file() or path.is_symlink() and not path.is_dir()):
                    yield path, root


def count_inputs(inputs: list[str | Path]) -> int:
    """How many files a build will read, without reading them (remote inputs are listed, not read)."""
    remote = 0
    for raw in inputs:
        raw = _local(raw)
        if is_url(raw):
            fs, root = fsspec.core.url_to_fs(str(raw))
            remote += 1 if fs.isfile(root) else len(fs.find(root))
    return remote + sum(1 for _ in _walk(inputs))


def discover_inputs(inputs: list[str | Path]) -> list[InputFile]:
    """Every regular file under the inputs (hidden files and folders skipped), sorted by relative path.

    Symlinked folders are not followed, so a symlink loop cannot hang a run; a file link that loops or
    points nowhere is listed with its problem and quarantined.
    """
    for raw in inputs:
        if is_url(raw):
            refuse_credentials(str(raw), "input")
    found: dict[str, InputFile] = {}
    seen_paths: set[str] = set()  # (a set: a scan of `found` per file made discovery quadratic, ~10 min at 100k)

    def add(item: InputFile, root_name: str) -> None:
        """Two input folders may hold the same relative path (a/001.txt, b/001.txt): both are read, the
        second under its folder's name, so no input silently disappears."""
        if item.path in seen_paths:
            return  # the same file named twice
        seen_paths.add(item.path)
        key, n = item.relative_path, 1
        while key in found:
            key = f"{root_name}/{item.relative_path}" if n == 1 else f"{root_name}-{n}/{item.relative_path}"
            n += 1
        found[key] = replace(item, relative_path=key)

    for path, root in _walk(inputs):
        add(InputFile.from_path(path, root), root.name)
    for raw in inputs:
        if is_url(_local(raw)):
            for item in _remote_files(str(raw)):
                add(item, str(raw).rstrip("/").rsplit("/", 1)[-1])
    return [found[key] for key in sorted(found)]
