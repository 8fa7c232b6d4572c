"""Dataset-level rules: properties of the release as a whole, with thresholds from the YAML config."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as arrow

from pipeline.quality.model import CheckResult, Example

CATEGORY = "rule"


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _check(name: str, rule: dict, passed: bool, message: str, **kwargs) -> CheckResult:
    return CheckResult(name, CATEGORY, rule["severity"], passed, message, **kwargs)


def _share_rule(name: str, rule: dict, bad: list[Example], whole: int, what: str, table: str,
                column: str | None) -> CheckResult:
    share = _share(len(bad), whole)
    passed = share <= rule["max_share"]
    return _check(name, rule, passed, f"{len(bad)} of {whole} {what} ({share:.1%}; at most "
                  f"{rule['max_share']:.1%} allowed)", table=table, column=column, observed=round(share, 6),
                  threshold=rule["max_share"], failures=0 if passed else len(bad), examples=bad[:5])


def _records(manifest: dict) -> int:
    """Input records behind this release: this run's inputs plus rows carried forward from the parent."""
    counts = manifest.get("counts") or {}
    return (counts.get("inputs") or 0) + (counts.get("carried_forward") or 0)


def _documents(tables: dict[str, arrow.Table], *columns: str) -> dict[str, list] | None:
    docs = tables.get("documents")
    if docs is None or not set(columns) <= set(docs.column_names):
        return None
    return {c: docs[c].to_pylist() for c in ("doc_id", *columns) if c in docs.column_names}


def duplicate_share(tables, manifest, rule, previous) -> CheckResult | None:
    inputs = _records(manifest)
    dupes = tables.get("duplicates")
    if dupes is None or not inputs:
        return None
    rows = dupes.select([c for c in ("doc_id", "source_path") if c in dupes.column_names]).to_pylist()
    bad = [Example(row.get("doc_id"), row.get("source_path")) for row in rows]
    return _share_rule("duplicate_share", rule, bad, inputs,
                       "inputs were duplicates", "duplicates", None)


def _text_facts(tables: dict[str, arrow.Table]) -> dict[str, list] | None:
    """doc_id, a key equal for equal texts, length and blankness of each text: from the texts themselves,
    or from the summary columns the part-by-part gate keeps instead (`text_digest`, `text_length`, ...)."""
    docs = tables.get("documents")
    if docs is None:
        return None
    names = docs.column_names
    if "text" in names:
        texts = docs["text"].to_pylist()
        return {"doc_id": docs["doc_id"].to_pylist(), "key": texts,
                "length": [len(t) if t is not None else None for t in texts],
                "blank": [not (t or "").strip() for t in texts]}
    if {"text_digest", "text_length", "text_blank"} <= set(names):
        return {"doc_id": docs["doc_id"].to_pylist(), "key": docs["text_digest"].to_pylist(),
                "length": docs["text_length"].to_pylist(), "blank": docs["text_blank"].to_pylist()}
    return None


def duplicate_texts(tables, manifest, rule, previous) -> CheckResult | None:
    docs = _text_facts(tables)
    if docs is None:
        return None
    first: dict[str, str] = {}
    bad = []
    for doc_id, key in zip(docs["doc_id"], docs["key"], strict=True):
        if key is None:
            continue
        if key in first:
            bad.append(Example(doc_id, f"same text as {first[key]}"))
        else:
            first[key] = doc_id
    return _share_rule("duplicate_texts", rule, bad, len(docs["doc_id"]),
                       "published documents repeat another document's text", "documents", "text")


def empty_documents(tables, manifest, rule, previous) -> CheckResult | None:
    docs = _text_facts(tables)
    if docs is None:
        return None
    bad = [Example(d, f"{n or 0} chars, blank") for d, n, blank in zip(docs["doc_id"], docs["length"], docs["blank"],
                                                                     strict=True) if blank]
    return _share_rule("empty_documents", rule, bad, len(docs["doc_id"]), "documents are empty", "documents",
                       "text")


def short_documents(tables, manifest, rule, previous) -> CheckResult | None:
    docs = _text_facts(tables)
    if docs is None:
        return None
    bad = [Example(d, f"{n} chars") for d, n in zip(docs["doc_id"], docs["length"], strict=True)
           if n is not None and n < rule["min_chars"]]
    return _share_rule("short_documents", rule, bad, len(docs["doc_id"]),
                       f"documents are shorter than {rule['min_chars']} characters", "documents", "text")


