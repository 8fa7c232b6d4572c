"""The manifest against the folder: every file present, unchanged (sha256, size), with the rows and the
schema it claims; SHA256SUMS agrees; the counts add up, in total and per input file."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from pipeline.publish.manifest import content_fingerprint, schema_of
from pipeline.quality.loader import LoadedRelease
from pipeline.quality.model import ERROR, CheckResult
from pipeline.sources.discover import sha256_file

CATEGORY = "manifest"


def _result(name: str, passed: bool, message: str, **where) -> CheckResult:
    return CheckResult(name, CATEGORY, ERROR, passed, message, failures=0 if passed else 1, **where)


def _file_checks(loaded: LoadedRelease) -> list[CheckResult]:
    release, results = loaded.path, []
    listed = [f for f in loaded.manifest.get("files") or [] if isinstance(f, dict) and f.get("path")]
    for item in listed:
        rel, table = item["path"], item["path"].split("/")[0]
        path = release / rel
        if not path.is_file():
            results.append(_result("file_present", False, f"{rel} is listed in manifest.json but missing",
                                   table=table, file=rel))
            continue
        digest = sha256_file(path)
        same = digest == item.get("sha256")
        results.append(_result(
            "file_sha256", same,
            f"{rel}: sha256 matches" if same else
            f"{rel}: sha256 is {digest[:16]}…, manifest.json says {str(item.get('sha256'))[:16]}… "
            "(the file changed after publishing, or the manifest is wrong)",
            table=table, file=rel, observed=digest, threshold=item.get("sha256")))
        if "bytes" in item and path.stat().st_size != item["bytes"]:
            results.append(_result("file_size", False,
                                   f"{rel} has {path.stat().st_size} bytes, manifest.json says {item['bytes']}",
                                   table=table, file=rel, observed=path.stat().st_size, threshold=item["bytes"]))
        try:
            rows = pq.read_metadata(path).num_rows
        except Exception:
            continue  # unreadable: reported once, by the loader
        ok = rows == item.get("rows")
        results.append(_result(
            "file_row_count", ok,
            f"{rel} has {rows} rows" + ("" if ok else f", manifest.json says {item.get('rows')}"),
            table=table, file=rel, observed=rows, threshold=item.get("rows")))
    listed_paths = {item["path"] for item in listed}
    for path in sorted(release.glob("*/*.parquet")):
        rel = path.relative_to(release).as_posix()
        if rel not in listed_paths:
            results.append(_result("file_listed", False, f"{rel} is in the release but not in manifest.json "
                                   "(loaders would read it)", table=path.parent.name, file=rel))
    if listed:
        fingerprint = content_fingerprint(listed)
        ok = fingerprint == loaded.manifest.get("content_fingerprint")
        results.append(_result("content_fingerprint", ok,
                               "content fingerprint matches the files listed" if ok else
                               "content_fingerprint in manifest.json does not match its own file list",
                               file="manifest.json", observed=fingerprint,
                               threshold=loaded.manifest.get("content_fingerprint")))
    return results


def _table_checks(loaded: LoadedRelease) -> list[CheckResult]:
    results = []
    for name, info in sorted((loaded.manifest.get("tables") or {}).items()):
        table = loaded.info.get(name)
        if table is None:
            if not loaded.files.get(name):
                results.append(_result("table_present", False, f"table {name} is in manifest.json but has no "
                                       f"Parquet files in {name}/", table=name, file=f"{name}/"))
            continue
        ok = table.num_rows == info.get("rows")
        results.append(_result("table_row_count", ok, f"{name} has {table.num_rows} rows" + (
            "" if ok else f", manifest.json says {info.get('rows')}"), table=name, file="manifest.json",
            observed=table.num_rows, threshold=info.get("rows")))
        if "schema" in info:
            diff = _schema_diff(info["schema"], schema_of(table))
            text = "; ".join(part for _, part in diff)
            results.append(_result("manifest_schema", not diff, f"schema of {name} matches manifest.json"
                                   if not diff else f"schema of {name} differs from manifest.json: {text}",
                                   table=name, column=", ".join(c for c, _ in diff) or None, file="manifest.json",
                                   observed=text or None))
    return results


def _schema_diff(expected: list[dict], actual: list[dict]) -> list[tuple[str, str]]:
    """(column, what differs) for every column whose name, type or nullability differs."""
    def show(column: dict) -> str:
        return column["type"] + ("" if column["nullable"] else " not null")

    exp, act = {c["name"]: c for c in expected}, {c["name"]: c for c in actual}
    parts = [(n, f"missing column {n}") for n in exp if n not in act]
    parts += [(n, f"unexpected column {n}") for n in act if n not in exp]
    parts += [(n, f"column {n} is {show(act[n])}, manifest says {show(exp[n])}")
              for n in exp if n in act and act[n] != exp[n]]
    if not parts and [c["name"] for c in expected] != [c["name"] for c in actual]:
        parts.append(("", "columns are in a different order"))
    return parts


def _sha256sums(release: Path) -> list[CheckResult]:
    sums = release / "SHA256SUMS"
    if not sums.exists():
        return [_result("sha256sums", False, "SHA256SUMS is missing", file="SHA256SUMS")]
    bad = []
    for line in sums.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        digest, _, rel = line.partition("  ")
        path = release / rel
        if not path.is_file():
            bad.append(f"{rel} (missing)")
        elif sha256_file(path) != digest.strip():
            bad.append(rel)
    if bad:
        return [_result("sha256sums", False, f"SHA256SUMS does not match {len(bad)} file(s): {', '.join(bad[:5])}",
                        file="SHA256SUMS", observed=bad[:5])]
    return [_result("sha256sums", True, "every file matches SHA256SUMS", file="SHA256SUMS")]


def _counts(loaded: LoadedRelease) -> list[CheckResult]:
    counts = loaded.manifest.get("counts") or {}
    results = []
    for key, table in (("published", "documents"), ("quarantined", "quarantine"), ("duplicates", "duplicates")):
        if key in counts and table in loaded.info:
            rows = loaded.info[table].num_rows
            ok = rows == counts[key]
            results.append(_result("count_matches_table", ok, f"counts.{key} = {counts[key]}" + (
                "" if ok else f" but {table} has {rows} rows"), table=table, file="manifest.json",
                observed=rows, threshold=counts[key]))
    if {"inputs", "published", "quarantined", "duplicates"} <= set(counts):
        # Rows of inputs gone since the parent release may be carried forward (retention "keep").
        carried = counts.get("carried_forward", 0)
        total = counts["published"] + counts["quarantined"] + counts["duplicates"]
        ok = counts["inputs"] + carried == total
        source = f"inputs ({counts['inputs']})" + (f" + carried_forward ({carried})" if carried else "")
        results.append(_result("books_balance", ok, f"{source} {'=' if ok else '!='} published + quarantined + "
                               f"duplicates ({total})", file="manifest.json", observed=total,
                               threshold=counts["inputs"] + carried))
    results += _books_per_file(loaded.manifest.get("inputs") or [], counts)
    return results


def _books_per_file(inputs: list, counts: dict) -> list[CheckResult]:
    """Each input file's records = published + quarantined + duplicates, and the files add up to the total."""
    keys = ("records", "published", "quarantined", "duplicates")
    entries = [e for e in inputs if isinstance(e, dict) and all(k in e for k in keys)]
    if not entries:  # a release from before per-file books
        return []
    bad = [e["path"] for e in entries if e["records"] != e["published"] + e["quarantined"] + e["duplicates"]]
    total = sum(e["records"] for e in entries)
    results = [_result("books_balance_per_file", not bad, f"records = published + quarantined + duplicates for "
                       f"{len(entries) - len(bad)} of {len(entries)} input files" + (
                           f"; not for {', '.join(bad[:5])}" if bad else ""), file="manifest.json",
                       observed=bad[:5])]
    if "inputs" in counts:
        ok = total == counts["inputs"]
        results.append(_result("books_files_add_up", ok, f"the input files' records add up to {total}, counts.inputs "
                               f"is {counts['inputs']}", file="manifest.json", observed=total,
                               threshold=counts["inputs"]))
    return results


def manifest_checks(loaded: LoadedRelease) -> list[CheckResult]:
    return [*_file_checks(loaded), *_table_checks(loaded), *_sha256sums(loaded.path), *_counts(loaded)]
