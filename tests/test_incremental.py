"""Incremental builds: cost follows what is new, removed inputs follow the retention setting."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from pipeline.build import build, work_dir_for
from pipeline.shards import DONE_MARKER, plan_shards
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


def _data_files(release: str) -> dict[str, str]:
    manifest = json.loads((Path(release) / "manifest.json").read_text())
    return {entry["path"]: entry["sha256"] for entry in manifest["files"]}


def test_new_files_joining_a_shard_are_the_only_ones_processed_and_the_release_matches_a_full_build(tmp_path):
    """New articles sort after the last shard's files, so they join it and change its key: only they are read
    and enriched; the unchanged files' rows come from the earlier shard, and the release is byte-identical
    to one built from scratch."""
    folder = bbc_sample(tmp_path / "in", 30)
    config = light(shard_size=10)
    build([str(folder)], str(tmp_path / "out"), config)
    last = plan_shards(discover_inputs([folder]), config)[-1]
    bbc_sample(folder, 3, start=300)
    second = build([str(folder)], str(tmp_path / "out"), config)
    changed = [spec for spec in plan_shards(discover_inputs([folder]), config) if spec.index == last.index][0]
    marker = json.loads((work_dir_for(tmp_path / "out", config) / f"shard-{changed.key}" / DONE_MARKER).read_text())
    assert changed.key != last.key and len(changed.files) == len(last.files) + 3
    assert marker["records_reused"] == len(last.files)  # only the three new files went through the steps
    assert marker["inputs"] == len(changed.files) and second.counts["published"] == 33

    scratch = build([str(folder)], str(tmp_path / "scratch"), config)
    data = {path: digest for path, digest in _data_files(second.path).items() if path.endswith(".parquet")}
    assert data and data == {p: d for p, d in _data_files(scratch.path).items() if p.endswith(".parquet")}


def test_a_changed_file_is_processed_again_not_taken_from_the_earlier_shard(tmp_path):
    folder = bbc_sample(tmp_path / "in", 12)
    config = light(shard_size=50)
    build([str(folder)], str(tmp_path / "out"), config)
    path = folder / "005.txt"
    path.write_text(path.read_text().replace("\n\n", "\n\nA new first paragraph was added to this story.\n\n", 1))
    second = build([str(folder)], str(tmp_path / "out"), config)
    [spec] = [s for s in plan_shards(discover_inputs([folder]), config)
              if "005.txt" in {f.relative_path for f in s.files}]
    marker = json.loads((work_dir_for(tmp_path / "out", config) / f"shard-{spec.key}" / DONE_MARKER).read_text())
    assert marker["records_reused"] == len(spec.files) - 1 > 0
    docs = pd.read_parquet(Path(second.path) / "documents")
    text = docs.loc[docs["source_path"] == "005.txt", "text"]
    assert len(text) == 1 and "A new first paragraph was added" in text.iloc[0]


def test_work_folders_no_build_used_are_pruned_after_a_day(tmp_path, monkeypatch):
    """Hourly runs leave a stale shard behind whenever new files land in a shard; a day later it goes."""
    import pipeline.shards as shards

    folder = bbc_sample(tmp_path / "in", 40)
    config = light(shard_size=10)
    build([str(folder)], str(tmp_path / "out"), config)
    work = work_dir_for(tmp_path / "out", config)
    first = {p.name for p in work.glob("shard-*")}
    (work / ".shard-killed.0123abcd.tmp").mkdir()  # a killed attempt's temporary folder
    bbc_sample(folder, 3, start=300)
    second = build([str(folder)], str(tmp_path / "out"), config)
    current = {f"shard-{s.key}" for s in plan_shards(discover_inputs([folder]), config)}
    stale = first - current
    assert second.version == "0.2.0" and stale, "adding files should have left a stale shard"
    assert stale <= {p.name for p in work.glob("shard-*")}  # still within the day: a concurrent build may use them

    monkeypatch.setattr(shards, "STALE_WORK_SECONDS", 0)
    third = build([str(folder)], str(tmp_path / "out"), config)
    assert not third.published  # nothing changed, and the unused folders are gone all the same
    assert {p.name for p in work.iterdir() if p.is_dir()} == current
    fresh = build([str(folder)], str(tmp_path / "fresh"), config)
    assert _data_files(fresh.path) == _data_files(second.path)


def test_a_changed_line_of_a_collection_replaces_its_old_version(tmp_path):
    """Retention keeps records whose file is gone, not the old text of a line that changed in place."""
    rows = [{"text": _article(n)} for n in range(3)]
    feed = tmp_path / "in" / "feed.jsonl"
    feed.parent.mkdir()
    feed.write_text("".join(json.dumps(row) + "\n" for row in rows))
    build([str(feed.parent)], str(tmp_path / "out"), light())
    rows[1]["text"] = _article(7)
    feed.write_text("".join(json.dumps(row) + "\n" for row in rows))
    second = build([str(feed.parent)], str(tmp_path / "out"), light())
    docs = pd.read_parquet(Path(second.path) / "documents")
    assert second.counts["carried_forward"] == 0
    assert sorted(docs["source_path"]) == ["feed.jsonl#L1", "feed.jsonl#L2", "feed.jsonl#L3"]
    assert docs.set_index("source_path").loc["feed.jsonl#L2", "text"].startswith("Article seven")


def _article(n: int) -> str:
    name = ["zero", "one", "two", "three", "four", "five", "six", "seven"][n]
    return (f"Article {name} reports that the council approved the new budget on Tuesday after a long debate. "
            f"Members of the {name} committee said the plan would fund schools, roads and libraries next year.")
