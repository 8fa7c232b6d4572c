"""The whole build as plain function calls: what the Prefect flow orchestrates, usable without it."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from pathlib import Path

from pipeline import storage
from pipeline.config import BuildConfig
from pipeline.publish import PublishResult, publish_release
from pipeline.publish.versions import parse as parse_version
from pipeline.shards import BooksError, ShardSpec, ShardSummary, plan_shards, process_shard, quarantine_shard
from pipeline.sources import discover_inputs

WORK_FOLDER = ".work"


def work_dir_for(output: str | Path, config: BuildConfig) -> Path:
    return Path(output) / config.dataset_name / WORK_FOLDER


def choose_work_dir(output: str | Path, config: BuildConfig, work_dir: str | None = None,
                    other_processes: bool = False) -> str:
    """Where shards are written: beside the releases by default, or any fsspec URL every worker can reach
    (workers on other machines write their shards there; the publishing process reads them back).

    Releases themselves are renamed into place under a lock, which needs a local (or NFS) folder;
    `--to` copies a release to an fsspec URL or the Hub. Both refusals come before any work.
    """
    from pipeline.redact import redact, refuse_credentials

    if not storage.is_local(output):
        raise ValueError(f"output {redact(str(output))}: releases are written to a local or mounted folder (a "
                         "release appears by an atomic rename); publish to a URL with --to, and put shard outputs "
                         "on a URL with --work-dir")
    if work_dir is None:
        return str(work_dir_for(output, config))
    refuse_credentials(work_dir, "work folder")
    if work_dir.startswith("memory://") and other_processes:
        raise ValueError(f"work folder {work_dir}: memory:// lives in one process, and shards run in worker "
                         "processes; use a folder or a shared URL (s3://, gs://, ...)")
    try:
        storage.check_writable(work_dir)
    except OSError as error:
        raise ValueError(redact(str(error))) from None
    return work_dir


def build(inputs: list[str], output: str, config: BuildConfig | None = None,
          version: str | None = None, workers: int = 1, work_dir: str | None = None) -> PublishResult:
    """Build a release without an orchestrator; `workers > 1` runs shards in a process pool.

    `work_dir`: where shard outputs go (default `OUTPUT/NAME/.work`), a folder or an fsspec URL.
    """
    config = config or BuildConfig()
    if version is not None:
        parse_version(version)  # a bad forced version fails before any work, not after it
    work_dir = choose_work_dir(output, config, work_dir, other_processes=workers > 1)
    files = discover_inputs(inputs)
    specs = plan_shards(files, config)
    if workers > 1 and len(specs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(specs))) as pool:
            summaries = list(pool.map(process_shard_with_retry, specs, repeat(work_dir), repeat(config)))
    else:
        summaries = [process_shard_with_retry(spec, work_dir, config) for spec in specs]
    return publish_release(summaries, output, config, files, version)


def process_shard_with_retry(spec: ShardSpec, work_dir: str, config: BuildConfig, retries: int = 1) -> ShardSummary:
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
