"""Find a release on disk and read it, turning what cannot be read into results rather than crashes.

A release is a folder with `manifest.json`; a dataset folder holds versions and a `latest` pointer.
Only a missing release or an unreadable manifest stops the gate (`GateError`, exit code 3): a damaged
Parquet file is a finding about the release and is reported as a failed check naming the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as arrow
import pyarrow.parquet as pq

from pipeline.publish import versions
from pipeline.quality.model import ERROR, CheckResult, GateError


@dataclass
class LoadedRelease:
    path: Path
    manifest: dict
    tables: dict[str, arrow.Table] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)  # table -> Parquet files on disk
    problems: list[CheckResult] = field(default_factory=list)

    @property
    def dataset_dir(self) -> Path:
        return self.path.parent


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
    loaded = LoadedRelease(release, read_manifest(release))
    for name in _table_names(release, loaded.manifest):
        paths = sorted((release / name).glob("*.parquet"))
        loaded.files[name] = paths
        parts, broken = [], False
        for path in paths:
            rel = path.relative_to(release).as_posix()
            try:
                parts.append(pq.read_table(path))
            except Exception as error:  # any damage pyarrow detects: truncated, bad magic, corrupt page
                broken = True
                loaded.problems.append(CheckResult(
                    "parquet_readable", "manifest", ERROR, False,
                    f"{rel} cannot be read as Parquet: {type(error).__name__}: {str(error)[:200]}",
                    table=name, file=rel, failures=1))
        if broken or not paths:
            continue
        try:
            loaded.tables[name] = arrow.concat_tables(parts, promote_options="permissive")
        except Exception as error:
            loaded.problems.append(CheckResult(
                "parquet_schema_consistent", "manifest", ERROR, False,
                f"the files of {name} do not share one schema: {error}", table=name, file=name, failures=1))
    return loaded
