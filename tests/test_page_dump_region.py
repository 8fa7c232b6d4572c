"""The dump cleaner's structure rules on small made-up pages: headline repeat, region, lists, comments."""

from __future__ import annotations

from pipeline.clean.page_dump import clean_page_dump

P1 = "The council voted on Tuesday to close the old bridge to cars after engineers found cracks in two piers."
P2 = "Residents who cross it every day said the decision would add twenty minutes to the trip into town."
P3 = "The mayor said repairs would start in the spring and that buses would keep running during the works."
LEGAL = ("The information on this website is provided for general purposes only and does not constitute advice "
         "of any kind, and the publisher accepts no liability for any loss arising from its use, whether direct, "
         "indirect or consequential, to the fullest extent permitted by the law of the land.")


FOOTER_MENU = ["Share", "More from Example", "Weather", "Traffic", "Jobs", "Property", "Puzzles", "Obituaries",
               "Contact us", "Advertise with us", "Local", "Business", "Opinion", "Letters", "Arts", "Food",
               "Travel", "Motors", "Announcements", "Archive"]


def page(*lines: str) -> str:
    return "\n\n".join(lines) + "\n"


def reasons(cleaned) -> dict[str, str]:
    return {removed.text: removed.reason for removed in cleaned.removed}


def test_the_article_follows_the_headline_repeat_not_the_chrome_above_it():
    teaser = "Our most popular story this week explains why prices at the pump have fallen again, and what comes next."
    cleaned = clean_page_dump(page(
        "Council closes old bridge to cars | The Daily Example", "Home", "News", "Sport", teaser,
        "Council closes old bridge to cars", "By Jane Doe", "June 12, 2020", P1, P2, P3, *FOOTER_MENU, LEGAL))
    assert cleaned.title == "Council closes old bridge to cars"
    assert cleaned.paragraphs == [P1, P2, P3]
    assert cleaned.published_date == "2020-06-12"
    assert reasons(cleaned)[LEGAL] == "outside_article"


def test_a_longer_block_further_down_does_not_replace_the_article():
    """To replace the article, a later block must outweigh it and the article it would leave out."""
    legal = LEGAL + " " + P1  # half as long again as the article
    cleaned = clean_page_dump(page("Council closes old bridge to cars", P1, P2, P3, *FOOTER_MENU, legal))
    assert cleaned.paragraphs == [P1, P2, P3]


def test_a_standfirst_above_the_byline_is_header_not_body():
    standfirst = "Engineers found cracks in two of the piers during a routine inspection."
    cleaned = clean_page_dump(page(
        "Bridge closed | Example News", "Menu", "Bridge closed", standfirst, "By Jane Doe", "12 June 2020", P1, P2))
    assert cleaned.paragraphs == [P1, P2]
    assert reasons(cleaned)[standfirst] == "header"


def test_an_ordered_list_inside_the_article_is_kept_with_its_links():
    items = ["1) Lego bridge kit", "http://example.com/a", "2) Model railway", "http://example.com/b",
             "3) Toy crane", "http://example.com/c", "4) Jigsaw of the old bridge", "http://example.com/d"]
    cleaned = clean_page_dump(page("Gifts for bridge fans | Example", "Home", "Gifts for bridge fans", P1, P2,
                                   *items, "Tags", "Toys", "Bridges"))
    assert cleaned.paragraphs == [P1, P2, *items]


def test_the_article_stops_at_a_comment_thread():
    comment = ("I have driven over that bridge for thirty years and never once thought it was unsafe, so I would like "
               "to see the engineers' report before I believe a word of this, frankly.")
    cleaned = clean_page_dump(page(
        "Council closes old bridge to cars | Example", "Council closes old bridge to cars", P1, P2,
        "3 comments", "bob_smith", comment, "jane_d", comment + " Same here.", "ann", comment + " Agreed."))
    assert cleaned.paragraphs == [P1, P2]
    assert reasons(cleaned)["3 comments"] == "outside_article"


def test_a_picture_credit_inside_the_body_is_removed_but_does_not_end_the_article():
    cleaned = clean_page_dump(page(
        "Council closes old bridge to cars | Example", "Council closes old bridge to cars", P1,
        "The bridge in 1950 (AP Photo/John Smith)", "John Smith/Getty Images", P2, P3))
    assert cleaned.paragraphs == [P1, P2, P3]
    assert reasons(cleaned)["John Smith/Getty Images"] == "image_caption"
