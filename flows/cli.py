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
    to: Annotated[list[str] | None, typer.Option(
        "--to", help="Also publish the new release to an fsspec URL (s3://bucket/prefix) or hf://datasets/ORG/NAME; "
        "repeatable.")] = None,
    splits: Annotated[str | None, typer.Option(
        help="Deterministic splits by hash of doc_id, e.g. train=0.8,validation=0.1,test=0.1.")] = None,
) -> None:
    """Clean, segment, validate and publish INPUTS as a new release."""
    paths = [str(p) for p in (inputs or [Path(DEFAULT_INPUT)])]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        console.print(f"[red]error:[/red] input not found: {', '.join(missing)}")
        raise typer.Exit(1)
    _quiet_prefect(verbose)
    from flows.build import run_build, set_progress_listener  # prefect is imported here, after the settings

    try:
        split_fractions = _parse_splits(splits)
    except ValueError as error:
        console.print(f"[red]error:[/red] --splits: {error}")
        raise typer.Exit(1) from None
    config = BuildConfig(dataset_name=name, shard_size=shard_size, splits=split_fractions)
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
    if result["published"]:
        for target in to or []:
            _push(Path(result["path"]), target)
    elif to:
        console.print("no new release to publish; `broadsheet push VERSION --to URL` publishes an existing one")


def _parse_splits(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    from pipeline.publish.splits import check_splits

    pairs = [part.split("=", 1) for part in text.split(",") if part.strip()]
    if any(len(pair) != 2 for pair in pairs):
        raise ValueError(f"expected name=fraction pairs, got {text!r}")
    return check_splits({name.strip(): float(value) for name, value in pairs})


def _push(release_dir: Path, target: str) -> None:
    from pipeline.publish.targets import TargetError, push_release

    try:
        pushed = push_release(release_dir, target)
    except TargetError as error:
        console.print(f"[red]publish failed:[/red] {error}")
        raise typer.Exit(1) from None
    console.print(f"published {pushed.version} to {pushed.location} ({pushed.files} files)")


@app.command("push")
def push(
    target: Annotated[str, typer.Option("--to", help="fsspec URL (s3://bucket/prefix) or hf://datasets/ORG/NAME.")],
    version: Annotated[str, typer.Argument(help="Release to publish (default: latest).")] = "latest",
    output: Annotated[Path, typer.Option("--output", "-o")] = Path(DEFAULT_OUTPUT),
    name: Annotated[str, typer.Option("--name")] = "broadsheet",
) -> None:
    """Publish an existing local release to an fsspec URL or the Hugging Face Hub (one commit + a vX.Y.Z tag)."""
    dataset_dir = output / name
    found = versions.latest_version(dataset_dir) if version == "latest" else version
    if not found or not (dataset_dir / found / "manifest.json").exists():
        console.print(f"[red]error:[/red] no release {version} under {dataset_dir}")
        raise typer.Exit(1)
    _push(dataset_dir / found, target)


@app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="Older release: a folder/URL, or a version under --output/--name.")],
    new: Annotated[str, typer.Argument(help="Newer release, the same way.")],
    output: Annotated[Path, typer.Option("--output", "-o")] = Path(DEFAULT_OUTPUT),
    name: Annotated[str, typer.Option("--name")] = "broadsheet",
    as_json: Annotated[bool, typer.Option("--json", help="Print the change set as JSON.")] = False,
) -> None:
    """What changed between two releases: documents added, removed and changed, and rows per table."""
    import json

    from pipeline.publish.diff import release_diff

    def where(ref: str) -> tuple[str, str]:
        return (str(output / name), ref) if versions.SEMVER.match(ref) or ref == "latest" else (ref, "latest")

    (old_dir, old_version), (new_dir, new_version) = where(old), where(new)
    try:
        change = release_diff(old_dir, new_dir, old_version=old_version, new_version=new_version)
    except (FileNotFoundError, ValueError) as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(change.to_dict(), indent=2, ensure_ascii=False))
        return
    out = Console()
    out.print(f"{change.old_version} → {change.new_version}: {change.bump or 'no change'}")
    docs = Table("change", "doc_id", "source_path", title="documents")
    for row in change.documents_added:
        docs.add_row("added", row["doc_id"], row["source_path"])
    for row in change.documents_removed:
        docs.add_row("removed", row["doc_id"], row["source_path"])
    for item in change.documents_changed:
        docs.add_row("changed", f"{item.old_doc_id} → {item.new_doc_id}", item.source_path)
    out.print(docs)
    tables = Table("table", "rows before", "rows after", "added", "removed", "changed", "columns", title="tables")
    for t in change.tables.values():
        columns = " ".join([*(f"+{c}" for c in t.columns_added), *(f"-{c}" for c in t.columns_removed),
                            *(f"~{c}" for c in t.columns_retyped)]) or "same"
        tables.add_row(t.name, str(t.rows_before), str(t.rows_after), str(t.added), str(t.removed), str(t.changed),
                       columns)
    out.print(tables)


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
    table = Table("version", "created", "documents", "quarantined", "change", "latest")
    for version in found:
        manifest = versions.read_manifest(dataset_dir / version)
        change = f"{manifest['bump']} from {manifest['parent_version']}" if manifest.get("bump") else (
            "first" if not manifest.get("parent_version") else f"from {manifest['parent_version']}")
        table.add_row(version, manifest["created"], str(manifest["counts"]["published"]),
                      str(manifest["counts"]["quarantined"]), change, "*" if version == latest else "")
    Console().print(table)


def main() -> None:
    app()
