"""Validate a shard's tables against their contracts; documents that fail go to quarantine, not away.

pandera checks each table's columns (lazily, so every failure is reported at once); the checks
pandera cannot express across tables (every span slices its document's text exactly) are done here
and reported in the same shape.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandera.errors
import pyarrow as arrow
import pyarrow.compute as pc

from pipeline.schemas import MODELS, PER_DOCUMENT_TABLES, SPAN_TABLES

DOCUMENT_TABLES = PER_DOCUMENT_TABLES


@dataclass(frozen=True)
class Failure:
    table: str
    column: str | None
    check: str
    doc_id: str | None
    value: str | None

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        value = f" (value: {self.value[:80]!r})" if self.value is not None else ""
        return f"{where} failed {self.check}{value}"


def contract_failures(name: str, table: arrow.Table) -> list[Failure]:
    """Every row-level and table-level failure of one table's pandera contract."""
    frame = table.to_pandas()
    try:
        MODELS[name].validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        failures = []
        for case in errors.failure_cases.itertuples(index=False):
            index = case.index
            doc_id = None
            if index is not None and index == index and "doc_id" in frame.columns:  # NaN for table-level failures
                doc_id = frame["doc_id"].iloc[int(index)]
            value = None if case.failure_case is None else str(case.failure_case)
            failures.append(Failure(name, case.column, str(case.check), doc_id, value))
        return failures
    return []


def span_failures(tables: dict[str, arrow.Table]) -> list[Failure]:
    """Spans must lie inside their document and `text[start:end]` must equal the stored span text."""
    texts = dict(zip(tables["documents"]["doc_id"].to_pylist(), tables["documents"]["text"].to_pylist(), strict=True))
    failures = []
    for name in SPAN_TABLES:
        table = tables[name]
        columns = [table[column].to_pylist() for column in ("doc_id", "start", "end", "text")]
        for doc_id, start, end, text in zip(*columns, strict=True):
            document = texts.get(doc_id)
            if document is None:
                failures.append(Failure(name, "doc_id", "doc_id_in_documents", doc_id, doc_id))
            elif end > len(document) or document[start:end] != text:
                failures.append(Failure(name, "start", "span_slices_text", doc_id, f"[{start}, {end})"))
    return failures


def split_valid(tables: dict[str, arrow.Table]) -> tuple[dict[str, arrow.Table], dict[str, list[Failure]]]:
    """(tables without the failing documents, failures by doc_id); a table-level failure fails every document."""
    failures: list[Failure] = []
    for name in DOCUMENT_TABLES:
        failures.extend(contract_failures(name, tables[name]))
    failures.extend(span_failures(tables))
    if not failures:
        return tables, {}
    all_ids = tables["documents"]["doc_id"].to_pylist()
    by_doc: dict[str, list[Failure]] = defaultdict(list)
    for failure in failures:
        for doc_id in [failure.doc_id] if failure.doc_id else all_ids:
            by_doc[doc_id].append(failure)
    bad = arrow.array(sorted(by_doc), arrow.string())
    kept = {name: table.filter(pc.invert(pc.is_in(table["doc_id"], bad))) if name in DOCUMENT_TABLES else table
            for name, table in tables.items()}
    return kept, dict(by_doc)
