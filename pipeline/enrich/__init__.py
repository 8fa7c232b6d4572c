"""Enrichment: language, entities, quotes and speakers, keywords, quality signals (one step each).

Duplicates are corpus-level and are resolved when shards are merged (`pipeline.dedup`,
`pipeline.publish.release`), not here.
"""

from __future__ import annotations

from pipeline.base import DocumentStep
from pipeline.config import EnrichConfig
from pipeline.enrich.entities import EntitiesStep
from pipeline.enrich.keywords import KeywordsStep
from pipeline.enrich.language import LanguageStep
from pipeline.enrich.nlp import DropAnnotations, ParseStep, needed_components
from pipeline.enrich.quality import QualityStep
from pipeline.enrich.quotes import QuotesStep

__all__ = ["enrich_steps", "language_steps"]


def language_steps(config: EnrichConfig) -> list[DocumentStep]:
    """Runs before segmentation: the sentence splitter and later models choose their rules by language."""
    return [LanguageStep(config.languages)] if config.language else []


def enrich_steps(config: EnrichConfig) -> list[DocumentStep]:
    """The steps after segmentation, in order; what is switched off in the config is not even loaded."""
    steps: list[DocumentStep] = []
    if config.entities or config.quotes:
        steps.append(ParseStep(config.spacy_model, needed_components(config.entities, config.quotes),
                               config.spacy_languages, config.spacy_batch_size, config.max_paragraph_chars))
        steps.append(EntitiesStep(publish=config.entities))
    if config.quotes:
        steps.append(QuotesStep())
    if config.keywords:
        steps.append(KeywordsStep(config.keywords_max_words, config.keywords_top))
    if config.quality:
        steps.append(QualityStep(config.quality_filter))
    steps.append(DropAnnotations())
    return steps
