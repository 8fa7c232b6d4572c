"""Which reader an input needs: detected from its name, then its first bytes; overridable per build."""

from __future__ import annotations

import gzip
import json
import zlib

FORMATS = ("text", "html", "warc", "jsonl", "csv", "parquet")
_BY_SUFFIX = {
    ".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".xhtml": "html", ".warc": "warc",
    ".arc": "warc", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "csv",
    ".parquet": "parquet", ".pq": "parquet",
}
GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress, refusing to inflate past `limit` bytes (a gzip bomb costs one file, not the machine)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit:
        raise ValueError(f"decompresses to more than {limit} bytes")
    if not inflater.eof:
        raise gzip.BadGzipFile("truncated or corrupt gzip data")
    return out


def detect_format(name: str, head: bytes, forced: str = "auto") -> str:
    """The input's format: forced if given, else by suffix (a trailing .gz ignored), else by content."""
    if forced != "auto":
        if forced not in FORMATS:
            raise ValueError(f"unknown input format {forced!r}; expected auto or one of {', '.join(FORMATS)}")
        return forced
    lowered = name.lower()
    stem = lowered[:-3] if lowered.endswith(".gz") else lowered
    for suffix, fmt in _BY_SUFFIX.items():
        if stem.endswith(suffix):
            return fmt
    return sniff_format(head)


def sniff_format(head: bytes) -> str:
    """Guess from the first bytes (already decompressed for gzip, except WARC which stays compressed)."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if is_gzip(head):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 4096)
        except zlib.error:
            return "text"
    if head.startswith(b"WARC/"):
        return "warc"
    sample = head[:4096].decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n").lower()
    if sample.startswith(("<!doctype html", "<html")) or "<html" in sample[:1024]:
        return "html"
    first_line = sample.split("\n", 1)[0].strip()
    if first_line.startswith("{"):
        try:
            json.loads(first_line)
            return "jsonl"
        except ValueError:
            pass
    return "text"
