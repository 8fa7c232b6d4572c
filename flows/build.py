"""The build flow: one task per shard of many documents, then one publish task."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

import flows.settings  # noqa: F401  (quiet Prefect before it is imported)
from pipeline.build import choose_work_dir
from pipeline.config import BuildConfig
from pipeline.publish import publish_release
from pipeline.publish.versions import parse as parse_version
from pipeline.quality.publish_gate import REPORT_JSON, ReleaseRejectedError
from pipeline.shards import BooksError, ShardSpec, ShardSummary, plan_shards, process_shard, quarantine_shard
from pipeline.sources import InputFile, count_inputs, discover_inputs

ProgressListener = Callable[[str, int, int], None]  # (event, done, total)
_listener: ProgressListener | None = None


def set_progress_listener(listener: ProgressListener | None) -> None:
    """The CLI's progress bar; a module hook because flow parameters must be serialisable."""
    global _listener
    _listener = listener


def _report(event: str, done: int, total: int) -> None:
    if _listener is not None:
        _listener(event, done, total)


# Prefect's ProcessPoolTaskRunner starts a Prefect client in every worker process, which costs tens of
# seconds here (measured: 87 s against 35 s for 600 documents). Instead, task runs are threads that hand
# the CPU work to one plain process pool: Prefect still sees, retries and reports every shard, and the
# worker processes never import Prefect. On Dask the pool is absent and shards run on the Dask workers.
_pool: ProcessPoolExecutor | None = None


@contextmanager
def shard_process_pool(workers: int) -> Iterator[None]:
    global _pool
    if workers <= 1:
        yield
        return
    _pool = ProcessPoolExecutor(max_workers=workers)
    try:
        yield
    finally:
        _pool.shutdown(cancel_futures=True)
        _pool = None


