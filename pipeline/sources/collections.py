"""Collections: JSONL, CSV/TSV and Parquet files with one article per row, each row its own record.

The columns holding the text (or the page's HTML), URL, title and date are configurable (BuildConfig's
`*_column` settings); by default the first present of the usual names is used. A row with HTML is
extracted like an HTML page, a row with text is cleaned like a page dump (plain articles come through
whole). A malformed line or a row with neither goes to quarantine; the good rows of the file still count.
Each row's doc_id is the sha256 of its own content; its source path names it (`news.jsonl#L12`,
`news.csv#row-3`, `news.parquet#row-3`).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime

import pyarrow.parquet as pq
from dateutil import parser as dateparser

from pipeline.config import BuildConfig
from pipeline.document import Document, Rejection, content_id
from pipeline.sources.csv_rows import csv_rows
from pipeline.sources.discover import InputFile
from pipeline.sources.inflate import InputError
from pipeline.sources.text import decode_bytes, read_bytes

DEFAULT_COLUMNS = {
    "html": ("html", "raw_html", "content_html", "page_html"),
    "text": ("text", "content", "body", "article", "articleBody", "article_body", "maintext"),
    "url": ("url", "link", "uri", "source_url", "target_uri"),
    "title": ("title", "headline"),
    "date": ("published_date", "date", "date_publish", "published", "publish_date", "datePublished"),
}


def column_names(config: BuildConfig) -> dict[str, tuple[str, ...]]:
    """The names looked up for each role: the configured one alone, or the defaults."""
    chosen = {"html": config.html_column, "text": config.text_column, "url": config.url_column,
              "title": config.title_column, "date": config.date_column}
    return {role: (name,) if name else DEFAULT_COLUMNS[role] for role, name in chosen.items()}


def read_collection_file(item: InputFile, config: BuildConfig, fmt: str) -> Iterator[Document | Rejection]:
    """One record per row; a file that cannot be read at all (size, gzip, encoding) is one rejection."""
    try:
        data = read_bytes(item, config.limits)
        if not data.strip():
            raise InputError("empty_file", "the file holds no rows")
        text = None if fmt == "parquet" else decode_bytes(data)[0]
    except InputError as error:
        yield Rejection(item.relative_path, "read", error.reason, f"{item.relative_path}: {error.detail}",
                        source_sha256=item.sha256)
        return
    rows = _parquet_rows(data) if text is None else _text_rows(text, fmt, item.relative_path)
    names = column_names(config)
    limit = config.limits.max_document_chars
    for where, row in rows:
        source = f"{item.relative_path}#{where}"
        if isinstance(row, str):  # a line that could not be parsed: the reason
            yield Rejection(source, "read", "malformed_record", f"{source}: {row}", source_sha256=item.sha256)
        else:
            yield _row_document(source, row, names, limit)


def _text_rows(text: str, fmt: str, name: str) -> Iterable[tuple[str, dict | str]]:
    if fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as error:
                yield f"L{number}", f"not valid JSON ({error})"
                continue
            yield f"L{number}", row if isinstance(row, dict) else f"a JSON {type(row).__name__}, not an object"
        return
    delimiter = "\t" if name.lower().removesuffix(".gz").endswith(".tsv") else ","
    yield from csv_rows(text, delimiter)


def _parquet_rows(data: bytes) -> Iterable[tuple[str, dict | str]]:
    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
    except Exception as error:  # pyarrow raises several types for a corrupt file
        yield "row-1", f"not a readable Parquet file ({type(error).__name__}: {error})"
        return
    number = 0
    for batch in parquet.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            number += 1
            yield f"row-{number}", row


def _first(row: dict, names: tuple[str, ...]):
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return value
    return None


def _row_document(source: str, row: dict, names: dict[str, tuple[str, ...]], limit: int) -> Document | Rejection:
    html, text = _first(row, names["html"]), _first(row, names["text"])
    content = html if isinstance(html, str) and html.strip() else text
    if not isinstance(content, str) or not content.strip():
        looked = ", ".join(names["html"] + names["text"])
        return Rejection(source, "read", "missing_text", f"{source}: no text or HTML in any of the columns {looked}")
    if len(content) > limit:
        return Rejection(source, "read", "document_too_large", f"{source}: {len(content)} characters, over the "
                                                               f"limit of {limit} set by limits.max_document_chars")
    title, url = _first(row, names["title"]), _first(row, names["url"])
    return Document(
        doc_id=content_id(content), source_path=source, raw_text=content, encoding="utf-8",
        source_sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        input_format="html" if content is html else "dump",
        title=str(title).strip() or None if title is not None else None,
        url=str(url).strip() or None if url is not None else None,
        published_date=iso_date(_first(row, names["date"])),
    )


def iso_date(value) -> str | None:
    """A date column's value in ISO form; None when it is missing or not a date."""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.utcfromtimestamp(value / 1000 if value > 1e11 else value).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        try:
            return dateparser.parse(value.strip()).date().isoformat()
        except (ValueError, OverflowError):
            return None
    return None
