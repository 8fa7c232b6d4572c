"""Read one input file with the reader its format needs; a reader's failure costs that file, not the run."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.config import BuildConfig
from pipeline.document import Document, Rejection
from pipeline.redact import scrub
from pipeline.sources.collections import read_collection_file
from pipeline.sources.discover import InputFile, read_input_bytes
from pipeline.sources.formats import detect_format
from pipeline.sources.inflate import InputError
from pipeline.sources.text import read_text_file
from pipeline.sources.warc import read_warc_file


def input_format(item: InputFile, config: BuildConfig) -> str:
    if config.input_format != "auto":
        return detect_format(item.relative_path, b"", config.input_format)
    head = b""
    if not any(item.relative_path.lower().removesuffix(".gz").endswith(s) for s in _KNOWN):
        head = read_input_bytes(item, 4096)  # only unknown names are sniffed, from their first bytes
    return detect_format(item.relative_path, head)


_KNOWN = (".txt", ".text", ".html", ".htm", ".xhtml", ".warc", ".arc", ".jsonl", ".ndjson", ".json", ".csv", ".tsv",
          ".parquet", ".pq")


def read_input(item: InputFile, config: BuildConfig) -> Iterator[Document | Rejection]:
    """Every record of one input: documents, and rejections naming the file (or record) and the reason."""
    if item.problem is not None:
        reason, detail = item.problem
        yield Rejection(item.relative_path, "read", reason, f"{item.relative_path}: {detail}")
        return
    try:
        fmt = input_format(item, config) if item.size else "text"
        if fmt == "warc":
            yield from read_warc_file(item, config.limits)
        elif fmt in ("jsonl", "csv", "parquet"):
            yield from read_collection_file(item, config, fmt)
        else:
            yield from read_text_file(item, config.limits, "html" if fmt == "html" else "dump")
    except InputError as error:
        yield Rejection(item.relative_path, "read", error.reason, f"{item.relative_path}: {error.detail}",
                        source_sha256=item.sha256)
    except Exception as error:  # a reader bug must cost one file, not the run
        yield Rejection(item.relative_path, "read", "reader_error",
                        scrub(f"{item.relative_path}: {type(error).__name__}: {error}"), source_sha256=item.sha256)
