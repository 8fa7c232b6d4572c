"""A release of the seed: what a consumer loads, and the guarantees a data team relies on."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

from pipeline.build import build
from pipeline.publish import ReleaseExistsError

from .conftest import SEED


def test_seed_document_row(seed_release, gold):
    docs = pd.read_parquet(seed_release / "documents")
    assert len(docs) == 1
    doc = docs.iloc[0]
    assert doc["title"] == gold["title"]
    assert doc["published_date"] == "2020-06-12"
    assert doc["image_caption"] == gold["image_caption"] and doc["image_credit"] == gold["image_credit"]
    assert doc["source_path"] == SEED.name
    assert doc["encoding"] == "utf-8"
    assert doc["n_paragraphs"] == 15
    assert doc["n_sentences"] == len(pd.read_parquet(seed_release / "sentences"))
    assert doc["text"].startswith(gold["body_first_words"]) and doc["text"].endswith(gold["body_last_words"])
    for chrome in ("Navigation", "Telegram channel", "•", "URI Tours"):
        assert chrome not in doc["text"]


def test_loads_with_datasets(seed_release, gold):
    datasets = pytest.importorskip("datasets")
    assert set(datasets.get_dataset_config_names(str(seed_release))) >= {"documents", "sentences", "paragraphs"}
    docs = datasets.load_dataset(str(seed_release), "documents", split="train")
    sentences = datasets.load_dataset(str(seed_release), "sentences", split="train")
    assert docs.num_rows == 1 and docs[0]["title"] == gold["title"]
    assert sentences.num_rows == docs[0]["n_sentences"]
    default = datasets.load_dataset(str(seed_release), split="train")
    assert default.column_names == docs.column_names


def test_loads_with_duckdb_and_polars(seed_release):
    rows = duckdb.sql(
        f"select d.title, count(*) from '{seed_release}/documents/*.parquet' d "
        f"join '{seed_release}/sentences/*.parquet' s using (doc_id) group by d.title").fetchall()
    assert rows[0][1] > 15
    frame = pl.read_parquet(seed_release / "paragraphs" / "*.parquet")
    assert frame.height == 15


def test_manifest_lists_inputs_files_and_schemas(seed_release):
    manifest = json.loads((seed_release / "manifest.json").read_text())
    assert manifest["version"] == "0.1.0" and manifest["parent_version"] is None
    assert manifest["counts"] == {"inputs": 1, "carried_forward": 0, "published": 1, "quarantined": 0, "duplicates": 0}
    assert manifest["inputs"][0]["path"] == SEED.name and len(manifest["inputs"][0]["sha256"]) == 64
    paths = {f["path"] for f in manifest["files"]}
    assert "documents/train-00000-of-00001.parquet" in paths
    assert manifest["tables"]["documents"]["rows"] == 1
    assert {c["name"] for c in manifest["tables"]["documents"]["schema"]} >= {"doc_id", "text", "title"}
    sums = (seed_release / "SHA256SUMS").read_text().splitlines()
    assert any(line.endswith("  documents/train-00000-of-00001.parquet") for line in sums)
    assert (seed_release.parent / "latest").read_text().strip() == "0.1.0"


def test_same_inputs_give_byte_identical_parquet(tmp_path):
    first = Path(build([str(SEED.parent)], str(tmp_path / "a")).path)
    second = Path(build([str(SEED.parent)], str(tmp_path / "b")).path)
    files = sorted(p.relative_to(first) for p in first.rglob("*.parquet"))
    assert len(files) >= 5
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_rebuild_without_changes_publishes_nothing_and_versions_are_immutable(tmp_path):
    first = build([str(SEED.parent)], str(tmp_path))
    again = build([str(SEED.parent)], str(tmp_path))
    assert first.version == "0.1.0" and not again.published and "nothing changed" in again.message
    with pytest.raises(ReleaseExistsError, match="already exists"):
        build([str(SEED.parent)], str(tmp_path), version="0.1.0")
    assert sorted(p.name for p in (tmp_path / "broadsheet").iterdir() if not p.name.startswith(".")) == [
        "0.1.0", "latest"]


def test_bad_files_are_quarantined_and_the_books_balance(mixed_inputs, tmp_path):
    result = build([str(mixed_inputs)], str(tmp_path))
    release = Path(result.path)
    docs = pd.read_parquet(release / "documents")
    quarantine = pd.read_parquet(release / "quarantine").set_index("source_path")
    assert sorted(docs["source_path"]) == ["latin1.txt", "seed.txt"]
    assert quarantine.loc["empty.txt", "reason"] == "empty_file"
    assert quarantine.loc["image.bin", "reason"] == "binary_file"
    assert "image.bin" in quarantine.loc["image.bin", "detail"]
    latin = docs.set_index("source_path").loc["latin1.txt"]
    assert latin["encoding"] != "utf-8" and "cafés" in latin["text"]
    counts = result.counts
    assert counts == {"inputs": 4, "carried_forward": 0, "published": 2, "quarantined": 2, "duplicates": 0}
    assert counts["inputs"] == counts["published"] + counts["quarantined"] + counts["duplicates"]


def test_identical_files_are_kept_once_and_listed_as_duplicates(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_bytes(SEED.read_bytes())
    result = build([str(folder)], str(tmp_path / "out"), config=None)
    release = Path(result.path)
    assert len(pd.read_parquet(release / "documents")) == 1
    assert len(pd.read_parquet(release / "sentences")["doc_id"].unique()) == 1
    dupes = pd.read_parquet(release / "duplicates")
    assert dupes[["source_path", "kept_source_path"]].values.tolist() == [["b.txt", "a.txt"]]


def test_a_step_that_fails_on_one_document_quarantines_only_that_document(mixed_inputs, tmp_path, monkeypatch):
    import pipeline.segment as segment

    original = segment.paragraph_spans

    def fragile(text):
        if "cafés" in text:
            raise ValueError("segmenter bug")
        return original(text)

    monkeypatch.setattr(segment, "paragraph_spans", fragile)
    result = build([str(mixed_inputs)], str(tmp_path))
    quarantine = pd.read_parquet(Path(result.path) / "quarantine").set_index("source_path")
    assert quarantine.loc["latin1.txt", "stage"] == "segment"
    assert quarantine.loc["latin1.txt", "reason"] == "segment_error"
    assert "segmenter bug" in quarantine.loc["latin1.txt", "detail"]
    assert result.counts["published"] == 1
