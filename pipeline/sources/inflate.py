"""Streaming gzip with limits: a bomb, a cut-off download or a corrupt member costs one input, with a reason.

`gzip.decompress` inflates everything into memory, and warcio reads a cut-off member as a short one; here
output is produced in bounded pieces, several members are read one after another (as `gzip` writes them),
and a stream that ends inside a member, or whose data does not inflate, ends early and keeps the
`InputError` naming the cause (`finish()` raises it). Ending early rather than raising at once lets a
reader that buffers ahead still use every byte that did inflate.
"""

from __future__ import annotations

import io
import zlib
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
_BLOCK = 1 << 16


class InputError(Exception):
    """An input that cannot be read, with the quarantine reason code and a readable detail."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class GzipStream(io.RawIOBase):
    """A file-like view of the inflated bytes of `raw` (every member), raising `InputError` on bad data."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.pending = b""  # compressed bytes not yet given to the inflater
        self.produced = 0
        self.members = 1
        self.error: InputError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def finish(self) -> None:
        """Raise the problem that ended the stream early, if any."""
        if self.error is not None:
            raise self.error

    def _read(self, size: int) -> bytes:
        if self.error is not None:
            return b""
        try:
            return self._inflate(size)
        except InputError as error:
            self.error = error
            return b""

    def _inflate(self, size: int) -> bytes:
        while True:
            if self.inflater.unconsumed_tail:
                data, self.pending = self.inflater.unconsumed_tail, b""
            else:
                data = self.pending or self.raw.read(_BLOCK)
                self.pending = b""
            if not data:
                if not self.inflater.eof:
                    raise InputError("truncated_gzip", f"the gzip data stops after {self.produced} inflated bytes, "
                                                       f"inside member {self.members} (a cut-off file)")
                return b""
            if self.inflater.eof:  # the last member ended: more bytes start another member, or are junk
                if not data.lstrip(b"\x00"):
                    continue  # zero padding after the last member (tape and block writers add it)
                if not data.startswith(GZIP_MAGIC[: len(data)]):
                    raise InputError("corrupt_gzip", f"{len(data)} bytes after gzip member {self.members} "
                                                     "are not gzip data")
                self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self.members += 1
            try:
                out = self.inflater.decompress(data, size)
            except zlib.error as error:
                raise InputError("corrupt_gzip", f"gzip member {self.members} does not inflate ({error})") from None
            if self.inflater.eof and self.inflater.unused_data:
                self.pending = self.inflater.unused_data
            if out:
                self.produced += len(out)
                return out


def is_gzip(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC


def gunzip(data: bytes, limit: int, setting: str = "limits.max_decompressed_bytes") -> bytes:
    """Inflate in pieces and stop as soon as the output would pass `limit` bytes (memory stays near the limit)."""
    stream = GzipStream(io.BytesIO(data))
    parts, total = [], 0
    while piece := stream.read(min(_BLOCK * 16, limit + 1 - total) or 1):
        parts.append(piece)
        total += len(piece)
        if total > limit:
            raise InputError("decompressed_too_large", f"{len(data)} gzip bytes inflate to more than "
                                                       f"{limit} bytes, the limit set by {setting}")
    stream.finish()
    return b"".join(parts)
