"""Which reader an input needs: detected from its name, then its first bytes; overridable per build."""

from __future__ import annotations

import json
import zlib

from pipeline.sources.inflate import is_gzip

FORMATS = ("text", "html", "warc", "jsonl", "csv", "parquet")
_BY_SUFFIX = {
    ".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".xhtml": "html", ".warc": "warc",
    ".arc": "warc", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "csv",
    ".parquet": "parquet", ".pq": "parquet",
}


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
