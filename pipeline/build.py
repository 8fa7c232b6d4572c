"""The whole build as plain function calls: what the Prefect flow orchestrates, usable without it."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from pathlib import Path

from pipeline.config import BuildConfig
from pipeline.publish import PublishResult, publish_release
from pipeline.publish.versions import parse as parse_version
from pipeline.shards import BooksError, ShardSpec, ShardSummary, plan_shards, process_shard, quarantine_shard
from pipeline.sources import discover_inputs

WORK_FOLDER = ".work"


def work_dir_for(output: str | Path, config: BuildConfig) -> Path:
    return Path(output) / config.dataset_name / WORK_FOLDER


def build(inputs: list[str], output: str, config: BuildConfig | None = None,
          version: str | None = None, workers: int = 1) -> PublishResult:
    """Build a release without an orchestrator; `workers > 1` runs shards in a process pool."""
    config = config or BuildConfig()
    if version is not None:
        parse_version(version)  # a bad forced version fails before any work, not after it
    files = discover_inputs(inputs)
    work_dir = work_dir_for(output, config)
    specs = plan_shards(files, config)
    if workers > 1 and len(specs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(specs))) as pool:
            summaries = list(pool.map(process_shard_with_retry, specs, repeat(work_dir), repeat(config)))
    else:
        summaries = [process_shard_with_retry(spec, work_dir, config) for spec in specs]
    return publish_release(summaries, output, config, files, version)


def process_shard_with_retry(spec: ShardSpec, work_dir: Path, config: BuildConfig, retries: int = 1) -> ShardSummary:
    """Transient faults (I/O) get another try; a shard that keeps failing is quarantined, not fatal."""
    error: Exception | None = None
    for _ in range(retries + 1):
        try:
            return process_shard(spec, work_dir, config)
        except BooksError:
            raise
        except Exception as exc:  # noqa: PERF203 (retrying is the point)
            error = exc
    return quarantine_shard(spec, work_dir, error)