def language_share(tables, manifest, rule, previous) -> CheckResult | None:
    docs = _documents(tables, "language")
    if docs is None:
        return None
    known = [(d, lang) for d, lang in zip(docs["doc_id"], docs["language"], strict=True) if lang]
    if not known:
        return _check("language_share", rule, True, "no document has a language recorded: nothing to check",
                      table="documents", column="language", observed=None, threshold=rule["min_share"])
    expected = set(rule["expected"])
    bad = [Example(d, lang) for d, lang in known if lang not in expected]
    share = 1 - _share(len(bad), len(known))
    passed = share >= rule["min_share"]
    return _check("language_share", rule, passed, f"{share:.1%} of {len(known)} documents with a language are in "
                  f"{sorted(expected)} (at least {rule['min_share']:.1%} required)", table="documents",
                  column="language", observed=round(share, 6), threshold=rule["min_share"],
                  failures=0 if passed else len(bad), examples=bad[:5])


def published_dates(tables, manifest, rule, previous) -> CheckResult | None:
    docs = _documents(tables, "published_date")
    if docs is None:
        return None
    low = date.fromisoformat(rule["min_date"])
    high = datetime.now(UTC).date() + timedelta(days=rule["max_future_days"])
    bad = []
    for doc_id, value in zip(docs["doc_id"], docs["published_date"], strict=True):
        if value is None:
            continue
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            bad.append(Example(doc_id, f"{value} (not a date)"))
            continue
        if day < low:
            bad.append(Example(doc_id, f"{value} (before {low})"))
        elif day > high:
            bad.append(Example(doc_id, f"{value} (in the future)"))
    result = _share_rule("published_dates", rule, bad, len(docs["doc_id"]),
                         f"documents have a published_date outside [{low}, {high}]", "documents", "published_date")
    return result


def quarantine_share(tables, manifest, rule, previous) -> CheckResult | None:
    inputs = _records(manifest)
    quarantine = tables.get("quarantine")
    if quarantine is None or not inputs:
        return None
    columns = quarantine.column_names
    bad = [Example(row.get("doc_id"), f"{row.get('source_path')}: {row.get('reason')}")
           for row in quarantine.select([c for c in ("doc_id", "source_path", "reason") if c in columns]).to_pylist()]
    return _share_rule("quarantine_share", rule, bad, inputs, "inputs were quarantined", "quarantine", "reason")


def row_count_change(tables, manifest, rule, previous) -> CheckResult | None:
    docs = tables.get("documents")
    if docs is None:
        return None
    parent = manifest.get("parent_version")
    if previous is None:
        note = "first release: nothing to compare" if not parent else f"previous version {parent} not found"
        return _check("row_count_change", rule, True, note, table="documents", observed=None)
    before = (previous.get("tables") or {}).get("documents", {}).get("rows")
    if not before:
        return _check("row_count_change", rule, True, f"previous version {parent} has no documents",
                      table="documents", observed=None)
    change = (docs.num_rows - before) / before  # documents here may be the gate's summary: one row a document
    too_low = rule["max_drop"] is not None and change < -rule["max_drop"]
    too_high = rule["max_growth"] is not None and change > rule["max_growth"]
    passed = not (too_low or too_high)
    return _check("row_count_change", rule, passed, f"documents {before} in {parent} -> {docs.num_rows} "
                  f"({change:+.1%}; allowed drop {rule['max_drop']}, growth {rule['max_growth']})",
                  table="documents", observed=round(change, 6),
                  threshold={"max_drop": rule["max_drop"], "max_growth": rule["max_growth"]},
                  failures=0 if passed else 1)


RULES = {f.__name__: f for f in (duplicate_share, duplicate_texts, empty_documents, short_documents,
                                  language_share, published_dates, quarantine_share, row_count_change)}


def rule_checks(tables: dict[str, arrow.Table], manifest: dict, rules: dict[str, dict],
                previous: dict | None) -> list[CheckResult]:
    results = []
    for name, rule in rules.items():
        if rule.get("enabled", True):
            result = RULES[name](tables, manifest, rule, previous)
            if result is not None:
                results.append(result)
    return results
