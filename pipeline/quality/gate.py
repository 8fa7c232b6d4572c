"""Run every check on a release folder and gather one `GateReport` (what the CLI and the build call)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as arrow

from pipeline.publish.versions import manifest_or_none
from pipeline.quality.config import load_rules
from pipeline.quality.contracts import contract_checks
from pipeline.quality.integrity import integrity_checks, reference_checks
from pipeline.quality.loader import LoadedRelease, load_release
from pipeline.quality.manifest_checks import manifest_checks
from pipeline.quality.model import FAIL_ON, GateError, GateReport
from pipeline.quality.parts import (
    CROSS_PART_REFERENCES,
    WHOLE_TABLES,
    MergedResults,
    document_summary,
    unique_across_parts,
)
from pipeline.quality.rules import rule_checks
from pipeline.quality.svg import bin_counts

ENTITY_TABLES = ("entities",)  # drawn per document in the HTML report when a release has one


def previous_manifest(loaded: LoadedRelease) -> dict | None:
    """The manifest of `parent_version` beside this release (staging folders sit beside releases too)."""
    parent = loaded.manifest.get("parent_version")
    if not parent:
        return None
    return manifest_or_none(loaded.dataset_dir / str(parent))


def release_stats(tables: dict[str, arrow.Table], manifest: dict, previous: dict | None,
                  rows: dict[str, int] | None = None) -> dict:
    """The numbers the HTML report draws: small summaries, never texts. `tables` may hold the summary
    columns of documents (`text_length`, `n_entities`) instead of the texts."""
    stats: dict = {"rows": dict(sorted((rows or {name: t.num_rows for name, t in tables.items()}).items()))}
    docs = tables.get("documents")
    if docs is not None and ("text" in docs.column_names or "text_length" in docs.column_names):
        lengths = ([n or 0 for n in docs["text_length"].to_pylist()] if "text_length" in docs.column_names else
                   [len(t) if t is not None else 0 for t in docs["text"].to_pylist()])
        stats["documents"] = len(lengths)
        stats["document_lengths"] = bin_counts(lengths)
    if docs is not None and "language" in docs.column_names:
        stats["languages"] = dict(Counter(lang or "unknown" for lang in docs["language"].to_pylist()).most_common())
    quarantine = tables.get("quarantine")
    if quarantine is not None and "reason" in quarantine.column_names:
        stats["quarantine_reasons"] = dict(Counter(quarantine["reason"].to_pylist()).most_common())
    if docs is not None and "n_entities" in docs.column_names and (rows or {}).get("entities"):
        stats["entities_per_document"] = bin_counts(docs["n_entities"].to_pylist(), bins=10)
    for name in ENTITY_TABLES:
        table = tables.get(name)
        if table is not None and "doc_id" in table.column_names and docs is not None:
            per_doc = Counter(table["doc_id"].to_pylist())
            stats["entities_per_document"] = bin_counts([per_doc.get(d, 0) for d in docs["doc_id"].to_pylist()],
                                                        bins=10)
    if previous is not None:
        stats["previous"] = {
            "version": previous.get("version"),
            "rows": {name: info.get("rows") for name, info in sorted((previous.get("tables") or {}).items())},
            "counts": previous.get("counts") or {},
        }
    stats["counts"] = manifest.get("counts") or {}
    return stats


def run_gate(release: str | Path, config: str | Path | None = None, fail_on: str = "error",
             trusted: set[str] | None = None) -> GateReport:
    """Validate the release folder `release`. Raises `GateError` only when it cannot run at all.

    Rows are checked one part at a time (file k of every table), so the gate needs the memory of a part;
    what spans parts (unique doc_ids, duplicates naming a kept document, dataset rules) is checked on a
    few columns of documents gathered on the way.
    """
    fail_on = "warn" if fail_on == "warning" else fail_on
    if fail_on not in FAIL_ON:
        raise GateError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    rules = load_rules(config)  # a bad config stops before any work
    path = Path(release)
    loaded = load_release(path)
    previous = previous_manifest(loaded)
    listed = set((loaded.manifest.get("tables") or {}).keys())
    merged = MergedResults()
    summaries: dict[str, list[arrow.Table]] = {name: [] for name in WHOLE_TABLES}
    parts = 0
    for tables, checked_before in loaded.parts(trusted or set()):
        parts += 1
        if not checked_before:
            merged.add(contract_checks(tables, listed))
            merged.add(integrity_checks({k: v for k, v in tables.items() if k not in CROSS_PART_REFERENCES}))
        if "documents" in tables:
            summaries["documents"].append(document_summary(tables["documents"], tables.get("entities")))
        for name in WHOLE_TABLES - {"documents"}:
            if name in tables:
                summaries[name].append(tables[name])
    light = {name: arrow.concat_tables(found, promote_options="permissive")
             for name, found in summaries.items() if found}
    loaded.tables = light
    checks = [*loaded.problems, *manifest_checks(loaded), *merged.results(),
              *reference_checks({k: v for k, v in light.items() if k in {"documents", *CROSS_PART_REFERENCES}}),
              *(unique_across_parts(light["documents"]) if parts > 1 and "documents" in light else []),
              *rule_checks(light, loaded.manifest, rules, previous)]
    rows = {name: info.num_rows for name, info in loaded.info.items()}
    return GateReport(release=str(path), dataset=loaded.manifest.get("dataset"),
                      version=loaded.manifest.get("version"), checks=checks, fail_on=fail_on,
                      config_path=str(config) if config else None,
                      stats=release_stats(light, loaded.manifest, previous, rows))