# NO_CACHE: shards have their own state store (pipeline/shards.py). Prefect's default policy hashes every
# task's inputs for a cache key it never uses: the publish task's list of input files (1.9 s and +63 MB at
# 100k inputs, measured) and each shard's 500 files.
@task(name="process-shard", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def process_shard_task(spec: ShardSpec, work_dir: str, config: dict) -> ShardSummary:
    cfg = BuildConfig.from_dict(config)
    if _pool is None:
        return process_shard(spec, work_dir, cfg)
    return _pool.submit(process_shard, spec, work_dir, cfg).result()


@task(name="publish-release", cache_policy=NO_CACHE)
def publish_task(summaries: list[ShardSummary], output: str, config: dict, files: list[InputFile],
                 version: str | None) -> dict:
    return asdict(publish_release(summaries, output, BuildConfig.from_dict(config), files, version))


@flow(name="broadsheet-build", log_prints=False)
def build_flow(inputs: list[str], output: str, config: dict | None = None, version: str | None = None,
               work_dir: str | None = None) -> dict:
    """`work_dir`: where shards are written (default OUTPUT/NAME/.work); an fsspec URL (s3://...) lets Dask
    workers on other machines write them."""
    cfg = BuildConfig.from_dict(config or {})
    if version is not None:
        parse_version(version)  # before any work
    work_dir = choose_work_dir(output, cfg, work_dir, other_processes=_pool is not None or _on_dask())
    files = discover_inputs(inputs)
    shards = plan_shards(files, cfg)
    _report("shards", 0, len(shards))
    futures = {}
    for spec in shards:
        future = process_shard_task.submit(spec, work_dir, cfg.to_dict())
        futures[id(future)] = (spec, future)
    summaries = []
    for done, future in enumerate(as_completed([f for _, f in futures.values()]), start=1):
        try:
            summaries.append(future.result())
        except BooksError:  # records lost or doubled: a bug, and the run must fail loudly
            raise
        except Exception as error:  # retries are spent: quarantine this shard's inputs, keep the others
            summaries.append(quarantine_shard(futures[id(future)][0], work_dir, error))
        _report("shards", done, len(shards))
    try:
        result = publish_task(summaries, output, cfg.to_dict(), files, version)
    except ReleaseRejectedError as rejected:
        _validation_artifact(rejected_quality(rejected.rejected_dir), "rejected: not published")
        raise
    result["shards"] = len(shards)
    result["shards_reused"] = sum(1 for s in summaries if s.reused)
    _publish_artifacts(result)
    return result


def _on_dask() -> bool:
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    return context is not None and type(context.task_runner).__name__ == "DaskTaskRunner"


def rejected_quality(rejected_dir: str) -> dict:
    """The gate's verdict on a release it rejected, from the report kept beside the rejected files."""
    report = json.loads((Path(rejected_dir) / REPORT_JSON).read_text(encoding="utf-8"))
    failing = [{"check": c["name"], "severity": c["severity"], "table": c.get("table") or "",
                "column": c.get("column") or "", "message": c["message"]}
               for c in report["checks"] if not c["passed"]]
    return {"status": report["status"], **report["summary"], "failing": failing}


def _validation_artifact(quality: dict, outcome: str) -> None:
    """The quality gate's result on the flow run page: one row per failing check, or one row saying all passed."""
    if not quality:
        return
    rows = quality["failing"][:ARTIFACT_ROWS] or [
        {"check": "all", "severity": "", "table": "", "column": "",
         "message": f"{quality['passed']}/{quality['checks']} checks passed"}]
    create_table_artifact(key="broadsheet-validation", table=rows,
                          description=f"Quality gate {quality['status']} ({outcome}): {quality['errors']} errors, "
                                      f"{quality['warnings']} warnings, {quality['passed']}/{quality['checks']} "
                                      "checks passed")


def _publish_artifacts(result: dict) -> None:
    """What the data team sees on the flow run page in the Prefect UI: the totals, and the input files
    that lost records to quarantine (every file's books are in the release's manifest.json)."""
    counts = result["counts"]
    rows = [{"measure": key.replace("_", " "), "value": str(value)} for key, value in counts.items()]
    rows += [{"measure": key.replace("_", " "), "value": str(value)} for key, value in result["files"].items()]
    rows += [{"measure": "shards (reused)", "value": f"{result['shards']} ({result['shards_reused']})"},
             {"measure": "version", "value": str(result["version"])},
             {"measure": "outcome", "value": result["message"]}]
    create_table_artifact(key="broadsheet-build-summary", table=rows,
                          description=f"Build of {result['dataset']}: {result['message']}")
    _validation_artifact(result.get("quality") or {}, result["message"])
    quarantined = [entry for entry in result["per_file"] if entry["quarantined"]]
    if quarantined:
        create_table_artifact(
            key="broadsheet-build-quarantined-files", table=[{k: str(v) for k, v in e.items() if k != "sha256"}
                                                             for e in quarantined[:ARTIFACT_ROWS]],
            description=f"{len(quarantined)} input files with quarantined records"
                        + (f" (the first {ARTIFACT_ROWS})" if len(quarantined) > ARTIFACT_ROWS else "")
                        + "; records = published + quarantined + duplicates for every file")


ARTIFACT_ROWS = 200


def choose_task_runner(dask_address: str | None = None, dask_workers: int | None = None,
                       threads: int = 1) -> TaskRunner:
    """Threads by default (the CPU work goes to the shard process pool); Dask when asked."""
    if dask_address or dask_workers:
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": dask_workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    return ThreadPoolTaskRunner(max_workers=threads)


def run_build(inputs: list[str], output: str, config: BuildConfig, version: str | None = None,
              workers: int | None = None, dask_address: str | None = None, dask_workers: int | None = None,
              work_dir: str | None = None) -> dict:
    n_shards = max(1, -(-count_inputs(inputs) // config.shard_size))
    workers = 1 if dask_address or dask_workers else min(workers or os.cpu_count() or 1, n_shards)
    runner = choose_task_runner(dask_address, dask_workers, threads=workers)
    with shard_process_pool(workers):
        return build_flow.with_options(task_runner=runner)(inputs, output, config.to_dict(), version, work_dir)
