"""The cleaner on the seed page dump, checked against the hand-made gold annotation."""

from __future__ import annotations

from pipeline.clean.page_dump import clean_page_dump
from pipeline.clean.unicode import repair

from .conftest import SEED


def cleaned():
    return clean_page_dump(SEED.read_text(encoding="utf-8"))


def test_metadata_recovered(gold):
    page = cleaned()
    assert page.title == gold["title"]
    assert page.published_date == gold["published_date"]
    assert page.image_caption == gold["image_caption"]
    assert page.image_credit == gold["image_credit"]


def test_body_is_the_fifteen_gold_paragraphs_in_order(gold):
    page = cleaned()
    source_lines = SEED.read_text(encoding="utf-8").split("\n")
    expected = [" ".join(source_lines[n - 1].split()) for n in gold["body_lines"]]
    assert len(page.paragraphs) == gold["body_paragraph_count"] == 15
    assert page.paragraphs == expected
    text = "\n\n".join(page.paragraphs)
    assert text.startswith(gold["body_first_words"])
    assert text.endswith(gold["body_last_words"])


def test_chrome_lines_are_removed_with_reasons(gold):
    page = cleaned()
    text = "\n\n".join(page.paragraphs)
    source_lines = SEED.read_text(encoding="utf-8").split("\n")
    for number in gold["boilerplate_lines"]:
        chrome = source_lines[number - 1].strip()
        if any(ch.isalnum() for ch in chrome):
            assert chrome not in text
    reasons = {line.line_number: line.reason for line in page.removed}
    assert reasons[1] == "navigation"
    assert reasons[2] == "call_to_action"
    assert reasons[3] == "no_words"
    assert reasons[gold["title_line"]] == "title"
    assert reasons[gold["published_date_line"]] == "published_date"
    assert reasons[gold["image_caption_line"]] == "image_caption"


def test_typography_is_kept():
    text = "\n\n".join(cleaned().paragraphs)
    assert "“" in text and "”" in text and "’" in text and "—" in text
    assert '"' not in text


def test_mojibake_is_repaired_and_quotes_stay_curly():
    broken = "“Basically,” he said â€” it’s done".encode().decode("utf-8")
    assert repair("cafÃ© costs â‚¬5") == "café costs €5"
    assert "“" in repair(broken)


def test_plain_article_without_chrome_comes_through_whole():
    raw = ("Ink helps drive democracy in Asia\n\n"
           "The Kyrgyz Republic is using invisible ink in its elections to prevent multiple voting.\n\n"
           "This new technology is causing both worries and guarded optimism.\n")
    page = clean_page_dump(raw)
    assert page.title == "Ink helps drive democracy in Asia"
    assert page.paragraphs == [
        "The Kyrgyz Republic is using invisible ink in its elections to prevent multiple voting.",
        "This new technology is causing both worries and guarded optimism.",
    ]
