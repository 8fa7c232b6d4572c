"""Paragraph and sentence offsets slice the clean text exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.segment import paragraph_spans, sentence_spans


def test_seed_sentences_slice_text_and_stay_in_order(seed_release):
    import pandas as pd

    docs = pd.read_parquet(seed_release / "documents")
    text = docs.loc[0, "text"]
    for table in ("paragraphs", "sentences"):
        spans = pd.read_parquet(seed_release / table).sort_values("start")
        assert len(spans) > 0
        for row in spans.itertuples():
            assert text[row.start:row.end] == row.text
        assert (spans["start"].iloc[1:].to_numpy() >= spans["end"].iloc[:-1].to_numpy()).all()
    paragraphs = pd.read_parquet(seed_release / "paragraphs")
    assert len(paragraphs) == 15
    sentences = pd.read_parquet(seed_release / "sentences")
    assert sentences["text"].iloc[0] == (
        "On Friday, North Korea signaled a new strategic goal of building its forces to counter the U.S.")
    # the splitter must not break inside "U.S. President Donald Trump"
    assert not any(s.endswith("with U.S.") for s in sentences["text"])


def test_sentences_of_a_paragraph():
    text = "First sentence here. Second one follows! And a third?"
    spans = sentence_spans(text, paragraph_spans(text)[0])
    assert [text[s.start:s.end] for s in spans] == ["First sentence here.", "Second one follows!", "And a third?"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=200), min_size=1, max_size=6))
def test_spans_slice_any_text_exactly(blocks):
    text = "\n\n".join(blocks)
    previous_end = 0
    for paragraph in paragraph_spans(text):
        assert text[paragraph.start:paragraph.end].strip() == text[paragraph.start:paragraph.end]
        for span in sentence_spans(text, paragraph):
            assert paragraph.start <= span.start < span.end <= paragraph.end
            assert span.start >= previous_end
            assert text[span.start:span.end].strip()
            previous_end = span.end
