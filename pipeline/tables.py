"""Turn processed documents and rejections into the Arrow tables of a release."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyarrow as arrow

from pipeline.document import Document, Rejection
from pipeline.schemas import ARROW_SCHEMAS, PER_DOCUMENT_TABLES

_WORD = re.compile(r"\w+")


def documents_to_tables(docs: Iterable[Document]) -> dict[str, arrow.Table]:
    rows: dict[str, list[dict]] = {name: [] for name in PER_DOCUMENT_TABLES}
    for doc in docs:
        for name, extra in doc.rows.items():
            rows[name].extend({"doc_id": doc.doc_id, **row} for row in extra)
        per_paragraph = [0] * len(doc.paragraphs)
        for sentence_index, (paragraph_index, span) in enumerate(doc.sentences):
            per_paragraph[paragraph_index] += 1
            rows["sentences"].append({
                "doc_id": doc.doc_id, "start": span.start, "end": span.end, "text": doc.text[span.start:span.end],
                "sentence_index": sentence_index, "paragraph_index": paragraph_index,
            })
        for paragraph_index, span in enumerate(doc.paragraphs):
            rows["paragraphs"].append({
                "doc_id": doc.doc_id, "start": span.start, "end": span.end, "text": doc.text[span.start:span.end],
                "paragraph_index": paragraph_index, "n_sentences": per_paragraph[paragraph_index],
            })
        rows["removed_lines"].extend(
            {"doc_id": doc.doc_id, "line_number": line.line_number, "text": line.text, "reason": line.reason}
            for line in doc.removed
        )
        rows["documents"].append({
            "doc_id": doc.doc_id, "source_path": doc.source_path, "source_sha256": doc.source_sha256,
            "encoding": doc.encoding, "title": doc.title, "published_date": doc.published_date,
            "image_caption": doc.image_caption, "image_credit": doc.image_credit, "language": doc.language,
            "url": doc.url, "site_name": doc.site_name, "authors": list(doc.authors),
            "extraction_method": doc.extraction_method,
            "text": doc.text, "n_chars": len(doc.text), "n_words": len(_WORD.findall(doc.text)),
            "n_paragraphs": len(doc.paragraphs), "n_sentences": len(doc.sentences), **doc.columns,
        })
    return {name: arrow.Table.from_pylist(table_rows, schema=ARROW_SCHEMAS[name])
            for name, table_rows in rows.items()}


def rejections_to_table(rejections: Iterable[Rejection]) -> arrow.Table:
    rows = [{"source_path": r.source_path, "doc_id": r.doc_id, "source_sha256": r.source_sha256,
             "stage": r.stage, "reason": r.reason, "detail": r.detail} for r in rejections]
    return arrow.Table.from_pylist(rows, schema=ARROW_SCHEMAS["quarantine"])


def empty_table(name: str) -> arrow.Table:
    return ARROW_SCHEMAS[name].empty_table()
