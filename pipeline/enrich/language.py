"""Language of each document with lingua (its models ship in the wheel: nothing is downloaded).

Building a lingua detector loads n-gram models and takes seconds, so it is built once per process and
language set, restricted to the configured languages (fewer candidates: faster and fewer confusions).
"""

from __future__ import annotations

from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

from pipeline.base import DocumentStep
from pipeline.document import Document

SAMPLE_CHARS = 1_000  # the start of an article decides its language: 3,000 cost 6 ms a document, this 2.9 ms,
# and gave the same language on all 88 multilingual pages of the extraction benchmark


@lru_cache(maxsize=4)
def detector(languages: tuple[str, ...]) -> LanguageDetector:
    codes = []
    for code in languages:
        try:
            codes.append(getattr(IsoCode639_1, code.upper()))
        except AttributeError:
            raise ValueError(f"enrich.languages: lingua does not know the ISO 639-1 code {code!r}") from None
    if len(codes) < 2:  # lingua needs at least two candidates
        raise ValueError("enrich.languages must name at least two languages")
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def detect(text: str, languages: tuple[str, ...]) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, confidence in [0, 1]) of the most likely language, or (None, None) when lingua abstains."""
    values = detector(languages).compute_language_confidence_values(text[:SAMPLE_CHARS])
    if not values or values[0].value <= 0:
        return None, None
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), round(float(best.value), 4)


class LanguageStep(DocumentStep):
    """Sets `doc.language` (later steps pick their models by it) and the `language_score` column."""

    name = "enrich"

    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = tuple(languages)

    def process(self, doc: Document) -> Document:
        doc.language, score = detect(doc.text, self.languages)
        doc.columns["language_score"] = score
        return doc
