"""Checking a release part by part: results of the same check on every part become one result, and the few
columns of documents that dataset-wide checks need are kept while the texts are let go."""

from __future__ import annotations

import hashlib
from collections import Counter

import pyarrow as arrow

from pipeline.quality.model import ERROR, MAX_EXAMPLES, CheckResult, Example

WHOLE_TABLES = {"documents", "quarantine", "duplicates"}  # documents as a summary, the others whole (small)
CROSS_PART_REFERENCES = {"duplicates"}  # a copy may sit in another part than the document it repeats
SUMMARY_COLUMNS = ("doc_id", "language", "published_date")


def document_summary(documents: arrow.Table, entities: arrow.Table | None = None) -> arrow.Table:
    """What the dataset rules and the report need of each document: ids, language, date, and of the text
    only its length, whether it is blank and a digest (equal texts have equal digests)."""
    columns = {name: documents[name] for name in SUMMARY_COLUMNS if name in documents.column_names}
    if "text" in documents.column_names:
        texts = documents["text"].to_pylist()
        columns["text_length"] = arrow.array([len(t) if t is not None else None for t in texts], arrow.int64())
        columns["text_blank"] = arrow.array([not (t or "").strip() for t in texts], arrow.bool_())
        columns["text_digest"] = arrow.array(
            [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() if t is not None else None
             for t in texts], arrow.string())
    if entities is not None and "doc_id" in entities.column_names and "doc_id" in documents.column_names:
        per_doc = Counter(entities["doc_id"].to_pylist())
        columns["n_entities"] = arrow.array([per_doc.get(d, 0) for d in documents["doc_id"].to_pylist()],
                                            arrow.int64())
    return arrow.table(columns)


def unique_across_parts(summary: arrow.Table) -> list[CheckResult]:
    """Each part's contract sees its own rows only: a doc_id in two parts is caught here."""
    if "doc_id" not in summary.column_names:
        return []
    counts = Counter(summary["doc_id"].to_pylist())
    repeated = sorted(d for d, n in counts.items() if n > 1)
    if not repeated:
        return [CheckResult("doc_id_unique_across_files", "integrity", ERROR, True,
                            "every doc_id appears in one file of documents", table="documents", column="doc_id")]
    return [CheckResult("doc_id_unique_across_files", "integrity", ERROR, False,
                        f"{len(repeated)} doc_ids appear in more than one file of documents",
                        table="documents", column="doc_id", observed=len(repeated), threshold=0,
                        failures=len(repeated), examples=[Example(d, d) for d in repeated[:MAX_EXAMPLES]])]


class MergedResults:
    """One result per check over all parts: failures added up, the first examples kept."""

    def __init__(self) -> None:
        self._groups: dict[tuple, list[CheckResult]] = {}

    def add(self, results: list[CheckResult]) -> None:
        for result in results:
            key = (result.name, result.category, result.severity, result.table, result.column, result.file)
            self._groups.setdefault(key, []).append(result)

    def results(self) -> list[CheckResult]:
        return [_merge(group) for group in self._groups.values()]


def _total(values: list) -> object:
    return sum(values) if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values) \
        else values[0] if values else None


def _merge(group: list[CheckResult]) -> CheckResult:
    if len(group) == 1:
        return group[0]
    failed = [r for r in group if not r.passed]
    first = failed[0] if failed else group[0]
    observed = _total([r.observed for r in (failed or group)])
    if failed:
        failures = sum(r.failures for r in failed)
        message = first.message if len(failed) == 1 else (
            f"{first.message} (and in {len(failed) - 1} more part(s): {failures} failures in all)")
        examples = [e for r in failed for e in r.examples][:MAX_EXAMPLES]
        return CheckResult(first.name, first.category, first.severity, False, message, first.table, first.column,
                           first.file, observed, first.threshold, failures, examples)
    message = first.message
    if isinstance(first.observed, int) and message.startswith(f"{first.observed} "):
        message = f"{observed}{message[len(str(first.observed)):]}"
    return CheckResult(first.name, first.category, first.severity, True, message, first.table, first.column,
                       first.file, observed, first.threshold, 0, [])
