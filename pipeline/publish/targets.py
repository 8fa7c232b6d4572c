"""Copy a finished local release to where consumers read it: any fsspec URL, or the Hugging Face Hub.

The local release folder stays the source of truth (versions are chosen there); a target receives a copy.

- fsspec URLs (`s3://bucket/prefix`, `gs://...`, `file:///...`, `memory://...`): files go to
  `<url>/<dataset>/<version>/`, `manifest.json` after every other file (a version exists once its manifest
  does), then the `latest` pointer file. Object stores have no atomic folder rename; this order gives the
  same guarantee to readers that go through the manifest or `latest`.
- `hf://datasets/ORG/NAME`: one commit holding the whole release at the repository root (the layout
  `datasets` expects), then a `vX.Y.Z` tag on that commit, which consumers pin with `revision="vX.Y.Z"`.

Credentials come only from the environment or the libraries' standard config files (AWS_* variables or
~/.aws for s3fs, HF_TOKEN or the `hf auth login` token for the Hub): a target URL with `user:password@` is
refused, and every error message is scrubbed of secret values (`pipeline/redact.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsspec.core import url_to_fs

from pipeline.publish.versions import LATEST, read_manifest
from pipeline.redact import CredentialsInURLError, redact, refuse_credentials, scrub, scrubbed_logs

HUB_PREFIX = "hf://datasets/"
# Files of the previous release at the Hub repository's root that this commit replaces.
HUB_REPLACED = ["**/*.parquet", "README.md", "manifest.json", "SHA256SUMS", "CHANGELOG.md", "croissant.json"]


class TargetError(RuntimeError):
    pass


@dataclass
class PushResult:
    target: str  # redacted
    version: str
    location: str  # where the release now is (URL, or repo@tag)
    files: int


def check_target(target: str) -> None:
    """A target's form, checked before a build spends any time: no credentials in it, a valid Hub name."""
    try:
        refuse_credentials(target, "target")
    except CredentialsInURLError as error:
        raise TargetError(str(error)) from None
    if target.startswith("hf://"):
        hub_repo_id(target)


def push_release(release_dir: str | Path, target: str, hf_api: Any = None,
                 storage_options: dict | None = None) -> PushResult:
    """Copy one local release folder to `target`; refuses to overwrite a version already there."""
    check_target(target)
    release_dir = Path(release_dir)
    if not (release_dir / "manifest.json").exists():
        raise TargetError(f"{release_dir} is not a release (no manifest.json)")
    with scrubbed_logs():  # storage clients log request headers at DEBUG level
        if target.startswith("hf://"):
            return _push_hub(release_dir, target, hf_api)
        return _push_fsspec(release_dir, target, storage_options)


def _release_files(release_dir: Path) -> list[Path]:
    files = sorted(p for p in release_dir.rglob("*") if p.is_file() and p.name != "manifest.json")
    return [*files, release_dir / "manifest.json"]


def _push_fsspec(release_dir: Path, target: str, storage_options: dict | None) -> PushResult:
    manifest = read_manifest(release_dir)
    dataset, version = manifest["dataset"], manifest["version"]
    fs, root = url_to_fs(target.rstrip("/"), **(storage_options or {}))
    base = f"{root}/{dataset}"
    dest = f"{base}/{version}"
    shown = redact(f"{target.rstrip('/')}/{dataset}/{version}")
    try:
        if fs.exists(f"{dest}/manifest.json"):
            raise TargetError(f"release {shown} already exists; releases are immutable")
        files = _release_files(release_dir)
        local = "file" in ((fs.protocol,) if isinstance(fs.protocol, str) else fs.protocol)
        for path in files:  # manifest.json last: until it lands, readers do not see this version
            remote = f"{dest}/{path.relative_to(release_dir).as_posix()}"
            if local:  # object stores have no folders (and s3fs.makedirs would create a missing bucket)
                fs.makedirs(remote.rsplit("/", 1)[0], exist_ok=True)
            fs.put_file(str(path), remote)
        current = fs.cat_file(f"{base}/{LATEST}").decode().strip() if fs.exists(f"{base}/{LATEST}") else None
        if current is None or _newer(version, current):
            fs.pipe_file(f"{base}/{LATEST}", (version + "\n").encode())
    except TargetError:
        raise
    except Exception as error:  # one clear line naming the target (redacted), never the credentials
        raise TargetError(scrub(f"could not publish to {shown}: {type(error).__name__}: {error}")) from None
    return PushResult(redact(target), version, shown, len(files))


def _newer(version: str, than: str) -> bool:
    from pipeline.publish.versions import parse

    try:
        return parse(version) > parse(than)
    except ValueError:
        return True


def hub_repo_id(target: str) -> str:
    if not target.startswith(HUB_PREFIX) or target[len(HUB_PREFIX):].strip("/").count("/") != 1:
        raise TargetError(f"a Hub target looks like hf://datasets/ORG/NAME, not {redact(target)}")
    return target[len(HUB_PREFIX):].strip("/")


def _push_hub(release_dir: Path, target: str, hf_api: Any) -> PushResult:
    repo_id = hub_repo_id(target)
    version = read_manifest(release_dir)["version"]
    tag = f"v{version}"
    if hf_api is None:
        from huggingface_hub import HfApi

        hf_api = HfApi()  # token from HF_TOKEN or the standard token file; never passed around here
    try:
        hf_api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
        tags = {ref.name for ref in hf_api.list_repo_refs(repo_id, repo_type="dataset").tags}
        if tag in tags:
            raise TargetError(f"{repo_id} already has tag {tag}; releases are immutable")
        commit = hf_api.upload_folder(
            repo_id=repo_id, repo_type="dataset", folder_path=str(release_dir),
            commit_message=f"Release {version}",
            commit_description=f"Broadsheet release {version}; see CHANGELOG.md.",
            delete_patterns=HUB_REPLACED,
        )
        hf_api.create_tag(repo_id, tag=tag, revision=commit.oid, repo_type="dataset",
                          tag_message=f"Release {version}")
    except TargetError:
        raise
    except Exception as error:
        raise TargetError(scrub(f"could not publish to {redact(target)}: {type(error).__name__}: {error}")) from None
    return PushResult(redact(target), version, f"{repo_id}@{tag}", len(_release_files(release_dir)))
