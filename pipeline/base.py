"""The base of every per-document step: one document's failure becomes a quarantine row, not a crash."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator

from pipeline.document import Document, Rejection
from pipeline.redact import scrub


class DocumentStep(ABC):
    """A small class with a `run` generator (datatrove-style); subclasses write `process` for one document."""

    name = "step"
    seconds = 0.0  # time spent in this step's `process`, for the per-stage figures of a build

    def run(self, docs: Iterable[Document | Rejection]) -> Iterator[Document | Rejection]:
        for doc in docs:
            if isinstance(doc, Rejection):
                yield doc
                continue
            started = time.perf_counter()
            try:
                result = self.process(doc)
            except Exception as error:  # a bug or a pathological input costs one document, not the shard
                result = self.reject(doc, f"{self.name}_error", scrub(f"{type(error).__name__}: {error}"))
            self.seconds += time.perf_counter() - started
            yield result

    @abstractmethod
    def process(self, doc: Document) -> Document | Rejection:
        """Return the document (changed in place or not), or a Rejection saying why it cannot go on."""

    def reject(self, doc: Document, reason: str, detail: str) -> Rejection:
        return Rejection(doc.source_path, self.name, reason, f"{doc.source_path}: {detail}",
                         doc_id=doc.doc_id, source_sha256=doc.source_sha256)
