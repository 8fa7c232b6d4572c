"""WARC / WARC.gz files (Common Crawl and crawler output): one document per HTML response record.

Records that carry a page (`response`, `resource`, `revisit`) are inputs: an HTML one becomes a document
with its target URI and fetch date; any other is quarantined with the reason `not_html` (or `no_article`
for an HTTP error or redirect), so the books of the build still balance. Records that only describe other
records (`warcinfo`, `request`, `metadata`) are not inputs and are skipped. Each record's doc_id is the
sha256 of its own payload, and its source path names the record: `crawl.warc.gz#record-3`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import fsspec
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from pipeline.config import Limits
from pipeline.document import Document, Rejection, content_id
from pipeline.sources.discover import InputFile, is_url
from pipeline.sources.formats import sniff_format
from pipeline.sources.text import decode_bytes

PAGE_RECORDS = {"response", "resource", "revisit"}
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@contextmanager
def _open(item: InputFile):
    if is_url(item.path):
        with fsspec.open(item.path, "rb") as handle:
            yield handle
    else:
        with open(Path(item.path), "rb") as handle:
            yield handle


def read_warc_file(item: InputFile, limits: Limits) -> Iterator[Document | Rejection]:
    number = 0
    try:
        with _open(item) as stream:
            for number, record in enumerate(ArchiveIterator(stream), start=1):
                if record.rec_type in PAGE_RECORDS:
                    yield _read_record(item, number, record, limits)
    except (ArchiveLoadFailed, OSError, ValueError, EOFError) as error:
        where = f"{item.relative_path}#record-{number + 1}"
        yield Rejection(where, "read", "malformed_warc",
                        f"{where}: the WARC cannot be read past record {number}: {type(error).__name__}: {error}",
                        source_sha256=item.sha256)


def _read_record(item: InputFile, number: int, record, limits: Limits) -> Document | Rejection:
    where = f"{item.relative_path}#record-{number}"
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    fetched = (headers.get_header("WARC-Date") or "")[:10] or None
    http = record.http_headers
    content_type = (http.get_header("Content-Type") if http else None) or headers.get_header("Content-Type") or ""
    status = http.get_statuscode() if http is not None and record.rec_type != "resource" else None

    def reject(reason: str, detail: str, payload: bytes | None = None) -> Rejection:
        digest = hashlib.sha256(payload).hexdigest() if payload else None
        return Rejection(where, "read", reason, f"{where} ({url}): {detail}",
                         doc_id=content_id(payload) if payload else None, source_sha256=digest)

    if record.rec_type == "revisit":
        return reject("not_html", "a revisit record (the payload is stored in an earlier record)")
    payload = record.content_stream().read(limits.max_file_bytes + 1)
    if len(payload) > limits.max_file_bytes:
        return reject("file_too_large", f"payload over the limit of {limits.max_file_bytes} bytes")
    if status and not str(status).startswith("2"):
        return reject("no_article", f"HTTP status {status}: no article on an error or redirect response", payload)
    is_html = any(kind in content_type.lower() for kind in _HTML_TYPES) or (
        not content_type and sniff_format(payload[:4096]) == "html")
    if not is_html:
        return reject("not_html", f"content type {content_type or 'unknown'!r} is not HTML", payload)
    text, encoding = _decode(payload, content_type)
    if text is None:
        return reject("undecodable", encoding, payload)
    return Document(doc_id=content_id(payload), source_path=where, raw_text=text, encoding=encoding,
                    source_sha256=hashlib.sha256(payload).hexdigest(), input_format="html", url=url,
                    fetch_date=fetched)


def _decode(payload: bytes, content_type: str) -> tuple[str | None, str]:
    """The charset the server declared, when it decodes the payload; else the usual detection."""
    for part in content_type.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip("\"' ").lower()
            try:
                return payload.decode(charset), charset
            except (LookupError, UnicodeDecodeError):
                break
    return decode_bytes(payload)
