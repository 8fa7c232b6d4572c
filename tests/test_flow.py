"""The Prefect flow and the `broadsheet` command, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from .conftest import ROOT, SEED, light


def test_flow_builds_mixed_inputs(prefect_harness, mixed_inputs, tmp_path):
    from flows.build import run_build
    from pipeline.config import BuildConfig

    result = run_build([str(mixed_inputs)], str(tmp_path), BuildConfig(shard_size=2), workers=1)
    assert result["published"] and result["version"] == "0.1.0"
    assert result["shards"] >= 1
    assert result["counts"] == {"inputs": 4, "carried_forward": 0, "published": 2, "quarantined": 2, "duplicates": 0}
    again = run_build([str(mixed_inputs)], str(tmp_path), BuildConfig(shard_size=2), workers=1)
    assert not again["published"] and again["shards_reused"] == result["shards"]

    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        artifacts = {a.key: a for a in client.read_artifacts() if a.key}
    summary = artifacts["broadsheet-build-summary"].data
    assert '"measure": "published", "value": "2"' in str(summary).replace("'", '"')
    validation = artifacts["broadsheet-validation"]
    assert validation.description.startswith("Quality gate passed with warnings (published 0.1.0): 0 errors")
    assert "2 of 4 inputs were quarantined" in str(validation.data)  # the failing rule, named on the run page


def test_cli_build_on_seed_prints_summary_without_noise(tmp_path):
    env = {**os.environ, "COLUMNS": "120"}
    proc = subprocess.run(
        [sys.executable, "-m", "flows", "build", str(SEED.parent), "--output", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "published" in output and "0.1.0" in output and "documents read" in output
    assert "Traceback" not in output and "Error" not in output
    docs = pd.read_parquet(tmp_path / "broadsheet" / "0.1.0" / "documents")
    assert len(docs) == 1


def test_cli_reports_missing_input_clearly(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "flows", "build", str(tmp_path / "nope")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "input not found" in proc.stderr and "nope" in proc.stderr


def test_flow_on_a_dask_local_cluster_matches_the_single_process_build(prefect_harness, tmp_path):
    from distributed import LocalCluster
    from prefect_dask import DaskTaskRunner

    from flows.build import build_flow
    from pipeline.build import build

    from .test_incremental import bbc_sample
    from .test_resume import parquet_bytes

    inputs = bbc_sample(tmp_path / "in", 40)
    config = light(shard_size=5)
    reference = build([str(inputs)], str(tmp_path / "single"), config)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        runner = DaskTaskRunner(address=cluster.scheduler_address)
        result = build_flow.with_options(task_runner=runner)([str(inputs)], str(tmp_path / "dask"), config.to_dict())
    assert result["shards"] >= 2
    assert result["counts"] == reference.counts
    assert parquet_bytes(Path(result["path"])) == parquet_bytes(Path(reference.path))


def test_flow_tasks_do_not_hash_their_inputs(prefect_harness, mixed_inputs, tmp_path, monkeypatch):
    """Shards have their own state store: Prefect's default cache policy would hash every task's inputs
    (the publish task's list of every input file) for a key nobody uses."""
    import prefect.cache_policies

    from flows.build import run_build
    from pipeline.config import BuildConfig

    hashed = []
    monkeypatch.setattr(prefect.cache_policies, "hash_objects", lambda *a, **k: hashed.append(a) or "key")
    result = run_build([str(mixed_inputs)], str(tmp_path), BuildConfig(shard_size=2), workers=1)
    assert result["published"] and result["counts"]["published"] == 2
    assert hashed == []  # (Prefect catches and logs a failing cache key: a raising stub would pass anyway)


def test_the_shipped_deployment_calls_the_flow_with_its_own_parameters():
    """prefect.yaml is only read by `prefect deploy`: a renamed flow parameter would break it silently."""
    import inspect

    import yaml

    from flows.build import build_flow

    deployment = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"][0]
    module, name = deployment["entrypoint"].split(":")
    assert (ROOT / module).exists() and name == build_flow.fn.__name__
    inspect.signature(build_flow.fn).bind(**deployment["parameters"])  # raises on an unknown or missing one
    assert [s["cron"] for s in deployment["schedules"]] == ["0 * * * *"]
