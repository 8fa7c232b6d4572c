"""Chunks for retrieval and training: runs of whole sentences up to a token budget, as exact spans.

A chunk is `documents.text[start:end]`; it starts at its first sentence's start and ends at its last
sentence's end, so a cut never falls inside a sentence. Consecutive chunks share a configurable number of
sentences. A sentence that alone exceeds the budget is cut at word boundaries into pieces of its own
(`split_sentence` is true for them); only a single "word" longer than the budget (a pasted hash, a run of
symbols) is cut inside (binary search for a long prefix that fits), because the budget is the hard promise.

Packing uses each sentence's own token count plus a token per gap other than one space as an estimate
(`_join_costs`), then counts the chunk's real text and drops sentences from its end until it fits: the
estimate keeps the work linear, the real count makes `n_tokens` exact and the limit hold whatever the
tokenizer does at the joins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.base import DocumentStep
from pipeline.config import Chunking
from pipeline.document import Document, Span, content_id
from pipeline.tokens import TokenCounter, load_tokenizer

LONG_CHARS = 100_000  # over any allowed budget (8192 tokens) for real text: never handed whole to the tokenizer
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class ChunkSpan:
    start: int
    end: int
    first_sentence: int
    last_sentence: int
    n_tokens: int
    split_sentence: bool = False


def _count(counter: TokenCounter, text: str, max_tokens: int) -> int:
    return counter.count(text) if len(text) <= LONG_CHARS else max_tokens + 1


def chunk_document(text: str, sentences: list[Span], counter: TokenCounter, max_tokens: int,
                   overlap: int = 0) -> list[ChunkSpan]:
    """Chunks of one document, in order, each of at most `max_tokens` tokens."""
    counts = [_count(counter, text[s.start:s.end], max_tokens) for s in sentences]
    joins = _join_costs(text, sentences)

    def exact(first: int, last: int) -> int:
        if first == last:
            return counts[first]
        return counter.count(text[sentences[first].start:sentences[last].end])

    chunks: list[ChunkSpan] = []
    previous: tuple[int, int] | None = None  # sentences of the previous whole-sentence chunk
    i = 0
    while i < len(sentences):
        if counts[i] > max_tokens:
            chunks.extend(split_sentence(text, sentences[i], i, counter, max_tokens))
            previous, i = None, i + 1
            continue
        first = max(previous[0] + 1, i - overlap) if previous is not None and overlap else i
        budget = sum(counts[first:i + 1]) + sum(joins[first + 1:i + 1])
        while budget > max_tokens and first < i:  # the overlap must leave room for the new sentence
            budget -= counts[first] + joins[first + 1]
            first += 1
        last = i
        while last + 1 < len(sentences) and budget + joins[last + 1] + counts[last + 1] <= max_tokens:
            last += 1
            budget += joins[last] + counts[last]
        n_tokens = exact(first, last)
        while n_tokens > max_tokens:  # the estimate was short: drop from the end, then the overlap
            if last > i:
                last -= 1
            else:
                first += 1
            n_tokens = exact(first, last)
        chunks.append(ChunkSpan(sentences[first].start, sentences[last].end, first, last, n_tokens))
        previous, i = (first, last), last + 1
    return chunks


def _join_costs(text: str, spans: list[Span]) -> list[int]:
    """Estimated tokens added by joining span j to span j-1: none for one space (BPE folds it into the next
    word's token), one for anything else (newlines, runs of spaces)."""
    return [0] + [0 if text[a.end:b.start] == " " else 1 for a, b in zip(spans, spans[1:], strict=False)]


def split_sentence(text: str, sentence: Span, index: int, counter: TokenCounter,
                   max_tokens: int) -> list[ChunkSpan]:
    """Pieces of one over-long sentence, cut between words (inside a word only if it alone is too long)."""
    words = [Span(m.start(), m.end()) for m in _WORD.finditer(text, sentence.start, sentence.end)]
    counts = [_count(counter, text[w.start:w.end], max_tokens) for w in words]
    joins = _join_costs(text, words)
    pieces: list[ChunkSpan] = []

    def piece(start: int, end: int, n_tokens: int) -> None:
        pieces.append(ChunkSpan(start, end, index, index, n_tokens, split_sentence=True))

    i = 0
    while i < len(words):
        if counts[i] > max_tokens:
            for start, end, n_tokens in _split_word(text, words[i], counter, max_tokens):
                piece(start, end, n_tokens)
            i += 1
            continue
        last, budget = i, counts[i]
        while last + 1 < len(words) and budget + joins[last + 1] + counts[last + 1] <= max_tokens:
            last += 1
            budget += joins[last] + counts[last]
        n_tokens = counts[i] if last == i else counter.count(text[words[i].start:words[last].end])
        while n_tokens > max_tokens:
            last -= 1
            n_tokens = counts[i] if last == i else counter.count(text[words[i].start:words[last].end])
        piece(words[i].start, words[last].end, n_tokens)
        i = last + 1
    return pieces


def _split_word(text: str, word: Span, counter: TokenCounter, max_tokens: int) -> list[tuple[int, int, int]]:
    """A word longer than the budget, in prefixes that fit (binary search; a character always fits)."""
    out, start = [], word.start
    while start < word.end:
        low, high = start + 1, min(word.end, start + LONG_CHARS)
        while low < high:
            middle = (low + high + 1) // 2
            if counter.count(text[start:middle]) <= max_tokens:
                low = middle
            else:
                high = middle - 1
        out.append((start, low, counter.count(text[start:low])))
        start = low
    return out


class Chunker(DocumentStep):
    """Fills `doc.rows["chunks"]` from the document's sentences (run it after the Segmenter)."""

    name = "chunk"

    def __init__(self, settings: Chunking) -> None:
        self.settings = settings

    def process(self, doc: Document) -> Document:
        counter = load_tokenizer(self.settings.tokenizer)  # loaded on first use, once per process
        spans = [span for _, span in doc.sentences]
        chunks = chunk_document(doc.text, spans, counter, self.settings.max_tokens, self.settings.overlap_sentences)
        doc.rows["chunks"] = [
            {"chunk_id": content_id(f"{doc.doc_id}|{c.start}|{c.end}"), "chunk_index": index,
             "start": c.start, "end": c.end, "text": doc.text[c.start:c.end], "n_tokens": c.n_tokens,
             "title": doc.title, "published_date": doc.published_date,
             "first_sentence_index": c.first_sentence, "last_sentence_index": c.last_sentence,
             "split_sentence": c.split_sentence}
            for index, c in enumerate(chunks)
        ]
        return doc
