"""The per-document steps a shard runs, in order (each a `pipeline.base.DocumentStep`)."""

from __future__ import annotations

from pipeline.base import DocumentStep
from pipeline.chunk import Chunker
from pipeline.clean import Cleaner
from pipeline.config import BuildConfig
from pipeline.enrich import enrich_steps, language_steps
from pipeline.segment import Segmenter


def document_steps(config: BuildConfig) -> list[DocumentStep]:
    return [Cleaner(config.limits), *language_steps(config.enrich), Segmenter(), *enrich_steps(config.enrich),
            Chunker(config.chunking)]
