"""Cross-table integrity, which pandera cannot express: references into documents, and spans that slice
their document exactly. Reported in the same shape as the contract checks."""

from __future__ import annotations

import pyarrow as arrow
import pyarrow.compute as pc

from pipeline.quality.model import ERROR, CheckResult, Example
from pipeline.schemas import PER_DOCUMENT_TABLES, SPAN_TABLES

CATEGORY = "integrity"
# Columns that must name a published document. Per-document tables hang off documents by doc_id;
# duplicates point at the copy that was kept.
REFERENCES = [*((name, "doc_id") for name in PER_DOCUMENT_TABLES if name != "documents"),
              ("duplicates", "duplicate_of")]
# documents.<count column> = rows of <table> for that document.
CHILD_COUNTS = [("n_sentences", "sentences"), ("n_paragraphs", "paragraphs")]


def _result(name: str, table: str, column: str, bad: list[Example], total: int, ok_message: str,
            bad_message: str) -> CheckResult:
    if not bad:
        return CheckResult(name, CATEGORY, ERROR, True, ok_message, table=table, column=column, observed=0)
    return CheckResult(name, CATEGORY, ERROR, False, bad_message.format(n=len(bad), total=total), table=table,
                       column=column, observed=len(bad), threshold=0, failures=len(bad), examples=bad[:5])


def reference_checks(tables: dict[str, arrow.Table]) -> list[CheckResult]:
    documents = tables.get("documents")
    if documents is None or "doc_id" not in documents.column_names:
        return []
    known = documents["doc_id"]
    results = []
    for name, column in REFERENCES:
        table = tables.get(name)
        if table is None or column not in table.column_names:
            continue
        missing = pc.invert(pc.is_in(table[column], value_set=pc.drop_null(known)))
        rows = [i for i, flag in enumerate(missing.to_pylist()) if flag]
        values = table[column].to_pylist()
        bad = [Example(doc_id=values[i], value=values[i], row=i) for i in rows]
        results.append(_result(
            "doc_id_in_documents", name, column, bad, table.num_rows,
            f"every {name}.{column} names a published document",
            f"{{n}} of {{total}} rows of {name} have a {column} that is not in documents (orphans)"))
    return results


def span_checks(tables: dict[str, arrow.Table]) -> list[CheckResult]:
    """Each span lies inside its document (0 <= start < end <= len(text)) and slices it exactly."""
    documents = tables.get("documents")
    if documents is None or not {"doc_id", "text"} <= set(documents.column_names):
        return []
    texts = dict(zip(documents["doc_id"].to_pylist(), documents["text"].to_pylist(), strict=True))
    results = []
    for name in SPAN_TABLES:
        table = tables.get(name)
        if table is None or not {"doc_id", "start", "end", "text"} <= set(table.column_names):
            continue
        outside, mismatch = [], []
        columns = [table[c].to_pylist() for c in ("doc_id", "start", "end", "text")]
        for row, (doc_id, start, end, text) in enumerate(zip(*columns, strict=True)):
            document = texts.get(doc_id)
            if document is None:
                continue  # an orphan: reported by doc_id_in_documents
            if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= len(document):
                outside.append(Example(doc_id, f"[{start}, {end}) in a text of {len(document)} chars", row))
            elif document[start:end] != text:
                mismatch.append(Example(doc_id, f"[{start}, {end}): stored {text!r}, text has "
                                                f"{document[start:end]!r}", row))
        results.append(_result("span_in_document", name, "start, end", outside, table.num_rows,
                               f"every {name} span lies inside its document",
                               f"{{n}} of {{total}} {name} spans lie outside their document's text"))
        results.append(_result("span_text_matches", name, "text", mismatch, table.num_rows,
                               f"documents.text[start:end] == {name}.text for every span",
                               f"{{n}} of {{total}} {name} rows: documents.text[start:end] differs from the "
                               "stored text"))
    return results


def count_checks(tables: dict[str, arrow.Table]) -> list[CheckResult]:
    """documents.n_sentences / n_paragraphs agree with the rows of those tables."""
    documents = tables.get("documents")
    if documents is None or "doc_id" not in documents.column_names:
        return []
    results = []
    for column, child in CHILD_COUNTS:
        table = tables.get(child)
        if table is None or column not in documents.column_names or "doc_id" not in table.column_names:
            continue
        counted: dict = {}
        for doc_id in table["doc_id"].to_pylist():
            counted[doc_id] = counted.get(doc_id, 0) + 1
        bad = [Example(doc_id, f"{column} = {stated}, {child} has {counted.get(doc_id, 0)} rows", row)
               for row, (doc_id, stated) in enumerate(zip(documents["doc_id"].to_pylist(),
                                                          documents[column].to_pylist(), strict=True))
               if stated != counted.get(doc_id, 0)]
        results.append(_result("count_matches_rows", "documents", column, bad, documents.num_rows,
                               f"documents.{column} equals the rows of {child} per document",
                               f"{{n}} of {{total}} documents: {column} differs from the rows in {child}"))
    return results


def integrity_checks(tables: dict[str, arrow.Table]) -> list[CheckResult]:
    return [*reference_checks(tables), *span_checks(tables), *count_checks(tables)]
