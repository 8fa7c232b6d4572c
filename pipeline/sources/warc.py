"""WARC / WARC.gz files (Common Crawl and crawler output): one document per HTML response record.

Records that carry a page (`response`, `resource`, `revisit`) are inputs: an HTML one becomes a document
with its target URI and fetch date; any other is quarantined with the reason `not_html` (or `no_article`
for an HTTP error or redirect), so the books of the build still balance. Records that only describe other
records (`warcinfo`, `request`, `metadata`) are not inputs and are skipped. Each record's doc_id is the
sha256 of its own payload, and its source path names the record: `crawl.warc.gz#record-3`.
"""

from __future__ import annotations

import hashlib
import io
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
from pipeline.sources.inflate import GZIP_MAGIC, GzipStream, InputError
from pipeline.sources.text import decode_bytes

PAGE_RECORDS = {"response", "resource", "revisit"}
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@contextmanager
def _open(item: InputFile):
    """(stream, its GzipStream or None): warcio itself would read a cut-off gzip member as a short one."""
    with (fsspec.open(item.path, "rb") if is_url(item.path) else open(Path(item.path), "rb")) as handle:
        compressed = handle.read(2) == GZIP_MAGIC
        handle.seek(0)
        gz = GzipStream(handle) if compressed else None
        yield (io.BufferedReader(gz, buffer_size=1 << 16) if gz else handle), gz


def read_warc_file(item: InputFile, limits: Limits) -> Iterator[Document | Rejection]:
    """Every page record; a WARC cut off or corrupt ends with one rejection for the record it broke in."""
    number, whole = 0, True  # the last record started, and whether it was read to its end
    try:
        with _open(item) as (stream, gz):
            for number, record in enumerate(ArchiveIterator(stream), start=1):
                whole = False
                result = _read_record(item, number, record, limits) if record.rec_type in PAGE_RECORDS else None
                missing = _drain(record)
                if missing:
                    if gz is not None:
                        gz.finish()  # the gzip data's own reason, when it is what stopped short
                    raise InputError("truncated_warc", f"the file stops {missing} bytes before the end of the "
                                                       "record (a cut-off file)")
                whole = True
                if result is not None:
                    yield result
            if gz is not None:
                gz.finish()  # stopped between records: the rest of the file did not inflate
    except (InputError, ArchiveLoadFailed, OSError, ValueError, EOFError) as error:
        broken = number + whole  # the record being read when it failed, or the next one
        where = f"{item.relative_path}#record-{broken}"
        if isinstance(error, InputError):  # a cut-off gzip member is a cut-off WARC
            reason = "truncated_warc" if error.reason == "truncated_gzip" else error.reason
            detail = error.detail
        else:
            reason, detail = "malformed_warc", f"{type(error).__name__}: {error}"
        yield Rejection(where, "read", reason, f"{where}: the WARC cannot be read past record {broken - 1}: "
                                               f"{detail}", source_sha256=item.sha256)


def _drain(record) -> int:
    """Read what is left of a record; the bytes its Content-Length promised that never came (0 if whole)."""
    raw = record.raw_stream
    while raw.read(1 << 16):
        pass
    return raw.limit


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
        return reject("record_too_large", f"payload over the limit of {limits.max_file_bytes} bytes set by "
                                          "limits.max_file_bytes (the rest of the record was skipped)")
    if status and not str(status).startswith("2"):
        return reject("no_article", f"HTTP status {status}: no article on an error or redirect response", payload)
    is_html = any(kind in content_type.lower() for kind in _HTML_TYPES) or (
        not content_type and sniff_format(payload[:4096]) == "html")
    if not is_html:
        return reject("not_html", f"content type {content_type or 'unknown'!r} is not HTML", payload)
    try:
        text, encoding = _decode(payload, content_type)
    except InputError as error:
        return reject(error.reason, error.detail, payload)
    if len(text) > limits.max_document_chars:
        return reject("document_too_large", f"{len(text)} characters, over the limit of {limits.max_document_chars} "
                                            "set by limits.max_document_chars", payload)
    return Document(doc_id=content_id(payload), source_path=where, raw_text=text, encoding=encoding,
                    source_sha256=hashlib.sha256(payload).hexdigest(), input_format="html", url=url,
                    fetch_date=fetched)


def _decode(payload: bytes, content_type: str) -> tuple[str, str]:
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
