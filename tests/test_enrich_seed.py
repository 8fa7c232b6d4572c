"""Enrichment of the seed against the hand-made gold annotation: language, entities, quotes, keywords."""

from __future__ import annotations

import pandas as pd

from pipeline.build import build
from pipeline.config import BuildConfig

from .conftest import SEED


def _quote_for(quotes: pd.DataFrame, starts: str) -> pd.Series | None:
    found = quotes[quotes["text"].str.startswith(starts)]
    return found.iloc[0] if len(found) else None


def test_language_is_english(seed_release, gold):
    doc = pd.read_parquet(seed_release / "documents").iloc[0]
    assert doc["language"] == gold["language"] == "en"
    assert doc["language_score"] > 0.9


def test_every_gold_entity_found_with_its_label_in_canonical_form(seed_release, gold):
    entities = pd.read_parquet(seed_release / "entities")
    found = set(zip(entities["canonical"], entities["label"], strict=True))
    for label, names in gold["entities_expected"].items():
        for name in names:
            assert (name, label) in found, f"{label} {name!r} missing; {label} found: " \
                f"{sorted(c for c, lab in found if lab == label)}"


def test_short_names_resolve_to_the_full_name(seed_release, gold):
    entities = pd.read_parquet(seed_release / "entities")
    people = entities[entities["label"] == "PERSON"]
    for short, full in gold["speaker_aliases"].items():
        mentions = people[people["text"] == short]
        assert len(mentions), f"no PERSON mention {short!r}"
        assert set(mentions["canonical"]) == {full}


def test_entity_and_quote_spans_slice_the_text(seed_release):
    text = pd.read_parquet(seed_release / "documents").iloc[0]["text"]
    for table in ("entities", "quotes"):
        rows = pd.read_parquet(seed_release / table)
        assert len(rows)
        for row in rows.itertuples():
            assert text[row.start:row.end] == row.text


def test_all_gold_quotes_found_with_their_speakers(seed_release, gold):
    quotes = pd.read_parquet(seed_release / "quotes")
    expected = gold["direct_quotes"]
    assert len(expected) == 9
    right_speaker = 0
    for item in expected:
        quote = _quote_for(quotes, item["starts"])
        assert quote is not None, f"quote starting {item['starts']!r} not found"
        assert bool(quote["partial"]) == bool(item.get("partial", False)), item["starts"]
        right_speaker += quote["speaker"] == item["speaker"]
        if item["cue"] is not None:
            assert quote["cue"] == item["cue"], item["starts"]
    assert right_speaker >= 8
    # no invented quotes beyond the gold ones
    assert len(quotes) == len(expected)


def test_how_each_speaker_was_found(seed_release):
    quotes = pd.read_parquet(seed_release / "quotes")
    source = dict(zip(quotes["text"].str[:20], quotes["speaker_source"], strict=True))
    assert source["political achievemen"] == "pronoun"  # "He accused ..." resolved to Ri
    assert source["All the above facts "] == "previous_paragraph"  # no attribution of its own
    assert source["Basically, they want"] == "same_sentence"


def test_keywords_and_quality_signals(seed_release):
    doc = pd.read_parquet(seed_release / "documents").iloc[0]
    keywords = list(doc["keywords"])
    assert 1 <= len(keywords) <= 10
    assert any("North Korea" in k for k in keywords)
    assert 4 < doc["mean_word_length"] < 6
    assert doc["punctuated_line_ratio"] == 1.0 and doc["duplicate_line_ratio"] == 0.0
    assert doc["stop_word_count"] > 50
    assert 0 < doc["flesch_reading_ease"] < 100
    assert pd.isna(doc["duplicate_of"])


def test_enrichers_can_be_switched_off(tmp_path):
    config = BuildConfig.from_dict({"enrich": {"entities": False, "quotes": False, "keywords": False}})
    result = build([str(SEED.parent)], str(tmp_path), config)
    release = result.path
    assert pd.read_parquet(f"{release}/entities").empty and pd.read_parquet(f"{release}/quotes").empty
    doc = pd.read_parquet(f"{release}/documents").iloc[0]
    assert doc["keywords"] is None and doc["language"] == "en" and doc["mean_word_length"] > 0


def test_entities_without_quotes(tmp_path):
    config = BuildConfig.from_dict({"enrich": {"quotes": False, "keywords": False, "quality": False}})
    release = build([str(SEED.parent)], str(tmp_path), config).path
    assert pd.read_parquet(f"{release}/quotes").empty
    entities = pd.read_parquet(f"{release}/entities")
    assert "Ri Son-gwon" in set(entities["canonical"])
    assert pd.isna(pd.read_parquet(f"{release}/documents").iloc[0]["mean_word_length"])


def test_the_parse_is_timed_as_enrichment_not_as_reading():
    """ParseStep batches documents in its own `run`; its spaCy time must land in its stage's seconds (the
    per-stage figures of a build and of bench/throughput.py), not in what is left over for reading."""
    from pipeline.enrich.nlp import ParseStep
    from pipeline.shards import plan_shards, run_steps
    from pipeline.sources import discover_inputs
    from pipeline.steps import document_steps

    config = BuildConfig()
    spec = plan_shards(discover_inputs([str(SEED.parent)]), config)[0]
    seconds: dict[str, float] = {}
    docs, _, _, _ = run_steps(spec, config, seconds)
    assert docs and docs[0].title
    parse = next(step for step in document_steps(config) if isinstance(step, ParseStep))
    assert parse.seconds == 0.0  # a fresh step has timed nothing
    list(parse.run(iter(docs)))
    assert parse.seconds > 0.0
