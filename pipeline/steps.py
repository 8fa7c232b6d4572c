"""The per-document steps a shard runs, in order (each a `pipeline.base.DocumentStep`)."""

from __future__ import annotations

from pipeline.base import DocumentStep
from pipeline.chunk import Chunker
from pipeline.clean import Cleaner
from pipeline.config import BuildConfig
from pipeline.segment import Segmenter


def document_steps(config: BuildConfig) -> list[DocumentStep]:
    return [Cleaner(config.limits), Segmenter(), Chunker(config.chunking)]
