"""Incremental builds: cost follows what is new, removed inputs follow the retention setting."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from pipeline.build import build, work_dir_for
from pipeline.shards import plan_shards
from pipeline.sources import discover_inputs

from .conftest import SHARED, light, need_shared

BBC = SHARED / "corpora" / "bbc-news"


def bbc_sample(folder: Path, count: int, start: int = 1) -> Path:
    source = need_shared(BBC / "business")
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(start, start + count):
        shutil.copy(source / f"{number:03d}.txt", folder / f"{number:03d}.txt")
    return folder


def test_adding_one_input_changes_one_shard(tmp_path):
    folder = bbc_sample(tmp_path / "in", 120)
    config = light(shard_size=10)
    before = {s.key for s in plan_shards(discover_inputs([folder]), config)}
    bbc_sample(folder, 1, start=200)
    after = {s.key for s in plan_shards(discover_inputs([folder]), config)}
    assert len(before) >= 6
    assert len(after - before) == 1 and len(before - after) == 1


def test_incremental_build_reuses_finished_shards(tmp_path):
    folder = bbc_sample(tmp_path / "in", 100)
    config = light(shard_size=10)
    first = build([str(folder)], str(tmp_path / "out"), config)
    bbc_sample(folder, 2, start=300)
    second = build([str(folder)], str(tmp_path / "out"), config)
    assert (first.version, second.version) == ("0.1.0", "0.2.0")
    assert second.counts["published"] == first.counts["published"] + 2
    shard_dirs = list(work_dir_for(tmp_path / "out", config).glob("shard-*"))
    planned = plan_shards(discover_inputs([folder]), config)
    assert len(shard_dirs) <= len(planned) + 2  # at most the changed shards were redone


def test_removed_inputs_are_kept_by_default_and_dropped_on_request(tmp_path):
    folder = bbc_sample(tmp_path / "in", 5)
    build([str(folder)], str(tmp_path / "out"), light())
    (folder / "001.txt").unlink()
    kept = build([str(folder)], str(tmp_path / "out"), light())
    assert not kept.published  # the archive still holds all five articles: nothing changed
    assert kept.counts["carried_forward"] == 1 and kept.counts["published"] == 5
    dropped = build([str(folder)], str(tmp_path / "out"), light(retention="drop"))
    docs = pd.read_parquet(Path(dropped.path) / "documents")
    assert dropped.published and len(docs) == 4 and "001.txt" not in set(docs["source_path"])
