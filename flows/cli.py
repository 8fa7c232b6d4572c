"""`broadsheet`: build releases with the Prefect flow in local mode, list, validate them, export contracts."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import flows.settings  # noqa: F401  (must precede any prefect import)
from pipeline.config import BuildConfig, Chunking
from pipeline.publish import versions
from pipeline.redact import scrub, scrubbed_logs

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
    inputs: Annotated[list[str] | None, typer.Argument(
        help="Files, folders or fsspec URLs to read (default: seeds/).")] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Where releases are written (a local or mounted "
                                        "folder; see --to and --work-dir for URLs).")] = DEFAULT_OUTPUT,
    version: Annotated[str | None, typer.Option(help="Force this release version (MAJOR.MINOR.PATCH).")] = None,
    name: Annotated[str, typer.Option("--name", help="Dataset name: releases go to OUTPUT/NAME/VERSION.")] = (
        "broadsheet"),
    shard_size: Annotated[int, typer.Option(help="Input files per shard (one task run each).")] = 500,
    workers: Annotated[int | None, typer.Option(help="Parallel shard workers (default: CPU cores).")] = None,
    dask_address: Annotated[str | None, typer.Option(help="Run shards on this Dask scheduler (tcp://HOST:PORT).")] = (
        None),
    dask_workers: Annotated[int | None, typer.Option(help="Start a local Dask cluster of N worker processes.")] = (
        None),
    retention: Annotated[str, typer.Option(help="Inputs gone since the last release: keep or drop their rows.")] = (
        "keep"),
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")] = False,
    max_tokens: Annotated[int, typer.Option(help="Chunks: at most this many tokens each.")] = Chunking.max_tokens,
    overlap_sentences: Annotated[int, typer.Option(help="Chunks: sentences shared by consecutive chunks.")] = (
        Chunking.overlap_sentences),
    tokenizer: Annotated[str, typer.Option(help="Chunks: cl100k_base, o200k_base, or words.")] = Chunking.tokenizer,
    input_format: Annotated[str, typer.Option("--format", help="auto, text, html, warc, jsonl, csv or parquet.")] = (
        "auto"),
    config_file: Annotated[Path | None, typer.Option(
        "--config", help="YAML build settings, e.g. `enrich: {entities: false}` (see README).")] = None,
    work_dir: Annotated[str | None, typer.Option(
        "--work-dir", help="Where shard outputs go (default OUTPUT/NAME/.work): a folder or an fsspec URL "
        "(s3://bucket/prefix) that Dask workers on other machines can write to.")] = None,
    to: Annotated[list[str] | None, typer.Option(
        "--to", help="Also publish the new release to an fsspec URL (s3://bucket/prefix) or hf://datasets/ORG/NAME; "
        "repeatable.")] = None,
    splits: Annotated[str | None, typer.Option(
        help="Deterministic splits by hash of doc_id, e.g. train=0.8,validation=0.1,test=0.1.")] = None,
) -> None:
    """Clean, segment, validate, enrich and publish INPUTS as a new release."""
    paths = [str(p) for p in (inputs or [DEFAULT_INPUT])]
    try:
        _check_before_work(paths, name, version, to or [], output, work_dir)
    except ValueError as error:  # a clear line, before any work and before anything is written
        console.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(1) from None
    try:
        chunking = Chunking(max_tokens, overlap_sentences, tokenizer)
    except ValueError as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None
    _quiet_prefect(verbose)
    from flows.build import run_build, set_progress_listener  # prefect is imported here, after the settings
    _quiet_prefect(verbose)  # again: importing prefect configures its loggers (a rejected release is no traceback)

    try:
        split_fractions = _parse_splits(splits)
    except ValueError as error:
        console.print(f"[red]error:[/red] --splits: {error}")
        raise typer.Exit(1) from None
    cli_settings = {"dataset_name": (name, "broadsheet"), "shard_size": (shard_size, 500),
                    "retention": (retention, "keep"), "input_format": (input_format, "auto"),
                    "chunking": (asdict(chunking), asdict(Chunking())), "splits": (split_fractions, None)}
    try:
        config = _load_config(config_file, cli_settings)
    except Exception as error:  # a clear one-line message naming the file
        where = f"config {config_file}: " if config_file else ""
        console.print(f"[red]error:[/red] {where}{type(error).__name__}: {escape(str(error))}")
        raise typer.Exit(1) from None
    with scrubbed_logs(), Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                   TimeElapsedColumn(), console=console, transient=True) as progress:
        bar = progress.add_task("starting Prefect (local mode)", total=None)

        def listen(event: str, done: int, total: int) -> None:
            progress.update(bar, description="processing shards", completed=done, total=total)

        set_progress_listener(listen)
        try:
            result = run_build(paths, str(output), config, version=version, workers=workers,
                               dask_address=dask_address, dask_workers=dask_workers, work_dir=work_dir)
        except Exception as error:  # a clear one-line message, not a traceback
            progress.stop()
            console.print(f"[red]build failed:[/red] {escape(scrub(f'{type(error).__name__}: {error}'))}")
            raise typer.Exit(1) from None
        finally:
            set_progress_listener(None)
    _print_summary(result)
    if result["published"]:
        for target in to or []:
            _push(Path(result["path"]), target)
    elif to:
        console.print("no new release to publish; `broadsheet push VERSION --to URL` publishes an existing one")


def _check_before_work(paths: list[str], name: str, version: str | None, targets: list[str], output: str = "",
                       work_dir: str | None = None) -> None:
    """Everything that can be refused without reading an input: a build that would fail at the end, or
    write outside the output folder, or carry credentials into logs, fails here instead."""
    from pipeline.build import choose_work_dir
    from pipeline.config import check_dataset_name
    from pipeline.publish.targets import TargetError, check_target
    from pipeline.redact import redact, refuse_credentials

    check_dataset_name(name)
    if version is not None:
        versions.parse(version)
    for path in paths:
        if "://" in path:
            refuse_credentials(path, "input")
    missing = [redact(p) for p in paths if "://" not in p and not Path(p).exists()]
    if missing:
        raise ValueError(f"input not found: {', '.join(missing)}")
    for target in targets:
        try:
            check_target(target)
        except TargetError as error:
            raise ValueError(str(error)) from None
    if output:  # (a credentials error is a ValueError too)
        choose_work_dir(output, BuildConfig(dataset_name=name), work_dir, other_processes=True)


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


def _load_config(path: Path | None, cli_settings: dict[str, tuple]) -> BuildConfig:
    """Settings from a YAML file; a command-line option wins when given with other than its default."""
    import yaml

    data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path else {}
    if not isinstance(data, dict):
        raise ValueError("expected a mapping of settings at the top level")
    for key, (value, default) in cli_settings.items():
        if value != default or key not in data:
            data[key] = value
    return BuildConfig.from_dict(data)


def _print_summary(result: dict) -> None:
    counts = result["counts"]
    table = Table(title="Broadsheet build", show_header=False)
    table.add_row("documents read", str(counts["inputs"]))
    if counts.get("carried_forward"):
        table.add_row("kept from removed inputs", str(counts["carried_forward"]))
    table.add_row("published", str(counts["published"]))
    table.add_row("quarantined", str(counts["quarantined"]))
    table.add_row("duplicates", str(counts["duplicates"]))
    files = result.get("files") or {}
    if files:
        table.add_row("input files", f"{files['input_files']}: {files['files_all_published']} all published, "
                                     f"{files['files_partly_quarantined']} partly and {files['files_all_quarantined']} "
                                     "wholly quarantined")
        table.add_row("books", "balanced per input file and in total (see manifest.json)")
    table.add_row("shards (reused)", f"{result['shards']} ({result['shards_reused']})")
    table.add_row("release", f"{result['dataset']} {result['version'] or '-'}")
    table.add_row("path", str(result["path"] or "-"))
    console.print(table)
    console.print(result["message"])


@app.command()
def serve(
    inputs: Annotated[list[Path] | None, typer.Argument(help="Files or folders to read (default: seeds/).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o")] = Path(DEFAULT_OUTPUT),
    cron: Annotated[str, typer.Option(help="When to build, as a cron expression.")] = "0 * * * *",
    name: Annotated[str, typer.Option("--name")] = "broadsheet",
    deployment: Annotated[str, typer.Option(help="Deployment name shown in the Prefect UI.")] = "scheduled-build",
    work_dir: Annotated[str | None, typer.Option(
        "--work-dir", help="Where shard outputs go (default OUTPUT/NAME/.work): a folder or an fsspec URL.")] = None,
) -> None:
    """Serve the build flow on a schedule (needs a Prefect server: `prefect server start`)."""
    import os

    if not os.environ.get("PREFECT_API_URL"):
        console.print("[red]error:[/red] scheduling needs a Prefect server. Start one with "
                      "`prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api")
        raise typer.Exit(1)
    from flows.build import build_flow
    from pipeline.build import choose_work_dir

    paths = [str(p.resolve()) for p in (inputs or [Path(DEFAULT_INPUT)])]
    config = BuildConfig(dataset_name=name)
    parameters = {"inputs": paths, "output": str(output.resolve()), "config": config.to_dict()}
    if work_dir is not None:
        try:
            parameters["work_dir"] = choose_work_dir(output, config, work_dir, other_processes=True)
        except ValueError as error:
            console.print(f"[red]error:[/red] {escape(str(error))}")
            raise typer.Exit(1) from None
    build_flow.serve(name=deployment, cron=cron, parameters=parameters)


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


@app.command("validate")
def validate(
    release: Annotated[str | None, typer.Argument(
        help="A release folder, a dataset folder or its `latest` file (default: the latest release of "
             "OUTPUT/NAME).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where releases are written.")] = Path(DEFAULT_OUTPUT),
    name: Annotated[str, typer.Option("--name", help="Dataset name.")] = "broadsheet",
    config: Annotated[Path | None, typer.Option("--config", help="YAML rule thresholds (overlaid on the "
                                                "defaults shipped with broadsheet).")] = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="error | warn | never: what makes the exit code 1."
                                         )] = "error",
    report_json: Annotated[Path | None, typer.Option("--report-json", help="Write every check as JSON here.")] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Write JUnit XML here (warnings as skipped).")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write a static offline HTML report here.")] = None,
    show_passed: Annotated[bool, typer.Option("--show-passed", help="List passing checks too.")] = False,
) -> None:
    """Validate a release: contracts, cross-table integrity, manifest, dataset rules.

    Exit codes: 0 passed, 1 failed, 2 passed with warnings, 3 could not run.
    """
    from pipeline.quality import GateError, run_gate
    from pipeline.quality.console import print_report
    from pipeline.quality.html import write_html
    from pipeline.quality.loader import resolve_release
    from pipeline.quality.model import EXIT_NOT_RUN
    from pipeline.quality.reports import write_json, write_junit

    try:
        path = resolve_release(release, output / name)
        report = run_gate(path, config, fail_on)
    except GateError as error:
        console.print(f"[red]could not run:[/red] {error}")
        raise typer.Exit(EXIT_NOT_RUN) from None
    print_report(report, Console(), show_passed)
    for target, writer in ((report_json, write_json), (junit, write_junit), (html, write_html)):
        if target is not None:
            console.print(f"wrote {writer(report, target)}")
    raise typer.Exit(report.exit_code)


@app.command("schema")
def schema(
    fmt: Annotated[str, typer.Option("--format", "-f", help="yaml or json")] = "yaml",
    table: Annotated[str | None, typer.Option("--table", "-t", help="One table (default: all).")] = None,
) -> None:
    """Print the tables' contracts (pandera YAML/JSON), so a consumer can check their own copy."""
    from pipeline.quality.schema_export import export_contracts

    try:
        text = export_contracts(fmt, table)
    except (KeyError, ValueError) as error:
        console.print(f"[red]error:[/red] {error.args[0]}")
        raise typer.Exit(1) from None
    typer.echo(text, nl=False)


def main() -> None:
    app()
