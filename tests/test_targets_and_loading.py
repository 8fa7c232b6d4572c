"""Publishing targets (a real S3-compatible server on loopback, the Hub up to the network) and load_release."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

import pipeline
from flows.cli import app
from pipeline.build import build
from pipeline.publish.targets import TargetError, push_release

from .conftest import SECRET, SEED, SHARED, need_shared


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("two")
    inputs = root / "in"
    inputs.mkdir()
    shutil.copy(SEED, inputs / SEED.name)
    build([str(inputs)], str(root / "out"))
    shutil.copy(need_shared(SHARED / "corpora" / "bbc-news" / "tech" / "001.txt"), inputs / "tech-001.txt")
    assert build([str(inputs)], str(root / "out")).version == "0.2.0"
    return root / "out" / "broadsheet"


def test_publish_to_s3_and_load_back(s3_server, two_releases):
    for version in ("0.1.0", "0.2.0"):
        pushed = push_release(two_releases / version, "s3://releases/team")
        assert pushed.location == f"s3://releases/team/broadsheet/{version}"
    import s3fs

    fs = s3fs.S3FileSystem()
    assert fs.cat_file("releases/team/broadsheet/latest").decode().strip() == "0.2.0"
    remote = sorted(p.split("/0.2.0/", 1)[1] for p in fs.find("releases/team/broadsheet/0.2.0"))
    local = sorted(p.relative_to(two_releases / "0.2.0").as_posix()
                   for p in (two_releases / "0.2.0").rglob("*") if p.is_file())
    assert remote == local

    latest = pipeline.load_release("s3://releases/team/broadsheet")
    assert latest.num_rows == 2 and "tech-001.txt" in latest["source_path"]
    pinned = pipeline.load_release("s3://releases/team/broadsheet", version="0.1.0", table="sentences",
                                   as_pandas=True)
    assert set(pinned["doc_id"]) == {latest.filter(lambda r: r["source_path"] == SEED.name)[0]["doc_id"]}

    with pytest.raises(TargetError, match="already exists; releases are immutable"):
        push_release(two_releases / "0.1.0", "s3://releases/team")
    with pytest.raises(FileNotFoundError, match=r"no release 3.0.0 .*releases: 0.1.0, 0.2.0"):
        pipeline.load_release("s3://releases/team/broadsheet", version="3.0.0")


def test_s3_errors_name_the_target_but_not_the_credentials(s3_server, two_releases):
    with pytest.raises(TargetError) as caught:
        push_release(two_releases / "0.1.0", "s3://no-such-bucket/x")
    assert "s3://no-such-bucket/x/broadsheet/0.1.0" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_cli_build_with_to_publishes_to_s3(s3_server, tmp_path):
    result = CliRunner().invoke(app, ["build", str(SEED.parent), "--output", str(tmp_path), "--to", "s3://releases/cli"])
    assert result.exit_code == 0, result.output
    assert "published 0.1.0 to s3://releases/cli/broadsheet/0.1.0" in result.output
    assert SECRET not in result.output
    docs = pipeline.load_release("s3://releases/cli/broadsheet", table="documents")
    assert docs.num_rows == 1


class FakeHfApi:
    """Records the calls HfApi would send to the Hub; the Hub itself cannot be reached from here."""

    def __init__(self, tags: tuple[str, ...] = ()):
        self.calls: list[tuple[str, dict]] = []
        self.tags = list(tags)

    def create_repo(self, repo_id, **kwargs):
        self.calls.append(("create_repo", {"repo_id": repo_id, **kwargs}))

    def list_repo_refs(self, repo_id, **kwargs):
        self.calls.append(("list_repo_refs", {"repo_id": repo_id, **kwargs}))
        return SimpleNamespace(tags=[SimpleNamespace(name=t) for t in self.tags])

    def upload_folder(self, **kwargs):
        self.calls.append(("upload_folder", kwargs))
        self.uploaded = sorted(p.relative_to(kwargs["folder_path"]).as_posix()
                               for p in Path(kwargs["folder_path"]).rglob("*") if p.is_file())
        return SimpleNamespace(oid="c0ffee" * 6 + "abcd")

    def create_tag(self, repo_id, **kwargs):
        self.calls.append(("create_tag", {"repo_id": repo_id, **kwargs}))


def test_hub_target_is_one_commit_and_a_version_tag(two_releases):
    api = FakeHfApi(tags=("v0.1.0",))
    pushed = push_release(two_releases / "0.2.0", "hf://datasets/newsroom/broadsheet", hf_api=api)
    assert pushed.location == "newsroom/broadsheet@v0.2.0"
    names = [name for name, _ in api.calls]
    assert names == ["create_repo", "list_repo_refs", "upload_folder", "create_tag"]  # one commit, then the tag
    upload = api.calls[2][1]
    assert upload["repo_id"] == "newsroom/broadsheet" and upload["repo_type"] == "dataset"
    assert upload["commit_message"] == "Release 0.2.0"
    assert "**/*.parquet" in upload["delete_patterns"]  # shards of the previous release do not linger
    assert {"README.md", "croissant.json", "CHANGELOG.md", "documents/train-00000-of-00001.parquet"} <= set(
        api.uploaded)
    tag = api.calls[3][1]
    assert tag == {"repo_id": "newsroom/broadsheet", "tag": "v0.2.0", "revision": "c0ffee" * 6 + "abcd",
                   "repo_type": "dataset", "tag_message": "Release 0.2.0"}


def test_hub_target_refuses_an_existing_tag_and_bad_urls(two_releases):
    api = FakeHfApi(tags=("v0.1.0",))
    with pytest.raises(TargetError, match="already has tag v0.1.0"):
        push_release(two_releases / "0.1.0", "hf://datasets/newsroom/broadsheet", hf_api=api)
    assert "upload_folder" not in [name for name, _ in api.calls]
    with pytest.raises(TargetError, match="hf://datasets/ORG/NAME"):
        push_release(two_releases / "0.1.0", "hf://datasets/just-a-name", hf_api=api)


def test_load_release_from_the_hub_pins_the_tag(monkeypatch):
    import datasets

    seen = {}

    def fake_load_dataset(path, name=None, **kwargs):
        seen.update(path=path, name=name, **kwargs)
        return datasets.Dataset.from_dict({"doc_id": ["a"]})

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    frame = pipeline.load_release("hf://datasets/newsroom/broadsheet", version="1.2.0", table="sentences",
                                  as_pandas=True)
    assert seen == {"path": "newsroom/broadsheet", "name": "sentences", "split": "train", "revision": "v1.2.0"}
    assert list(frame["doc_id"]) == ["a"]


def test_load_release_from_local_folders(two_releases):
    latest = pipeline.load_release(str(two_releases))
    assert latest.num_rows == 2
    pinned = pipeline.load_release(str(two_releases), version="0.1.0")
    assert pinned.num_rows == 1
    direct = pipeline.load_release(str(two_releases / "0.2.0"), table="paragraphs", as_pandas=True)
    manifest = json.loads((two_releases / "0.2.0" / "manifest.json").read_text())
    assert len(direct) == manifest["tables"]["paragraphs"]["rows"]
    with pytest.raises(FileNotFoundError, match="has no table 'words'"):
        pipeline.load_release(str(two_releases), table="words")
    with pytest.raises(ValueError, match="no split 'test'"):
        pipeline.load_release(str(two_releases), split="test")


def test_credentials_in_a_url_never_reach_messages(two_releases):
    from pipeline.publish.store import redact

    assert redact("s3://AKIAKEY:topsecret@bucket/prefix") == "s3://bucket/prefix"
    with pytest.raises(TargetError) as caught:
        push_release(two_releases / "0.1.0", "hf://user:topsecret@datasets/ORG/NAME", hf_api=FakeHfApi())
    assert "topsecret" not in str(caught.value)
