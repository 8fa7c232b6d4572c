"""The windowed mojibake test (clean/mojibake.py) gives exactly ftfy's `is_bad` answer, only faster."""

from __future__ import annotations

from ftfy.badness import MOJIBAKE_CATEGORIES, is_bad
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.clean import mojibake, unicode
from pipeline.clean.mojibake import looks_bad
from pipeline.clean.unicode import normalise_line, repair, repaired_lines, split_lines

from .conftest import SEED, SHARED


def test_the_anchors_were_derived_from_ftfys_regex():
    """Not the fallback: with it the cleaner is right but several times slower on dumps."""
    assert mojibake._DERIVED is not None
    clusters, reach = mojibake._DERIVED
    assert 3 <= reach <= 15
    assert not clusters.search("“It’s done — mostly…” she said, «fine».")  # typography alone is no anchor


# Every character ftfy's categories name, ASCII neighbours and accented letters: dense mojibake candidates.
_ALPHABET = sorted(set("".join(MOJIBAKE_CATEGORIES.values()).replace("-", "")) | set("aZ .,!'\"\n éÃÂâ€™œ√ВГ"))


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ALPHABET) | st.characters(), max_size=60))
def test_looks_bad_agrees_with_ftfy(text):
    assert looks_bad(text) == is_bad(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), min_size=1, max_size=4).map("".join),
       st.integers(0, 300), st.integers(0, 300))
def test_looks_bad_finds_mojibake_anywhere_in_long_ascii_text(bad, before, after):
    text = "x " * before + bad + " y" * after
    assert looks_bad(text) == is_bad(text)


def test_looks_bad_on_known_strings():
    assert looks_bad("cafÃ© costs â‚¬5") and looks_bad("Ã ") and looks_bad("word " * 200 + "cafÃ©")
    assert not looks_bad("“Basically,” he said — it’s done") and not looks_bad("plain ascii")


def test_repaired_lines_is_repair_then_normalise_line():
    pages = [SEED, *sorted((SHARED / "corpora" / "article-extraction-benchmark" / "dumps").glob("*.txt"))]
    samples = [path.read_text(encoding="utf-8") for path in pages] + [
        "  Ã©t\u00a0é \n\tcafÃ©\u200b  \r\nx&amp;y\x00 \u2028 ﬁne  ", "plain\n\n  ascii  page\r\n"]
    for text in samples:
        assert repaired_lines(text) == [normalise_line(line) for line in split_lines(repair(text))]


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_repaired_lines_matches_the_two_step_path_on_any_text(text):
    assert repaired_lines(text) == [normalise_line(line) for line in split_lines(repair(text))]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from([*_ALPHABET, "\u00a0", "  ", "\n", "\r\n", "ﬁ", "e\u0301"]), max_size=80).map("".join))
def test_repaired_lines_page_wide_shortcut_misses_no_line(text):
    """One scan clears a whole page only if no line, cut out and trimmed, would need ftfy."""
    assert repaired_lines(text) == [normalise_line(line) for line in split_lines(repair(text))]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=30))
def test_split_lines_splits_at_exactly_the_line_breaks(text):
    assert split_lines(text) == unicode._LINE_BREAKS.split(text)
