"""Quote attribution on short articles written for these tests (not the seed): the general rules."""

from __future__ import annotations

import pytest

from pipeline.config import EnrichConfig
from pipeline.document import Document
from pipeline.enrich import enrich_steps
from pipeline.enrich.quotes import find_quotes
from pipeline.segment import Segmenter


def enrich(*paragraphs: str) -> Document:
    text = "\n\n".join(paragraphs)
    doc = Document("0" * 16, "test.txt", text, "utf-8", "0" * 64, text=text, language="en")
    stream = Segmenter().run([doc])
    for step in enrich_steps(EnrichConfig(keywords=False, quality=False)):
        stream = step.run(stream)
    (out,) = list(stream)
    assert isinstance(out, Document), out
    return out


def quotes_of(doc: Document) -> list[dict]:
    return doc.rows["quotes"]


def test_find_quotes_handles_straight_curly_and_unclosed_marks():
    text = 'He said "we are ready" and then “Go now,” she added. “And another'
    found = [text[q.start:q.end] for q in find_quotes(text)]
    assert found == ["we are ready", "Go now,", "And another"]


def test_inverted_attribution_and_full_name_resolution():
    doc = enrich(
        "Finance minister Maria Lopez announced a new budget on Tuesday.",
        "“We will not raise taxes this year,” said Lopez, speaking in Madrid.",
    )
    (quote,) = quotes_of(doc)
    assert quote["speaker"] == "Maria Lopez" and quote["cue"] == "said"
    assert quote["partial"] is False and quote["speaker_source"] == "same_sentence"


def test_colon_lead_in_and_pronoun_speaker():
    doc = enrich(
        "John Peters, the chief executive of the firm, spoke to reporters after the meeting.",
        "He told them: “The results are better than we expected.”",
    )
    (quote,) = quotes_of(doc)
    assert quote["speaker"] == "John Peters" and quote["speaker_source"] == "pronoun"
    assert quote["cue"] == "told" and quote["partial"] is False


def test_continuation_paragraph_and_partial_quote():
    doc = enrich(
        "Opposition leader Sarah Brown warned the plan was “a recipe for disaster” for farmers.",
        "“We have seen this before,” Brown said. “It did not work then.”",
        "“It will not work now either.”",
    )
    rows = quotes_of(doc)
    assert [r["text"] for r in rows] == ["a recipe for disaster", "We have seen this before,",
                                         "It did not work then.", "It will not work now either."]
    assert all(r["speaker"] == "Sarah Brown" for r in rows)
    assert rows[0]["partial"] is True and rows[0]["cue"] == "warned"
    assert [r["speaker_source"] for r in rows[1:]] == ["same_sentence", "same_paragraph", "previous_paragraph"]


def test_scare_quotes_and_titles_are_not_quotes():
    doc = enrich("The film “Ray” won two awards, and critics said the new format was a “game changer” at once.")
    rows = quotes_of(doc)
    assert [r["text"] for r in rows] == ["game changer"]  # attributed by "said"; the title is nobody's quote
    assert rows[0]["partial"] is True and rows[0]["speaker"] == "critics"


@pytest.mark.parametrize("speaker_phrase", ["a spokesman for the company", "the ministry"])
def test_unnamed_speakers_keep_their_noun_phrase(speaker_phrase):
    doc = enrich(f"“We are looking into the matter,” {speaker_phrase} said on Monday.")
    (quote,) = quotes_of(doc)
    assert quote["speaker"].lower().endswith(speaker_phrase.split(" for ")[0].split()[-1])
