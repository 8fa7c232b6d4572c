"""Walk the inputs in a stable order, so that shards and releases do not depend on the file system."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InputFile:
    path: str  # absolute path, used to read
    relative_path: str  # path relative to the input root, published as `source_path`
    size: int
    sha256: str

    @classmethod
    def from_path(cls, path: Path, root: Path) -> InputFile:
        relative = path.name if root == path else path.relative_to(root).as_posix()
        return cls(str(path), relative, path.stat().st_size, sha256_file(path))


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _walk(inputs: list[str | Path]):
    for raw in inputs:
        root = Path(raw).expanduser().resolve()
        if not root.exists():
            raise FileNotFoundError(f"input {raw}: no such file or directory")
        if root.is_file():
            yield root, root
            continue
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(folder) / name
                if not name.startswith(".") and path.is_file():
                    yield path, root


def count_inputs(inputs: list[str | Path]) -> int:
    """How many files a build will read, without reading them."""
    return sum(1 for _ in _walk(inputs))


def discover_inputs(inputs: list[str | Path]) -> list[InputFile]:
    """Every regular file under the inputs (hidden files and folders skipped), sorted by relative path.

    Symlinked folders are not followed, so a symlink loop cannot hang a run.
    """
    found: dict[str, InputFile] = {}
    for path, root in _walk(inputs):
        item = InputFile.from_path(path, root)
        found.setdefault(item.relative_path, item)
    return [found[key] for key in sorted(found)]
