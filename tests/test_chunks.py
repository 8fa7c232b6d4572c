"""Chunks: exact spans of whole sentences, in order, covering each document, within the token budget."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.build import build
from pipeline.chunk import chunk_document
from pipeline.config import BuildConfig, Chunking
from pipeline.segment import paragraph_spans, sentence_spans
from pipeline.tokens import WordCounter, load_tokenizer

from .conftest import ROOT, SEED, SHARED, light, need_shared

BBC = SHARED / "corpora" / "bbc-news"


def check_document_chunks(text: str, sentences: list[tuple[int, int]], chunks: list[dict], max_tokens: int,
                          overlap: int, counter) -> None:
    """Every promise of the chunks table, for one document; `chunks` are rows in chunk_index order."""
    assert [c["chunk_index"] for c in chunks] == list(range(len(chunks)))
    if not sentences:
        assert chunks == []
        return
    covered = set()
    for previous, chunk in zip([None, *chunks[:-1]], chunks, strict=True):
        start, end = chunk["start"], chunk["end"]
        assert 0 <= start < end <= len(text) and text[start:end] == chunk["text"]
        assert chunk["n_tokens"] == counter.count(chunk["text"]) <= max_tokens
        first, last = chunk["first_sentence_index"], chunk["last_sentence_index"]
        if chunk["split_sentence"]:  # a piece of one over-long sentence, cut between words
            assert first == last
            s_start, s_end = sentences[first]
            assert s_start <= start < end <= s_end
            assert counter.count(text[s_start:s_end]) > max_tokens
            assert text[start:end].strip() == text[start:end]
            at_word_edge = (start == s_start or text[start - 1].isspace()) and (end == s_end or text[end].isspace())
            if not at_word_edge:  # cut inside a word: only allowed when that word alone is over the budget
                assert not any(ch.isspace() for ch in chunk["text"])
                word_start, word_end = start, end
                while word_start > s_start and not text[word_start - 1].isspace():
                    word_start -= 1
                while word_end < s_end and not text[word_end].isspace():
                    word_end += 1
                assert counter.count(text[word_start:word_end]) > max_tokens
        else:
            assert start == sentences[first][0] and end == sentences[last][1]
        if previous is not None:
            assert start > previous["start"] and end > previous["end"]
            assert first >= previous["first_sentence_index"]
            shared = previous["last_sentence_index"] - first + 1
            assert 0 <= shared <= (overlap if not (chunk["split_sentence"] or previous["split_sentence"]) else 1)
            if shared == 1 and (chunk["split_sentence"] or previous["split_sentence"]):
                assert first == last == previous["last_sentence_index"]  # pieces of one sentence
        covered.update(range(first, last + 1))
    assert covered == set(range(len(sentences)))  # every sentence is in a chunk: the chunks cover the text
    for s_start, s_end in sentences:  # including every character of a split sentence's words
        inside = [c for c in chunks if c["start"] < s_end and c["end"] > s_start]
        mask = [False] * (s_end - s_start)
        for c in inside:
            for i in range(max(c["start"], s_start), min(c["end"], s_end)):
                mask[i - s_start] = True
        assert all(m or text[s_start + i].isspace() for i, m in enumerate(mask))


def check_release(release: Path, max_tokens: int, overlap: int, counter) -> int:
    docs = pd.read_parquet(release / "documents")
    sentences = pd.read_parquet(release / "sentences").sort_values(["doc_id", "sentence_index"])
    chunks = pd.read_parquet(release / "chunks").sort_values(["doc_id", "chunk_index"])
    by_doc_sentences = {d: list(zip(g["start"], g["end"], strict=True)) for d, g in sentences.groupby("doc_id")}
    by_doc_chunks = {d: g.to_dict("records") for d, g in chunks.groupby("doc_id")}
    assert set(by_doc_chunks) == set(docs["doc_id"])
    assert chunks["chunk_id"].is_unique
    for doc in docs.itertuples():
        doc_chunks = by_doc_chunks[doc.doc_id]
        for column in ("title", "published_date"):  # repeated from documents (nulls included)
            expected = getattr(doc, column)
            assert all(c[column] == expected or pd.isna(c[column]) and pd.isna(expected) for c in doc_chunks)
        check_document_chunks(doc.text, by_doc_sentences[doc.doc_id], doc_chunks, max_tokens, overlap, counter)
    return len(chunks)


def test_seed_chunks(seed_release):
    n = check_release(seed_release, 512, 1, load_tokenizer("cl100k_base"))
    chunks = pd.read_parquet(seed_release / "chunks")
    assert n == len(chunks) >= 2  # the seed article is longer than one 512-token chunk
    assert chunks["text"].iloc[0].startswith("On Friday, North Korea signaled")
    # overlap of one sentence: each chunk starts with the previous chunk's last sentence
    firsts, lasts = chunks["first_sentence_index"].to_numpy(), chunks["last_sentence_index"].to_numpy()
    assert (firsts[1:] == lasts[:-1]).all()


def test_seed_chunks_load_with_datasets(seed_release):
    datasets = pytest.importorskip("datasets")
    assert "chunks" in datasets.get_dataset_config_names(str(seed_release))
    chunks = datasets.load_dataset(str(seed_release), "chunks", split="train")
    assert chunks.num_rows == len(pd.read_parquet(seed_release / "chunks"))
    assert {"chunk_id", "n_tokens", "title", "first_sentence_index", "split_sentence"} <= set(chunks.column_names)
    card = (seed_release / "README.md").read_text()
    assert "## Chunks" in card and "at most **512** tokens" in card and "`cl100k_base` BPE tokens" in card


@pytest.fixture(scope="module")
def bbc_release(tmp_path_factory) -> Path:
    """The whole BBC corpus (2,225 articles) built once: about 10 s here."""
    out = tmp_path_factory.mktemp("bbc-release")
    result = build([str(need_shared(BBC))], str(out), light())
    assert result.published and result.counts["published"] > 2000
    return Path(result.path)


def test_bbc_chunks(bbc_release):
    n = check_release(bbc_release, 512, 1, load_tokenizer("cl100k_base"))
    docs = pd.read_parquet(bbc_release / "documents")
    assert n > len(docs)  # long articles need several chunks
    assert pd.read_parquet(bbc_release / "quarantine").empty
    chunks = pd.read_parquet(bbc_release / "chunks").sort_values(["doc_id", "chunk_index"])
    following = chunks[chunks["chunk_index"] > 0]
    before = chunks.shift(1)[chunks["chunk_index"] > 0]
    shared = before["last_sentence_index"].to_numpy() - following["first_sentence_index"].to_numpy() + 1
    assert len(shared) > 500 and (shared == 1).mean() > 0.95  # the configured overlap is kept when it fits


def test_bbc_chunks_load_with_datasets(bbc_release):
    datasets = pytest.importorskip("datasets")
    chunks = datasets.load_dataset(str(bbc_release), "chunks", split="train")
    assert chunks.num_rows == len(pd.read_parquet(bbc_release / "chunks"))
    assert max(chunks["n_tokens"]) <= 512


def test_changing_chunk_settings_changes_the_release(tmp_path):
    first = build([str(SEED.parent)], str(tmp_path))
    small = BuildConfig(chunking=Chunking(max_tokens=64, overlap_sentences=0))
    second = build([str(SEED.parent)], str(tmp_path), small)
    assert (first.version, second.version) == ("0.1.0", "1.0.0") and second.published  # chunks changed: MAJOR
    release = Path(second.path)
    check_release(release, 64, 0, load_tokenizer("cl100k_base"))
    chunks = pd.read_parquet(release / "chunks")
    assert len(chunks) > len(pd.read_parquet(Path(first.path) / "chunks"))
    assert "at most **64** tokens" in (release / "README.md").read_text()
    assert BuildConfig().fingerprint() != small.fingerprint()


def test_word_counting_is_named_in_the_card(tmp_path):
    config = BuildConfig(chunking=Chunking(max_tokens=40, tokenizer="words"))
    release = Path(build([str(SEED.parent)], str(tmp_path), config).path)
    check_release(release, 40, 1, WordCounter())
    assert "whitespace-separated words (no subword tokenizer)" in (release / "README.md").read_text()


def test_bad_settings_fail_at_once():
    with pytest.raises(ValueError, match="unknown tokenizer 'gpt5'.*cl100k_base"):
        Chunking(tokenizer="gpt5")
    with pytest.raises(ValueError, match="max_tokens must be between 8 and 8192"):
        Chunking(max_tokens=0)
    with pytest.raises(ValueError, match="overlap_sentences must be 0 or more"):
        Chunking(overlap_sentences=-1)


def _chunk_rows(text: str, max_tokens: int, overlap: int, counter) -> tuple[list[tuple[int, int]], list[dict]]:
    spans = [s for p in paragraph_spans(text) for s in sentence_spans(text, p)]
    chunks = chunk_document(text, spans, counter, max_tokens, overlap)
    rows = [{"chunk_index": i, "start": c.start, "end": c.end, "text": text[c.start:c.end], "n_tokens": c.n_tokens,
             "first_sentence_index": c.first_sentence, "last_sentence_index": c.last_sentence,
             "split_sentence": c.split_sentence} for i, c in enumerate(chunks)]
    return [(s.start, s.end) for s in spans], rows


def test_an_over_long_sentence_is_cut_between_words():
    counter = load_tokenizer("cl100k_base")
    sentence = " ".join(f"word{i} and more" for i in range(300)) + "."
    text = f"A short start. {sentence} A short end."
    sentences, rows = _chunk_rows(text, 50, 1, counter)
    check_document_chunks(text, sentences, rows, 50, 1, counter)
    pieces = [r for r in rows if r["split_sentence"]]
    assert len(pieces) > 5 and all(r["first_sentence_index"] == 1 for r in pieces)
    assert " ".join(r["text"] for r in pieces) == sentence  # cut only at the single spaces between words
    assert rows[0]["text"] == "A short start." and rows[-1]["text"] == "A short end."


def test_a_word_longer_than_the_budget_is_cut_inside_only_then():
    counter = load_tokenizer("cl100k_base")
    blob = "".join(f"{i:x}" for i in range(3000))  # a pasted hash or id: thousands of characters, no space
    text = f"The key was {blob} and nothing else."
    sentences, rows = _chunk_rows(text, 32, 0, counter)
    check_document_chunks(text, sentences, rows, 32, 0, counter)
    assert all(r["split_sentence"] for r in rows)  # the whole sentence is over the budget
    assert "".join(r["text"] for r in rows if " " not in r["text"]) == blob
    assert rows[0]["text"] == "The key was" and rows[-1]["text"] == "and nothing else."


def test_unicode_offsets_are_characters():
    counter = load_tokenizer("cl100k_base")
    text = "Zürich café owners rejoiced. 東京の市場は上昇した。 Émilie said « ça va » to 🚀 fans.\n\nNext paragraph."
    sentences, rows = _chunk_rows(text, 16, 1, counter)
    check_document_chunks(text, sentences, rows, 16, 1, counter)


_WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Zs", "Zl", "Zp", "Cc")),
                 min_size=1, max_size=30)
_SENTENCE = st.builds(lambda words, end: " ".join(words) + end, st.lists(_WORDS, min_size=1, max_size=60),
                      st.sampled_from([".", "!", "?", "", "..."]))
_PARAGRAPH = st.builds(" ".join, st.lists(_SENTENCE, min_size=1, max_size=8))
_TEXT = st.builds("\n\n".join, st.lists(_PARAGRAPH, min_size=1, max_size=5))


@settings(max_examples=150, deadline=None)
@given(_TEXT, st.integers(min_value=8, max_value=80), st.integers(min_value=0, max_value=3))
def test_property_chunks_of_generated_text_bpe(text, max_tokens, overlap):
    counter = load_tokenizer("cl100k_base")
    sentences, rows = _chunk_rows(text, max_tokens, overlap, counter)
    check_document_chunks(text, sentences, rows, max_tokens, overlap, counter)


@settings(max_examples=100, deadline=None)
@given(_TEXT, st.integers(min_value=8, max_value=40), st.integers(min_value=0, max_value=3))
def test_property_chunks_of_generated_text_words(text, max_tokens, overlap):
    counter = WordCounter()
    sentences, rows = _chunk_rows(text, max_tokens, overlap, counter)
    check_document_chunks(text, sentences, rows, max_tokens, overlap, counter)
    assert all(not r["split_sentence"] or r["text"].split() == text[r["start"]:r["end"]].split() for r in rows)


def test_chunk_ids_are_stable_and_content_derived(seed_release, tmp_path):
    again = Path(build([str(SEED.parent)], str(tmp_path)).path)
    assert (pd.read_parquet(again / "chunks")["chunk_id"].tolist()
            == pd.read_parquet(seed_release / "chunks")["chunk_id"].tolist())


def test_chunk_settings_travel_with_the_config():
    config = BuildConfig(chunking=Chunking(max_tokens=128, overlap_sentences=2, tokenizer="o200k_base"))
    assert BuildConfig.from_dict(config.to_dict()) == config  # how the Prefect flow hands settings to tasks
    assert config.to_dict()["chunking"] == {"max_tokens": 128, "overlap_sentences": 2, "tokenizer": "o200k_base"}


def test_cli_refuses_an_unknown_tokenizer(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "flows", "build", str(SEED.parent), "--output", str(tmp_path),
                           "--tokenizer", "gpt5"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "unknown tokenizer 'gpt5'" in proc.stderr and "cl100k_base" in proc.stderr
    assert not (tmp_path / "broadsheet").exists()
