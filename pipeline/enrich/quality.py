"""Quality signals in the style of the Gopher (Rae et al. 2021) and C4 (Raffel et al. 2020) rules, and
reading statistics, as `documents` columns; dropping documents on them is opt-in (`QualityFilter`).

Hand-written rather than taken from datatrove: its filters are steps of its own pipeline objects, while
these are a dozen vectorisable counts over one string, and the published values must not change when
another library changes its defaults.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from pipeline.base import DocumentStep
from pipeline.config import QualityFilter
from pipeline.document import Document, Rejection

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_TOKEN = re.compile(r"\S+")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
GOPHER_STOP_WORDS = frozenset({"the", "be", "to", "of", "and", "that", "have", "with"})
TERMINAL = (".", "!", "?", "\"", "”", "’", "'", "…", ")")
ELLIPSES = ("...", "…")
WORDS_PER_MINUTE = 238  # average silent reading speed for non-fiction (Brysbaert 2019)


@lru_cache(maxsize=1 << 16)  # words repeat (Zipf): a cached count cost a tenth of counting again
def _syllables(word: str) -> int:
    """English syllables by vowel groups, a silent final e removed: the usual estimate for Flesch scores."""
    word = word.lower()
    count = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


@lru_cache(maxsize=1 << 16)
def _has_letter(token: str) -> bool:
    return token.isalpha() or any(char.isalpha() for char in token)


def quality_signals(text: str, n_sentences: int, language: str | None) -> dict[str, float | int]:
    tokens = _TOKEN.findall(text)
    words = _WORD.findall(text)
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    n_tokens, n_words, n_lines = len(tokens), len(words), len(lines)
    line_counts = Counter(lines)
    duplicate_lines = sum(count for count in line_counts.values() if count > 1)
    duplicate_chars = sum(len(line) * count for line, count in line_counts.items() if count > 1)
    lower = [word.lower() for word in words]
    signals: dict[str, float | int] = {
        "mean_word_length": round(sum(map(len, words)) / n_words, 4) if n_words else 0.0,
        "symbol_word_ratio": round((text.count("#") + sum(text.count(e) for e in ELLIPSES)) / max(n_tokens, 1), 4),
        "ellipsis_line_ratio": round(sum(line.endswith(ELLIPSES) for line in lines) / max(n_lines, 1), 4),
        "bullet_line_ratio": round(sum(line.startswith(("•", "-", "*", "·", "‣")) for line in lines)
                                   / max(n_lines, 1), 4),
        "punctuated_line_ratio": round(sum(line.endswith(TERMINAL) for line in lines) / max(n_lines, 1), 4),
        "duplicate_line_ratio": round(duplicate_lines / max(n_lines, 1), 4),
        "duplicate_line_char_ratio": round(duplicate_chars / max(len(text), 1), 4),
        "alpha_word_ratio": round(sum(map(_has_letter, tokens)) / max(n_tokens, 1), 4),
        "stop_word_count": sum(1 for word in lower if word in GOPHER_STOP_WORDS),
        "mean_sentence_words": round(n_words / max(n_sentences, 1), 2),
        "reading_time_minutes": round(n_words / WORDS_PER_MINUTE, 2),
    }
    flesch = None
    if (language or "en") == "en" and n_words:
        syllables = sum(map(_syllables, words))
        flesch = round(206.835 - 1.015 * n_words / max(n_sentences, 1) - 84.6 * syllables / n_words, 2)
    signals["flesch_reading_ease"] = flesch
    return signals


def failed_rule(signals: dict, n_words: int, language: str | None, rules: QualityFilter) -> str | None:
    """The first rule a document breaks (its name goes into the quarantine reason), or None."""
    checks = [
        ("min_words", n_words >= rules.min_words),
        ("max_words", n_words <= rules.max_words),
        ("mean_word_length", rules.min_mean_word_length <= signals["mean_word_length"] <= rules.max_mean_word_length),
        ("symbol_word_ratio", signals["symbol_word_ratio"] <= rules.max_symbol_word_ratio),
        ("ellipsis_line_ratio", signals["ellipsis_line_ratio"] <= rules.max_ellipsis_line_ratio),
        ("punctuated_line_ratio", signals["punctuated_line_ratio"] >= rules.min_punctuated_line_ratio),
        ("duplicate_line_ratio", signals["duplicate_line_ratio"] <= rules.max_duplicate_line_ratio),
        ("alpha_word_ratio", signals["alpha_word_ratio"] >= rules.min_alpha_word_ratio),
        # the stop words are English: other languages are not held to them
        ("stop_words", (language or "en") != "en" or signals["stop_word_count"] >= rules.min_stop_words),
    ]
    return next((name for name, passed in checks if not passed), None)


class QualityStep(DocumentStep):
    """Adds the signals as columns; with `rules.enabled`, quarantines documents that break a rule."""

    name = "enrich"

    def __init__(self, rules: QualityFilter) -> None:
        self.rules = rules

    def process(self, doc: Document) -> Document | Rejection:
        signals = quality_signals(doc.text, len(doc.sentences), doc.language)
        doc.columns.update(signals)
        if self.rules.enabled:
            n_words = len(re.findall(r"\w+", doc.text))  # the documents.n_words count
            rule = failed_rule(signals, n_words, doc.language, self.rules)
            if rule:
                return self.reject(doc, f"quality_filter:{rule}",
                                   f"breaks the quality rule {rule} (signals: {signals})")
        return doc
