"""Decode a text or HTML file (optionally gzipped): UTF-8 first, then charset detection; refuse what is not text.

Every refusal is an `InputError` with a precise reason code, turned into a quarantine row naming the file.
Sizes are checked before anything is held in memory: the file's size on disk (`limits.max_file_bytes`),
the inflated size of gzip data (`limits.max_decompressed_bytes`) and the decoded length
(`limits.max_document_chars`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import charset_normalizer

from pipeline.config import Limits
from pipeline.document import Document, Rejection, content_id
from pipeline.sources.discover import InputFile, read_input_bytes
from pipeline.sources.inflate import InputError, gunzip, is_gzip

_BOMS = (("utf-32", b"\xff\xfe\x00\x00"), ("utf-32", b"\x00\x00\xfe\xff"),
         ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))
_SAMPLE = 65536
_MAX_NUL_SHARE = 0.01  # more NUL bytes than this (and 8) in the first 64 KiB: a binary file, not stray NULs
_MAX_CONTROL_SHARE = 0.05
_MIN_DETECTION_BYTES = 2048


def check_file_size(item: InputFile, limits: Limits) -> None:
    """Checked on the size the file system reports, before a byte is read."""
    if item.size > limits.max_file_bytes:
        raise InputError("file_too_large", f"{item.size} bytes, over the limit of {limits.max_file_bytes} bytes "
                                           "set by limits.max_file_bytes (the file was not read)")


def read_bytes(item: InputFile, limits: Limits) -> bytes:
    """The file's bytes, inflated when they are gzip data, within the limits."""
    check_file_size(item, limits)
    try:
        data = read_input_bytes(item)
    except OSError as error:
        raise InputError("unreadable", f"cannot be read: {error.strerror or error}") from None
    return gunzip(data, limits.max_decompressed_bytes) if is_gzip(data) else data


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # C0 controls other than tab, line and page breaks
_CONTROL_CHARS = tuple(map(chr, [*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20)]))


def _control_share(text: str) -> float:
    sample = text[:_SAMPLE]
    # (one memchr scan per control character: cheaper than a regex, which tests every character in turn)
    if not sample or not any(control in sample for control in _CONTROL_CHARS):
        return 0.0
    return len(_CONTROL.findall(sample)) / len(sample)


def _check_nul_bytes(data: bytes) -> None:
    """NUL bytes never occur in text: a few among text are a corrupt write; many are a binary file."""
    first = data.find(b"\x00")
    if first < 0:
        return
    sample = data[:_SAMPLE]
    if sample.count(b"\x00") > max(8, _MAX_NUL_SHARE * len(sample)) or _control_share(
            sample.replace(b"\x00", b"").decode("utf-8", errors="replace")) > _MAX_CONTROL_SHARE:
        raise InputError("binary_file", "binary content (NUL bytes and control characters)")
    count = data.count(b"\x00")
    raise InputError("nul_bytes", f"{count} NUL bytes (the first at byte {first}) in otherwise text content: "
                                  "a corrupt or partly overwritten file")


def _detect(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data[:1_000_000]).best()
    return best.encoding if best is not None else None


def _holds_utf8(line: bytes) -> bool:
    """Whether a line that is not valid UTF-8 still holds UTF-8 sequences (UTF-8 with a few bad bytes)."""
    return any(ord(ch) > 127 and ch != "\ufffd" for ch in line.decode("utf-8", errors="replace"))


def _legacy_encoding(sample: bytes) -> str:
    """Detection needs a few KiB to tell the 8-bit code pages apart; below that, cp1252 (the usual legacy
    encoding of Western pages) is assumed when it decodes the bytes."""
    detected = _detect(sample) if len(sample) >= _MIN_DETECTION_BYTES else None
    if detected:
        return detected
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return _detect(sample) or "latin-1"


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """A file whose lines are partly UTF-8, partly a legacy encoding (concatenated or patched files).

    Each line is decoded on its own: as UTF-8 when it is; as UTF-8 with U+FFFD for the bad bytes when it
    holds UTF-8 sequences beside them; else in the encoding detected on those other lines together. None
    when no line holds any UTF-8 (then the whole file is in one legacy encoding).
    """
    kinds, lines = [], data.split(b"\n")
    for line in lines:
        try:
            line.decode("utf-8")
            kinds.append("ascii" if line.isascii() else "utf-8")
        except UnicodeDecodeError:
            kinds.append("replaced" if _holds_utf8(line) else "legacy")
    if not {"utf-8", "replaced"} & set(kinds):
        return None
    sample = b"\n".join(line for kind, line in zip(kinds, lines, strict=True) if kind == "legacy")
    legacy = _legacy_encoding(sample) if sample else None
    decoded = []
    for kind, line in zip(kinds, lines, strict=True):
        if kind == "legacy":
            try:
                decoded.append(line.decode(legacy))
            except (UnicodeDecodeError, LookupError):
                decoded.append(line.decode("latin-1"))  # never fails; the cleaner's mojibake repair may still help
        else:
            decoded.append(line.decode("utf-8", errors="replace"))
    label = "+".join(["utf-8", *([legacy] if legacy else []), *(["replaced"] if "replaced" in kinds else [])])
    return "\n".join(decoded).removeprefix("\ufeff"), label


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding), or raise an InputError saying why the bytes are not text."""
    for encoding, bom in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise InputError("undecodable", f"invalid {encoding} after a byte-order mark") from None
    _check_nul_bytes(data)
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed
    encoding = _detect(data)
    if encoding is None:
        raise InputError("undecodable", "not text in any known encoding")
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        raise InputError("undecodable", f"charset detection guessed {encoding} but the file does not decode "
                                        "with it") from None


def _document(item: InputFile, limits: Limits, input_format: str) -> Document:
    if item.size == 0:
        raise InputError("empty_file", "the file is empty (0 bytes)")
    data = read_bytes(item, limits)
    text, encoding = decode_bytes(data)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise InputError("binary_file", f"decodes as {encoding} but is mostly control characters")
    if not text.strip():
        raise InputError("empty_file", "the file holds only white space")
    if len(text) > limits.max_document_chars:
        raise InputError("document_too_large", f"{len(text)} characters, over the limit of "
                                               f"{limits.max_document_chars} set by limits.max_document_chars")
    return Document(doc_id=content_id(data), source_path=item.relative_path, raw_text=text, encoding=encoding,
                    source_sha256=item.sha256, input_format=input_format)


def read_text_file(item: InputFile, limits: Limits, input_format: str = "dump") -> Iterator[Document | Rejection]:
    """One document per text (or, with input_format="html", HTML) file; anything unreadable is a Rejection."""
    try:
        yield _document(item, limits, input_format)
    except InputError as error:
        yield Rejection(item.relative_path, "read", error.reason, f"{item.relative_path}: {error.detail}",
                        source_sha256=item.sha256)
