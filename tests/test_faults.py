"""Faults: a failing shard, a full disk or a kill during publish, two builds at once, and lost records."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import pipeline.shards as shards
from pipeline.base import DocumentStep
from pipeline.build import build
from pipeline.publish.lock import OutputLockedError, output_lock
from pipeline.shards import BooksError

from .conftest import ROOT, SEED, light
from .test_incremental import bbc_sample


def test_io_error_in_one_shard_is_retried_then_quarantined(tmp_path, monkeypatch):
    inputs = bbc_sample(tmp_path / "in", 30)
    original = shards.read_inputs
    attempts = []

    def flaky(files, config):
        if any(f.relative_path == "007.txt" for f in files):
            attempts.append(1)
            raise OSError(errno.EIO, "Input/output error", "007.txt")
        return original(files, config)

    monkeypatch.setattr(shards, "read_inputs", flaky)
    result = build([str(inputs)], str(tmp_path / "out"), light(shard_size=5))
    assert len(attempts) == 2  # tried, retried, then given up
    quarantine = pd.read_parquet(Path(result.path) / "quarantine")
    assert set(quarantine["reason"]) == {"shard_failed"} and "007.txt" in set(quarantine["source_path"])
    assert "Input/output error" in quarantine["detail"].iloc[0]
    counts = result.counts
    assert counts["published"] == 30 - len(quarantine) and counts["inputs"] == 30


def test_full_disk_during_publish_leaves_the_previous_release(tmp_path, monkeypatch):
    first = build([str(SEED.parent)], str(tmp_path))
    import pipeline.publish.release as release

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(release, "write_sha256sums", disk_full)
    inputs = bbc_sample(tmp_path / "more", 3)
    with pytest.raises(OSError, match="No space left"):
        build([str(SEED.parent), str(inputs)], str(tmp_path))
    dataset = tmp_path / "broadsheet"
    assert (dataset / "latest").read_text().strip() == first.version
    assert sorted(p.name for p in dataset.iterdir()) == [".work", "0.1.0", "latest"]


KILL_DURING_PUBLISH = """
import sys, time
import pipeline.publish.release as release
def slow(*a, **k):
    print("publishing", flush=True)
    time.sleep(60)
release.write_sha256sums = slow
from pipeline.build import build
build(sys.argv[1:-1], sys.argv[-1])
"""


def test_kill_during_publish_leaves_the_previous_release_and_is_cleaned_up(tmp_path):
    first = build([str(SEED.parent)], str(tmp_path))
    inputs = bbc_sample(tmp_path / "more", 3)
    proc = subprocess.Popen([sys.executable, "-c", KILL_DURING_PUBLISH, str(SEED.parent), str(inputs), str(tmp_path)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "publishing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    dataset = tmp_path / "broadsheet"
    assert (dataset / "latest").read_text().strip() == first.version
    assert [p.name for p in dataset.glob(".staging-*")]  # the half-written release stayed hidden
    assert not (dataset / "0.2.0").exists()
    again = build([str(SEED.parent), str(inputs)], str(tmp_path))  # the dead build's lock is taken over
    assert again.version == "0.2.0" and not list(dataset.glob(".staging-*"))


def test_a_second_build_waits_for_the_lock_then_fails_clearly(tmp_path):
    dataset = tmp_path / "broadsheet"
    dataset.mkdir()
    with output_lock(dataset):
        started = time.monotonic()
        with pytest.raises(OutputLockedError, match="being published by another build"), output_lock(
                dataset, wait_seconds=0.5):
            pass
        assert time.monotonic() - started >= 0.5


class _LoseSecondDocument(DocumentStep):
    """A buggy step: the second document silently vanishes."""

    name = "lose"

    def run(self, docs):
        for number, doc in enumerate(docs):
            if number != 1:
                yield doc

    def process(self, doc):
        return doc


def test_a_lost_record_fails_the_build_loudly_instead_of_being_quarantined(tmp_path, monkeypatch):
    inputs = bbc_sample(tmp_path / "in", 3)
    original = shards.document_steps
    monkeypatch.setattr(shards, "document_steps", lambda config: [*original(config), _LoseSecondDocument()])
    with pytest.raises(BooksError, match="the books do not balance"):
        build([str(inputs)], str(tmp_path / "out"), light())
    assert not (tmp_path / "out" / "broadsheet" / "latest").exists()


def test_a_row_lost_at_publish_names_its_input_file(tmp_path, monkeypatch):
    import pipeline.publish.release as release

    inputs = bbc_sample(tmp_path / "in", 3)
    original = release.part_tables

    def lose_a_document(part, plan):  # a merge bug drops the first document of the part
        tables = original(part, plan)
        return {**tables, "documents": tables["documents"].sort_by("source_path").slice(1)}

    monkeypatch.setattr(release, "part_tables", lose_a_document)
    with pytest.raises(BooksError, match=r"for 1 input files: 001.txt: 1 records read, 0 published"):
        build([str(inputs)], str(tmp_path / "out"), light())
