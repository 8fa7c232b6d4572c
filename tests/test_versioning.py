"""Issue 5 acceptance: versions chosen from what changed, changelogs, diffs, every version still loads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import datasets
import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app
from pipeline.build import build
from pipeline.config import BuildConfig
from pipeline.publish.diff import release_diff

from .conftest import SEED, SHARED, need_shared

BBC = SHARED / "corpora" / "bbc-news"


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> dict:
    """Seed; the same again; plus one BBC article; that article edited; the edited one removed."""
    root = tmp_path_factory.mktemp("history")
    inputs, out = root / "in", root / "out"
    inputs.mkdir()
    shutil.copy(SEED, inputs / SEED.name)
    steps = {"seed": build([str(inputs)], str(out)), "again": build([str(inputs)], str(out))}
    article = inputs / "bbc-business-001.txt"
    shutil.copy(need_shared(BBC / "business" / "001.txt"), article)
    steps["added"] = build([str(inputs)], str(out))
    article.write_text(article.read_text(encoding="utf-8").replace("jumped 76%", "jumped 77%"), encoding="utf-8")
    steps["edited"] = build([str(inputs)], str(out))
    article.unlink()
    steps["kept"] = build([str(inputs)], str(out))  # retention "keep" (default): the archive keeps it
    steps["removed"] = build([str(inputs)], str(out), config=BuildConfig(retention="drop"))
    return {"out": out, "dataset": out / "broadsheet", **steps}


def test_unchanged_rebuild_publishes_nothing_and_says_so(history):
    assert history["seed"].version == "0.1.0" and history["seed"].published
    again = history["again"]
    assert not again.published and again.version == "0.1.0"
    assert again.message == "nothing changed since 0.1.0: no new release"


def test_adding_an_article_is_minor_and_the_changelog_names_it(history):
    added = history["added"]
    assert (added.version, added.bump, added.parent) == ("0.2.0", "minor", "0.1.0")
    changelog = (Path(added.path) / "CHANGELOG.md").read_text()
    entry = changelog.split("## 0.1.0")[0]
    assert "## 0.2.0 (minor from 0.1.0)" in entry
    assert "Documents: 1 added, 0 removed, 0 changed." in entry
    assert "bbc-business-001.txt — Ad sales boost Time Warner profit" in entry
    assert "## 0.1.0\n\nFirst release." in changelog  # the history is carried forward


def test_editing_an_article_is_major_and_reported_as_changed(history):
    edited = history["edited"]
    assert (edited.version, edited.bump) == ("1.0.0", "major")
    entry = (Path(edited.path) / "CHANGELOG.md").read_text().split("## 0.2.0")[0]
    assert "Documents: 0 added, 0 removed, 1 changed." in entry
    old_id = pd.read_parquet(Path(history["added"].path) / "documents").set_index("source_path").loc[
        "bbc-business-001.txt", "doc_id"]
    new_id = pd.read_parquet(Path(edited.path) / "documents").set_index("source_path").loc[
        "bbc-business-001.txt", "doc_id"]
    assert old_id != new_id
    assert f"- bbc-business-001.txt: `{old_id}` → `{new_id}`" in entry


def test_removing_an_article_is_major(history):
    assert not history["kept"].published and history["kept"].counts["carried_forward"] == 1
    removed = history["removed"]
    assert (removed.version, removed.bump) == ("2.0.0", "major")
    assert "Documents: 0 added, 1 removed, 0 changed." in (Path(removed.path) / "CHANGELOG.md").read_text()


def test_every_version_still_loads_with_datasets(history):
    expected = {"0.1.0": 1, "0.2.0": 2, "1.0.0": 2, "2.0.0": 1}
    for version, rows in expected.items():
        docs = datasets.load_dataset(str(history["dataset"] / version), "documents", split="train")
        assert docs.num_rows == rows, version
    assert (history["dataset"] / "latest").read_text().strip() == "2.0.0"


def test_manifest_records_parent_and_bump(history):
    manifest = json.loads((history["dataset"] / "1.0.0" / "manifest.json").read_text())
    assert manifest["parent_version"] == "0.2.0" and manifest["bump"] == "major"


def test_diff_command_table_and_json(history):
    runner = CliRunner()
    result = runner.invoke(app, ["diff", "0.2.0", "1.0.0", "--output", str(history["out"]), "--json"])
    assert result.exit_code == 0, result.output
    change = json.loads(result.stdout)
    assert change["bump"] == "major"
    assert [c["source_path"] for c in change["documents"]["changed"]] == ["bbc-business-001.txt"]
    assert change["tables"]["sentences"]["removed"] > 0 and change["tables"]["sentences"]["added"] > 0
    table = runner.invoke(app, ["diff", str(history["dataset"] / "0.1.0"), str(history["dataset"] / "0.2.0")])
    assert table.exit_code == 0, table.output
    assert "0.1.0 → 0.2.0: minor" in table.stdout and "bbc-business-001.txt" in table.stdout
    missing = runner.invoke(app, ["diff", "0.1.0", "9.9.9", "--output", str(history["out"])])
    assert missing.exit_code == 1 and "no release 9.9.9" in missing.output


def test_releases_command_lists_versions_rows_and_changes(history):
    result = CliRunner().invoke(app, ["releases", "--output", str(history["out"])])
    assert result.exit_code == 0, result.output
    for version in ("0.1.0", "0.2.0", "1.0.0", "2.0.0"):
        assert version in result.stdout
    assert "minor from" in result.stdout


def test_changed_cleaning_output_for_the_same_inputs_is_major(tmp_path, monkeypatch):
    """Same input bytes (same doc_ids) but different child rows: records changed, per table."""
    import pipeline.segment as segment

    first = build([str(SEED.parent)], str(tmp_path))
    original = segment.paragraph_spans
    monkeypatch.setattr(segment, "paragraph_spans", lambda text: original(text)[:-1])  # drop the last paragraph
    monkeypatch.setattr("pipeline.__version__", "0.0.0+changed-cleaner")  # new code version: shards rebuilt
    second = build([str(SEED.parent)], str(tmp_path))
    assert (first.version, second.version, second.bump) == ("0.1.0", "1.0.0", "major")
    change = release_diff(first.path, second.path)
    assert change.tables["paragraphs"].removed == 1
    assert [c.source_path for c in change.documents_changed] == [SEED.name]  # same doc_id, new text


def test_metadata_only_change_is_patch(tmp_path):
    first = build([str(SEED.parent)], str(tmp_path))
    second = build([str(SEED.parent)], str(tmp_path), config=BuildConfig(license="cc-by-4.0"))
    assert (first.version, second.version, second.bump) == ("0.1.0", "0.1.1", "patch")
    assert "Metadata changed: license." in (Path(second.path) / "CHANGELOG.md").read_text()


def test_forced_version_must_be_newer(tmp_path):
    build([str(SEED.parent)], str(tmp_path), version="1.2.0")
    with pytest.raises(ValueError, match="not newer than the latest release 1.2.0"):
        build([str(SEED.parent)], str(tmp_path), version="1.1.0")
    forced = build([str(SEED.parent)], str(tmp_path), version="2.0.0")
    assert forced.published and "version set by hand" in (Path(forced.path) / "CHANGELOG.md").read_text()


def test_two_builds_in_different_folders_have_identical_sha256sums(tmp_path):
    first = Path(build([str(SEED.parent)], str(tmp_path / "a")).path)
    second = Path(build([str(SEED.parent)], str(tmp_path / "b")).path)
    sums = (first / "SHA256SUMS").read_text()
    assert sums == (second / "SHA256SUMS").read_text()
    listed = {line.split("  ", 1)[1] for line in sums.splitlines()}
    assert {"README.md", "CHANGELOG.md", "croissant.json", "documents/train-00000-of-00001.parquet"} <= listed
    assert "manifest.json" not in listed  # it carries the build time; it records SHA256SUMS' own hash instead
    manifest = json.loads((first / "manifest.json").read_text())
    from pipeline.sources.discover import sha256_file

    assert manifest["sha256sums"] == sha256_file(first / "SHA256SUMS")
    for line in sums.splitlines():
        digest, rel = line.split("  ", 1)
        assert sha256_file(first / rel) == digest


def test_same_records_in_new_file_bytes_is_patch(tmp_path, monkeypatch):
    """A serialisation change (here the zstd level) with the same records makes a PATCH release."""
    import pipeline.publish.parquet as parquet

    first = build([str(SEED.parent)], str(tmp_path))
    monkeypatch.setitem(parquet.WRITER_SETTINGS, "compression_level", 19)
    second = build([str(SEED.parent)], str(tmp_path))
    assert (first.version, second.version, second.bump) == ("0.1.0", "0.1.1", "patch")
    change = release_diff(first.path, second.path)
    assert change.files_changed and all(t.bump is None for t in change.tables.values())
    assert "Documents: 0 added, 0 removed, 0 changed." in (Path(second.path) / "CHANGELOG.md").read_text()
