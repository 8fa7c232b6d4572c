"""Resumability: a build killed halfway, run again, gives the same release as an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipeline.build import build, work_dir_for

from .conftest import ROOT, light
from .test_incremental import bbc_sample

SCRIPT = """
import sys
from pipeline.build import build
from pipeline.config import BuildConfig, EnrichConfig
light = EnrichConfig(entities=False, quotes=False, keywords=False)
build([sys.argv[1]], sys.argv[2], BuildConfig(shard_size=5, enrich=light))
"""


def parquet_bytes(release: Path) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted(release.rglob("*.parquet"))}


def test_killed_build_resumes_to_the_same_release(tmp_path):
    inputs = bbc_sample(tmp_path / "in", 200)
    output = tmp_path / "killed"
    work = work_dir_for(output, light())
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(inputs), str(output)], cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(work.glob("shard-*/_SUCCESS.json"))) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(work.glob("shard-*/_SUCCESS.json")))
    assert done >= 3, "the build was not killed in the middle of its shards"
    dataset = output / "broadsheet"
    assert not (dataset / "latest").exists()
    assert not [p for p in dataset.iterdir() if p.name[0].isdigit()]  # no partial release is visible

    resumed = build([str(inputs)], str(output), light(shard_size=5))
    reference = build([str(inputs)], str(tmp_path / "clean"), light(shard_size=5))
    assert resumed.counts == reference.counts
    assert parquet_bytes(Path(resumed.path)) == parquet_bytes(Path(reference.path))
    total = len(list(work.glob("shard-*/_SUCCESS.json")))
    assert total > done  # the unfinished shards were done by the rerun
