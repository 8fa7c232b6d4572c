"""Collections: JSONL, CSV/TSV and Parquet files with one article per row, each row its own record.

The columns holding the text (or the page's HTML), URL, title and date are configurable (BuildConfig's
`*_column` settings); by default the first present of the usual names is used. A row with HTML is
extracted like an HTML page, a row with text is cleaned like a page dump (plain articles come through
whole). A malformed line or a row with neither goes to quarantine; the good rows of the file still count.
Each row's doc_id is the sha256 of its own content; its source path names it (`news.jsonl#L12`,
`news.csv#row-3`, `news.parquet#row-3`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import date, datetime

import pyarrow.parquet as pq
from dateutil import parser as dateparser

from pipeline.config import BuildConfig
from pipeline.document import Document, Rejection, content_id
from pipeline.sources.discover import InputFile, read_input_bytes
from pipeline.sources.formats import gunzip, is_gzip
from pipeline.sources.text import decode_bytes

DEFAULT_COLUMNS = {
    "html": ("html", "raw_html", "content_html", "page_html"),
    "text": ("text", "content", "body", "article", "articleBody", "article_body", "maintext"),
    "url": ("url", "link", "uri", "source_url", "target_uri"),
    "title": ("title", "headline"),
    "date": ("published_date", "date", "date_publish", "published", "publish_date", "datePublished"),
}
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # article bodies are longer than csv's 128 KiB default


def column_names(config: BuildConfig) -> dict[str, tuple[str, ...]]:
    """The names looked up for each role: the configured one alone, or the defaults."""
    chosen = {"html": config.html_column, "text": config.text_column, "url": config.url_column,
              "title": config.title_column, "date": config.date_column}
    return {role: (name,) if name else DEFAULT_COLUMNS[role] for role, name in chosen.items()}


def read_collection_file(item: InputFile, config: BuildConfig, fmt: str) -> Iterator[Document | Rejection]:
    def reject(reason: str, detail: str) -> Rejection:
        return Rejection(item.relative_path, "read", reason, f"{item.relative_path}: {detail}",
                         source_sha256=item.sha256)

    if item.size > config.limits.max_file_bytes:
        yield reject("file_too_large", f"{item.size} bytes, over the limit of {config.limits.max_file_bytes}")
        return
    data = read_input_bytes(item)
    if is_gzip(data):
        data = gunzip(data, config.limits.max_file_bytes)
    if not data.strip():
        yield reject("empty_file", "the file holds no rows")
        return
    rows = _parquet_rows(data) if fmt == "parquet" else _text_rows(data, fmt, item.relative_path)
    names = column_names(config)
    for where, row in rows:
        source = f"{item.relative_path}#{where}"
        if isinstance(row, str):  # a line that could not be parsed: the reason
            yield Rejection(source, "read", "malformed_record", f"{source}: {row}", source_sha256=item.sha256)
        else:
            yield _row_document(source, row, names)


def _text_rows(data: bytes, fmt: str, name: str) -> Iterable[tuple[str, dict | str]]:
    text, encoding = decode_bytes(data)
    if text is None:
        yield "L1", f"undecodable file: {encoding}"
        return
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
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, row in enumerate(reader, start=1):
            yield f"row-{number}", row if None not in row else "more fields than the header names"
    except csv.Error as error:
        yield f"row-{reader.line_num}", f"CSV error: {error}"


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


def _row_document(source: str, row: dict, names: dict[str, tuple[str, ...]]) -> Document | Rejection:
    html, text = _first(row, names["html"]), _first(row, names["text"])
    content = html if isinstance(html, str) and html.strip() else text
    if not isinstance(content, str) or not content.strip():
        looked = ", ".join(names["html"] + names["text"])
        return Rejection(source, "read", "missing_text", f"{source}: no text or HTML in any of the columns {looked}")
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
