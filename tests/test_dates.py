"""Date lines in a page's header: which lines are only a date, and the date they give (clean/dates.py)."""

from __future__ import annotations

import pytest

from pipeline.clean.dates import parse_date_line
from pipeline.clean.page_dump import clean_page_dump


@pytest.mark.parametrize(("line", "iso"), [
    ("June 12, 2020", "2020-06-12"),
    ("Updated: 18 Nov 2019 9:38 pm", "2019-11-18"),  # a prefix with its colon
    ("Posted: 18 Nov 2019 8:11 pm", "2019-11-18"),
    ("Published 12.06.2020 | 10:31 a.m. EST", "2020-06-12"),  # dotted dates are day first; 'a.m.' is a time
    ("18.11.2019", "2019-11-18"),
    ("2019-06-12T10:00:00Z", "2019-06-12"),
    ("Monday, 3rd of June 2019 at 10:00 GMT", "2019-06-03"),
    ("Sept. 4, 2019", "2019-09-04"),
])
def test_a_line_that_is_only_a_date_gives_it_in_iso_form(line, iso):
    assert parse_date_line(line)[0] == iso


@pytest.mark.parametrize("line", [
    "Mac Pro December 2019",  # a product launch, not a date line
    "Reuters November 18, 2019 11:03 PM",  # an agency and a date: a byline, not the date alone
    "— Josh Apte (@joshapte) November 3, 2019",
    "21:17 18.11.2019 Get short URL",
    "The plan was announced on June 12, 2020 after a long debate in parliament.",
    "and 2019",
])
def test_a_line_with_other_words_is_no_date_line(line):
    assert parse_date_line(line) is None


def test_the_published_date_is_read_from_a_prefixed_date_line_under_the_headline():
    page = clean_page_dump("Storm hits the coast | Daily News\nHome\nNews\nStorm hits the coast\n"
                           "Updated: 18 Nov 2019 9:38 pm\n"
                           "The storm reached the coast on Monday night, and thousands of homes lost power.\n"
                           "Officials said the roads would stay closed until the water had gone down again.")
    assert page.published_date == "2019-11-18"
    assert page.title == "Storm hits the coast"
    assert not any("Updated" in paragraph for paragraph in page.paragraphs)
