"""`broadsheet`: build releases with the Prefect flow in local mode, list them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import flows.settings  # noqa: F401  (must precede any prefect import)
from pipeline.config import BuildConfig
from pipeline.publish import versions

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(stderr=True)
DEFAULT_INPUT = "seeds"
DEFAULT_OUTPUT = "data"


def _quiet_prefect(verbose: bool) -> None:
    """Local mode logs server start-up and event-flush tracebacks at exit; users should not see them."""
    level = logging.INFO if verbose else logging.CRITICAL
    for name in ("prefect", "prefect.server", "prefect.events", "prefect._internal", "uvicorn", "httpx",
                 "docket", "prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).setLevel(level)


@app.command()
def build(
    inputs: Annotated[list[Path] | None, typer.Argument(help="Files or folders to read (default: seeds/).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where releases are written.")] = Path(DEFAULT_OUTPUT),
    version: Annotated[str | None, typer.Option(help="Force this release version (MAJOR.MINOR.PATCH).")] = None,
    name: Annotated[str, typer.Option("--name", help="Dataset name: releases go to OUTPUT/NAME/VERSION.")] = (
        "broadsheet"),
    shard_size: Annotated[int, typer.Option(help="Input files per shard (one task run each).")] = 500,
    workers: Annotated[int | None, typer.Option(help="Parallel shard workers (default: CPU cores).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
    config_file: Annotated[Path | None, typer.Option(
        "--config", help="YAML build settings, e.g. `enrich: {entities: false}` (see README).")] = None,
) -> None:
    """Clean, segment, validate, enrich and publish INPUTS as a new release."""
    paths = [str(p) for p in (inputs or [Path(DEFAULT_INPUT)])]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        console.print(f"[red]error:[/red] input not found: {', '.join(missing)}")
        raise typer.Exit(1)
    _quiet_prefect(verbose)
    from flows.build import run_build, set_progress_listener  # prefect is imported here, after the settings

    try:
        config = _load_config(config_file, name, shard_size)
    except Exception as error:  # a clear one-line message naming the file
        console.print(f"[red]error:[/red] config {config_file}: {type(error).__name__}: {error}")
        raise typer.Exit(1) from None
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        bar = progress.add_task("starting Prefect (local mode)", total=None)

        def listen(event: str, done: int, total: int) -> None:
            progress.update(bar, description="processing shards", completed=done, total=total)

        set_progress_listener(listen)
        try:
            result = run_build(paths, str(output), config, version=version, workers=workers)
        except Exception as error:  # a clear one-line message, not a traceback
            progress.stop()
            console.print(f"[red]build failed:[/red] {type(error).__name__}: {error}")
            raise typer.Exit(1) from None
        finally:
            set_progress_listener(None)
    _print_summary(result)


def _load_config(path: Path | None, name: str, shard_size: int) -> BuildConfig:
    """Settings from a YAML file; --name and --shard-size win when given with other than their defaults."""
    import yaml

    data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path else {}
    if not isinstance(data, dict):
        raise ValueError("expected a mapping of settings at the top level")
    if name != "broadsheet" or "dataset_name" not in data:
        data["dataset_name"] = name
    if shard_size != 500 or "shard_size" not in data:
        data["shard_size"] = shard_size
    return BuildConfig.from_dict(data)


def _print_summary(result: dict) -> None:
    counts = result["counts"]
    table = Table(title="Broadsheet build", show_header=False)
    table.add_row("documents read", str(counts["inputs"]))
    table.add_row("published", str(counts["published"]))
    table.add_row("quarantined", str(counts["quarantined"]))
    table.add_row("duplicates", str(counts["duplicates"]))
    table.add_row("shards (reused)", f"{result['shards']} ({result['shards_reused']})")
    table.add_row("release", f"{result['dataset']} {result['version'] or '-'}")
    table.add_row("path", str(result["path"] or "-"))
    console.print(table)
    console.print(result["message"])


@app.command("releases")
def list_releases(
    output: Annotated[Path, typer.Option("--output", "-o")] = Path(DEFAULT_OUTPUT),
    name: Annotated[str, typer.Option("--name")] = "broadsheet",
) -> None:
    """List the releases of a dataset with their row counts and dates."""
    dataset_dir = output / name
    found = versions.list_versions(dataset_dir)
    if not found:
        console.print(f"no releases under {dataset_dir}")
        raise typer.Exit(1)
    latest = versions.latest_version(dataset_dir)
    table = Table("version", "created", "documents", "quarantined", "latest")
    for version in found:
        manifest = versions.read_manifest(dataset_dir / version)
        table.add_row(version, manifest["created"], str(manifest["counts"]["published"]),
                      str(manifest["counts"]["quarantined"]), "*" if version == latest else "")
    Console().print(table)


def main() -> None:
    app()
