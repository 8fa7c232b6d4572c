"""The whole build as plain function calls: what the Prefect flow orchestrates, usable without it."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import BuildConfig
from pipeline.publish import PublishResult, publish_release
from pipeline.shards import plan_shards, process_shard
from pipeline.sources import discover_inputs

WORK_FOLDER = ".work"


def work_dir_for(output: str | Path, config: BuildConfig) -> Path:
    return Path(output) / config.dataset_name / WORK_FOLDER


def build(inputs: list[str], output: str, config: BuildConfig | None = None,
          version: str | None = None) -> PublishResult:
    config = config or BuildConfig()
    files = discover_inputs(inputs)
    work_dir = work_dir_for(output, config)
    summaries = [process_shard(spec, work_dir, config) for spec in plan_shards(files, config)]
    return publish_release(summaries, output, config, files, version)
