"""What a release is made of, for readers: croissant.json, sharded Parquet, Features metadata, splits, the card."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
import yaml

from pipeline.build import build
from pipeline.config import BuildConfig
from pipeline.publish.splits import split_of
from pipeline.sources.discover import sha256_file

from .conftest import SEED, SHARED, need_shared

BBC = SHARED / "corpora" / "bbc-news"


@pytest.fixture(scope="module")
def bbc_inputs(tmp_path_factory) -> Path:
    """Forty BBC articles (eight from each section) and the seed."""
    folder = tmp_path_factory.mktemp("bbc")
    for section in ("business", "entertainment", "politics", "sport", "tech"):
        for path in sorted(need_shared(BBC / section).glob("*.txt"))[:8]:
            shutil.copy(path, folder / f"{section}-{path.name}")
    shutil.copy(SEED, folder / SEED.name)
    return folder


def test_croissant_validates_with_mlcroissant_and_reads_records(seed_release):
    mlc = pytest.importorskip("mlcroissant")
    document = json.loads((seed_release / "croissant.json").read_text())
    manifest = json.loads((seed_release / "manifest.json").read_text())
    objects = {d["contentUrl"]: d["sha256"] for d in document["distribution"] if d["@type"] == "cr:FileObject"}
    assert objects == {f["path"]: f["sha256"] for f in manifest["files"]}  # every file, with its sha256
    assert document["version"] == "0.1.0" and document["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    metadata = mlc.Metadata.from_file(ctx=mlc.Context(), file=seed_release / "croissant.json")
    assert not metadata.ctx.issues.errors, metadata.ctx.issues.report()
    dataset = mlc.Dataset(jsonld=seed_release / "croissant.json")
    record = next(iter(dataset.records("documents")))
    assert record["documents/source_path"].decode() == SEED.name
    assert record["documents/n_paragraphs"] == 15
    sentences = list(itertools.islice(dataset.records("sentences"), 100))
    assert len(sentences) == manifest["tables"]["sentences"]["rows"]


def test_croissant_with_a_wrong_type_fails_validation(seed_release, tmp_path):
    """The validation test can fail: a field whose column does not exist is reported."""
    mlc = pytest.importorskip("mlcroissant")
    document = json.loads((seed_release / "croissant.json").read_text())
    document["recordSet"][0]["field"][0]["source"] = {"fileSet": {"@id": "no-such-files"},
                                                      "extract": {"column": "doc_id"}}
    broken = tmp_path / "croissant.json"
    broken.write_text(json.dumps(document))
    with pytest.raises(mlc.ValidationError):
        mlc.Metadata.from_file(ctx=mlc.Context(), file=broken)


def test_large_tables_are_sharded_and_features_round_trip(bbc_inputs, tmp_path):
    config = BuildConfig(max_parquet_file_bytes=20_000)
    release = Path(build([str(bbc_inputs)], str(tmp_path), config=config).path)
    files = sorted(p.name for p in (release / "sentences").glob("*.parquet"))
    assert len(files) > 3
    n = len(files)
    assert files == [f"train-{i:05d}-of-{n:05d}.parquet" for i in range(n)]
    ids = [pq.read_table(release / "documents" / name)["doc_id"].to_pylist()
           for name in sorted(p.name for p in (release / "documents").glob("*.parquet"))]
    flat = list(itertools.chain.from_iterable(ids))
    assert flat == sorted(flat) and len(flat) == 41  # sorted across shards, none lost
    schema = pq.read_schema(release / "sentences" / files[0])
    features = datasets.Features.from_arrow_schema(schema)
    assert features["start"] == datasets.Value("int64") and features["text"] == datasets.Value("string")
    assert json.loads(schema.metadata[b"huggingface"])["info"]["features"]["doc_id"]["dtype"] == "string"
    loaded = datasets.load_dataset(str(release), "sentences", split="train")
    assert loaded.features == features
    assert loaded.num_rows == sum(pq.read_metadata(release / "sentences" / f).num_rows for f in files)
    metadata = pq.read_metadata(release / "sentences" / files[0])
    assert metadata.row_group(0).column(0).compression == "ZSTD"


def test_splits_are_deterministic_by_doc_id_and_declared_in_the_card(bbc_inputs, tmp_path):
    splits = {"train": 0.6, "validation": 0.2, "test": 0.2}
    release = Path(build([str(bbc_inputs)], str(tmp_path), config=BuildConfig(splits=splits)).path)
    loaded = datasets.load_dataset(str(release), "documents")
    assert set(loaded) == {"train", "validation", "test"}
    assert sum(part.num_rows for part in loaded.values()) == 41
    for split, part in loaded.items():
        assert all(split_of(doc_id, splits) == split for doc_id in part["doc_id"])
    sentences = datasets.load_dataset(str(release), "sentences")
    assert set(sentences["test"]["doc_id"]) == set(loaded["test"]["doc_id"])  # rows follow their document
    assert (release / "documents" / "validation-00000-of-00001.parquet").exists()
    card = yaml.safe_load((release / "README.md").read_text().split("---")[1])
    documents = next(c for c in card["configs"] if c["config_name"] == "documents")
    assert [f["split"] for f in documents["data_files"]] == ["train", "validation", "test"]
    # Stable across versions: a bigger release keeps every document in the split it had.
    more = bbc_inputs.parent / "more"
    shutil.copytree(bbc_inputs, more)
    shutil.copy(need_shared(BBC / "tech" / "100.txt"), more / "tech-100.txt")
    bigger = Path(build([str(more)], str(tmp_path), config=BuildConfig(splits=splits)).path)
    again = datasets.load_dataset(str(bigger), "documents")
    for split in splits:
        assert set(loaded[split]["doc_id"]) <= set(again[split]["doc_id"])


def test_bad_split_settings_are_refused(tmp_path):
    with pytest.raises(ValueError, match="add up to 1"):
        build([str(SEED.parent)], str(tmp_path), config=BuildConfig(splits={"train": 0.5, "test": 0.2}))
    with pytest.raises(ValueError, match="unknown split names"):
        build([str(SEED.parent)], str(tmp_path), config=BuildConfig(splits={"train": 0.5, "dev": 0.5}))


def test_card_has_yaml_metadata_version_columns_and_loading(seed_release):
    text = (seed_release / "README.md").read_text()
    card = yaml.safe_load(text.split("---")[1])
    for key in ("configs", "dataset_info", "license", "language", "size_categories", "pretty_name",
                "task_categories"):
        assert key in card, key
    assert next(c for c in card["configs"] if c.get("default"))["config_name"] == "documents"
    assert "This is version **0.1.0**" in text
    assert "| `doc_id` | string, required | Document id" in text
    assert 'revision="v0.1.0"' in text and "load_release(" in text
    assert "## How it was built" in text


def test_sha256sums_check_every_listed_file(seed_release):
    for line in (seed_release / "SHA256SUMS").read_text().splitlines():
        digest, rel = line.split("  ", 1)
        assert sha256_file(seed_release / rel) == digest, rel
