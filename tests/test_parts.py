"""Releases written part by part: file k of every table holds the same documents, an incremental run
rewrites only the parts it touched, and the gate checks part by part without missing a defect."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.build import build
from pipeline.quality.gate import run_gate
from pipeline.schemas import PER_DOCUMENT_TABLES

from .conftest import SHARED, light, need_shared
from .test_quality import set_value

BBC = SHARED / "corpora" / "bbc-news"
SETTINGS = {"shard_size": 4, "part_documents": 8}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bbc-parts")
    for section in ("business", "politics", "sport", "tech"):
        for path in sorted(need_shared(BBC / section).glob("*.txt"))[:10]:
            shutil.copy(path, folder / f"{section}-{path.name}")
    return folder


def _ids(path: Path) -> set[str]:
    return set(pq.read_table(path, columns=["doc_id"])["doc_id"].to_pylist())


def test_every_table_is_cut_into_the_same_parts(corpus, tmp_path):
    release = Path(build([str(corpus)], str(tmp_path), config=light(**SETTINGS)).path)
    manifest = json.loads((release / "manifest.json").read_text())
    parts = manifest["part_files"]
    assert parts >= 3 and len(manifest["parts"]) == parts  # no part is over max_parquet_file_bytes here
    documents = sorted((release / "documents").glob("*.parquet"))
    assert [p.name for p in documents] == [f"train-{k:05d}-of-{parts:05d}.parquet" for k in range(parts)]
    assert sum(len(_ids(p)) for p in documents) == manifest["counts"]["published"] == 40
    for name in PER_DOCUMENT_TABLES:
        for k, path in enumerate(sorted((release / name).glob("*.parquet"))):
            assert _ids(path) <= _ids(documents[k]), f"{name} file {k} holds rows of another part's documents"
    report = run_gate(release)
    assert not report.failed, report.headline()
    assert report.stats["rows"]["documents"] == 40


def test_a_new_article_rewrites_only_its_part(corpus, tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(corpus, inputs)
    out = tmp_path / "out"
    first = build([str(inputs)], str(out), config=light(**SETTINGS))
    shutil.copy(sorted(need_shared(BBC / "entertainment").glob("*.txt"))[0], inputs / "entertainment-new.txt")
    second = build([str(inputs)], str(out), config=light(**SETTINGS))
    assert (first.version, second.version, second.bump) == ("0.1.0", "0.2.0", "minor")

    def digests(result) -> dict[str, str]:
        files = json.loads((Path(result.path) / "manifest.json").read_text())["files"]
        return {f["sha256"]: f["path"] for f in files if f["path"].startswith("documents/")}

    before, after = digests(first), digests(second)
    kept = set(before) & set(after)
    assert len(after) - len(kept) <= 2, "more than the new article's part (and a neighbour) was rewritten"
    assert len(kept) >= len(before) - 2
    # the unchanged parts were not rebuilt: their files are the parent's (linked), found by part key
    keys = [p["key"] for p in json.loads((Path(first.path) / "manifest.json").read_text())["parts"]]
    new_keys = [p["key"] for p in json.loads((Path(second.path) / "manifest.json").read_text())["parts"]]
    assert len(set(keys) & set(new_keys)) >= len(keys) - 2
    linked = [p for p in (Path(second.path) / "sentences").glob("*.parquet") if p.stat().st_nlink > 1]
    assert len(linked) >= len(keys) - 2
    changelog = (Path(second.path) / "CHANGELOG.md").read_text()
    assert "entertainment-new.txt" in changelog


def test_the_gate_finds_a_defect_in_any_part(corpus, tmp_path):
    release = Path(build([str(corpus)], str(tmp_path), config=light(**SETTINGS)).path)
    last = sorted((release / "sentences").glob("*.parquet"))[-1]
    table = pq.read_table(last)
    pq.write_table(set_value(table, "text", 0, "not what the document says"), last)
    report = run_gate(release)
    assert report.failed
    span = next(c for c in report.checks if c.name == "span_text_matches" and c.table == "sentences")
    assert not span.passed and span.failures == 1
    assert span.examples[0].doc_id == table["doc_id"][0].as_py()


def test_no_part_holds_much_more_than_part_documents():
    """A part is the publishing process's memory: among many parts (a large corpus) none may grow past
    `part_documents` by more than the shard that crossed it."""
    from pipeline.config import BuildConfig
    from pipeline.publish.parts import plan_parts
    from pipeline.shards import ShardSummary

    config = BuildConfig(shard_size=500, part_documents=5000)
    summaries = [ShardSummary(index=n, key=f"{n:020x}", folder=f"shard-{n}", inputs=400 + (n * 37) % 200)
                 for n in range(400)]
    parts = plan_parts(summaries, config)
    sizes = [sum(s.inputs for s in part) for part in parts]
    assert sum(sizes) == sum(s.inputs for s in summaries)
    assert [s.index for part in parts for s in part] == list(range(400))
    assert max(sizes) < config.part_documents + 600 and len(parts) >= 40
