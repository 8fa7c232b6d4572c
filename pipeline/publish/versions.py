"""Release versions on disk: immutable `<dataset>/<version>/` folders and a `latest` pointer file."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
LATEST = "latest"


def parse(version: str) -> tuple[int, int, int]:
    match = SEMVER.match(version)
    if not match:
        raise ValueError(f"version {version!r} is not of the form MAJOR.MINOR.PATCH")
    return int(match[1]), int(match[2]), int(match[3])


def list_versions(dataset_dir: Path) -> list[str]:
    """Published versions (folders holding a manifest), oldest first."""
    if not dataset_dir.is_dir():
        return []
    found = [p.name for p in dataset_dir.iterdir()
             if p.is_dir() and SEMVER.match(p.name) and (p / "manifest.json").exists()]
    return sorted(found, key=parse)


def latest_version(dataset_dir: Path) -> str | None:
    pointer = dataset_dir / LATEST
    if pointer.exists():
        version = pointer.read_text().strip()
        if (dataset_dir / version / "manifest.json").exists():
            return version
    versions = list_versions(dataset_dir)
    return versions[-1] if versions else None


def read_manifest(release_dir: Path) -> dict:
    return json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))


def manifest_or_none(release_dir: Path) -> dict | None:
    """A parent's manifest where a missing or damaged one only means less to compare against."""
    try:
        return read_manifest(release_dir)
    except (OSError, ValueError):
        return None


def bump(version: str | None, part: str) -> str:
    if version is None:
        return "0.1.0"
    major, minor, patch = parse(version)
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def point_latest(dataset_dir: Path, version: str) -> None:
    """Written last and replaced atomically: a file, not a symlink, so it works on object stores too."""
    tmp = dataset_dir / f".{LATEST}.tmp"
    tmp.write_text(version + "\n")
    os.replace(tmp, dataset_dir / LATEST)
