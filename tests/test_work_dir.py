"""Shard work folders on an fsspec URL: workers on other machines write their shards where the publisher reads."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import fsspec
import pytest
from typer.testing import CliRunner

import pipeline.shards
from flows.cli import app
from pipeline.build import build, work_dir_for
from pipeline.shards import (
    DONE_MARKER,
    STALE_WORK_SECONDS,
    ShardSummary,
    plan_shards,
    process_shard,
    prune_stale_shards,
)
from pipeline.sources import discover_inputs

from .conftest import SECRET, light
from .test_incremental import bbc_sample
from .test_resume import parquet_bytes


def memory_url() -> str:
    return f"memory://work-{uuid.uuid4().hex[:8]}"


def shard_markers(url: str) -> list[str]:
    fs, root = fsspec.core.url_to_fs(url)
    fs.invalidate_cache()
    return sorted(fs.glob(f"{root}/shard-*/{DONE_MARKER}"))


def test_shards_on_a_url_give_the_same_release_and_are_reused(tmp_path, monkeypatch):
    inputs = bbc_sample(tmp_path / "in", 30)
    config = light(shard_size=5)
    local = build([str(inputs)], str(tmp_path / "local"), config)
    url = memory_url()
    remote = build([str(inputs)], str(tmp_path / "remote"), config, work_dir=url)
    assert remote.counts == local.counts and remote.counts["published"] == 30
    assert parquet_bytes(Path(remote.path)) == parquet_bytes(Path(local.path))
    planned = plan_shards(discover_inputs([inputs]), config)
    assert len(planned) >= 3 and len(shard_markers(url)) == len(planned)
    assert not work_dir_for(tmp_path / "remote", config).exists()  # nothing written beside the releases

    bbc_sample(inputs, 1, start=200)  # one new article: one shard changes, and only its new file is read
    read = []
    original = pipeline.shards.read_inputs
    monkeypatch.setattr(pipeline.shards, "read_inputs",
                        lambda files, cfg: (read.extend(f.relative_path for f in files), original(files, cfg))[1])
    second = build([str(inputs)], str(tmp_path / "remote"), config, work_dir=url)
    assert second.version == "0.2.0" and second.counts["published"] == 31
    assert read == ["200.txt"]
    reference = build([str(inputs)], str(tmp_path / "reference"), config)
    assert parquet_bytes(Path(second.path)) == parquet_bytes(Path(reference.path))


def test_a_shard_without_its_marker_on_a_url_is_redone_and_stale_ones_pruned(tmp_path):
    inputs = bbc_sample(tmp_path / "in", 12)
    config = light(shard_size=4)
    specs = plan_shards(discover_inputs([inputs]), config)
    url = memory_url()
    fs, root = fsspec.core.url_to_fs(url)
    fs.pipe_file(f"{root}/shard-{specs[0].key}/documents.parquet", b"half written")  # a killed attempt
    first = process_shard(specs[0], url, config)
    assert not first.reused and first.published == len(specs[0].files)
    assert process_shard(specs[0], url, config).reused
    others = [process_shard(spec, url, config) for spec in specs[1:]]
    assert prune_stale_shards([first], now=time.time()) == []  # all still fresh
    removed = prune_stale_shards([first], now=time.time() + STALE_WORK_SECONDS + 60)
    assert removed == sorted(f"shard-{s.key}" for s in others)
    fs.invalidate_cache()
    assert [p.rsplit("/", 2)[-2] for p in shard_markers(url)] == [f"shard-{specs[0].key}"]


def test_memory_work_folder_with_worker_processes_is_refused_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="memory:// lives in one process"):
        build([str(tmp_path)], str(tmp_path / "out"), light(), workers=2, work_dir=memory_url())


def test_cli_refuses_a_url_as_output_and_credentials_in_the_work_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["build", str(tmp_path), "--output", "s3://bucket/releases"])
    assert result.exit_code == 1
    assert "s3://bucket/releases" in result.output and "--to" in result.output
    assert not (tmp_path / "s3:").exists()  # not a local folder named after the URL
    result = runner.invoke(app, ["build", str(tmp_path), "--work-dir", f"s3://me:{SECRET}@bucket/work"])
    assert result.exit_code == 1 and "credentials in a URL are refused" in result.output
    assert SECRET not in result.output


def test_dask_workers_write_shards_to_s3_and_a_rerun_reuses_them(s3_server, prefect_harness, tmp_path):
    """Two worker processes write to a real S3 API (moto on loopback); the release is the local build's."""
    from distributed import LocalCluster
    from prefect_dask import DaskTaskRunner

    from flows.build import build_flow

    inputs = bbc_sample(tmp_path / "in", 24)
    config = light(shard_size=4)
    reference = build([str(inputs)], str(tmp_path / "single"), config)
    url = "s3://work/broadsheet"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        runner = DaskTaskRunner(address=cluster.scheduler_address)
        flow = build_flow.with_options(task_runner=runner)
        first = flow([str(inputs)], str(tmp_path / "dask"), config.to_dict(), None, url)
        again = flow([str(inputs)], str(tmp_path / "dask"), config.to_dict(), None, url)
    quarantined = [entry for entry in first["per_file"] if entry["quarantined"]]  # (what a failure shows)
    assert first["counts"] == reference.counts and first["shards"] >= 3, (first["message"], quarantined)
    assert parquet_bytes(Path(first["path"])) == parquet_bytes(Path(reference.path))
    import s3fs

    assert len(s3fs.S3FileSystem().glob(f"work/broadsheet/shard-*/{DONE_MARKER}")) == first["shards"]
    assert not work_dir_for(tmp_path / "dask", config).exists()
    assert again["shards_reused"] == again["shards"] and not again["published"]
    # pruning reads S3's own modification times: nothing is stale now, everything a day and more later
    gone = ShardSummary(index=0, key="gone", folder=f"{url}/shard-gone")
    assert prune_stale_shards([gone], now=time.time()) == []
    assert len(prune_stale_shards([gone], now=time.time() + STALE_WORK_SECONDS + 60)) == first["shards"]
    assert s3fs.S3FileSystem().glob(f"work/broadsheet/shard-*/{DONE_MARKER}") == []


def test_a_shard_written_where_the_publisher_cannot_see_it_is_named(tmp_path):
    """--dask-address with a work folder local to each worker machine: say so, instead of a bare missing file."""
    import shutil

    from pipeline.publish import publish_release

    inputs = bbc_sample(tmp_path / "in", 6)
    config = light(shard_size=3)
    files = discover_inputs([inputs])
    summaries = [process_shard(spec, str(tmp_path / "elsewhere"), config) for spec in plan_shards(files, config)]
    shutil.rmtree(summaries[-1].folder)  # as if written on another machine's disk
    with pytest.raises(FileNotFoundError, match=f"shard {summaries[-1].key} .*--work-dir s3://"):
        publish_release(summaries, str(tmp_path / "out"), config, files)
    assert not (tmp_path / "out").exists()


def test_an_unwritable_work_url_fails_before_any_work(s3_server, tmp_path):
    inputs = bbc_sample(tmp_path / "in", 2)
    with pytest.raises(ValueError, match="work folder s3://no-such-bucket/work: cannot write there") as caught:
        build([str(inputs)], str(tmp_path / "out"), light(), work_dir="s3://no-such-bucket/work")
    assert SECRET not in str(caught.value)
    assert not (tmp_path / "out").exists()
