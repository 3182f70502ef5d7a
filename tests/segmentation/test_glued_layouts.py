"""Tweets in bodies whose scraper glued the page's blocks together (G: nothing between them)
or joined them with single spaces on one line (S): attributions mid-line, dates glued to the
next sentence, widget cards, tweets that carry on after their attribution, and an Instagram
embed that is not a tweet. Written here with our own prose and tweets."""

from __future__ import annotations

from datetime import date

import pytest

from flows.readers.ingest import doc_text
from flows.records import Segment
from flows.segmentation.attribution import credits_missed
from flows.segmentation.segment import segment

PROSE = [
    "The city council met on Tuesday to discuss the new transport plan for the region.",
    "Several residents spoke against the proposal during the public hearing.",
    "The mayor said the plan would reduce traffic in the historic centre by a third.",
    "Opposition members asked for an independent study of the costs before any vote.",
]
TWEET = "Qué vergüenza, otra vez sin autobús en mi barrio #Transporte pic.twitter.com/Ab12Cd34Ef"
MORE = "Llevo una hora esperando en la parada con mis hijos."


def body(style: str, blocks: list[str]) -> str:
    """The article as the scraper left it: title, blank line, then the blocks glued (G) or
    joined by one space (S) on one line."""
    return "Council debates transport plan\n\n" + ("" if style == "G" else " ").join(blocks) + "\n"


def tweets_of(text: str) -> list[Segment]:
    return [s for s in segment(doc_text(text, "glued.txt")) if s.kind == "tweet"]


def texts(text: str, tweet: Segment) -> list[str]:
    return [text[s.start : s.end] for s in tweet.spans]


STYLES = ["G", "S"]


@pytest.mark.parametrize("style", STYLES)
def test_an_attribution_mid_line_with_its_date_glued_to_the_next_sentence(style: str) -> None:
    text = body(
        style, [*PROSE[:2], TWEET, "— Lucía Martín (@lucia_martin) April 13, 2023", *PROSE[2:]]
    )
    (tweet,) = tweets_of(text)
    assert (tweet.author_handle, tweet.posted_on) == ("lucia_martin", date(2023, 4, 13))
    assert texts(text, tweet) == [TWEET]
    assert "April 13, 2023" not in tweet.text  # the date ends where its year ends
    paragraphs = [s.text for s in segment(doc_text(text, "g.txt")) if s.kind == "paragraph"]
    assert any(p.startswith(PROSE[2]) for p in paragraphs)  # the next sentence stays prose


@pytest.mark.parametrize("style", STYLES)
def test_a_widget_card_is_a_tweet_with_its_author_handle_and_date(style: str) -> None:
    card = (
        " Follow Lucía Martín @lucia_martin "
        + MORE
        + " 9:05 PM - 3 Oct 2016   12 12 Retweets   40 40 likes"
    )
    text = body(style, [*PROSE[:2], card, *PROSE[2:]])
    (tweet,) = tweets_of(text)
    assert (tweet.author_name, tweet.author_handle) == ("Lucía Martín", "lucia_martin")
    assert tweet.posted_on == date(2016, 10, 3)
    assert tweet.text == MORE  # neither `Follow` nor the counters
    others = " ".join(s.text for s in segment(doc_text(text, "g.txt")) if s.kind != "tweet")
    assert "Retweets" not in others and "Follow" not in others


def test_a_card_on_lines_of_its_own_as_widgets_are_scraped() -> None:
    card = "\n".join(
        [
            " Follow",
            " Lucía Martín @lucia_martin",
            MORE,
            "9:05 PM - 3 Oct 2016",
            "  12 12 Retweets   40 40 likes",
        ]
    )
    text = "Council debates transport plan\n\n" + "\n".join([*PROSE[:2], card, *PROSE[2:]]) + "\n"
    (tweet,) = tweets_of(text)
    assert tweet.text == MORE and tweet.author_handle == "lucia_martin"


@pytest.mark.parametrize("style", STYLES)
def test_a_tweet_that_continues_after_its_attribution_has_two_spans(style: str) -> None:
    first = "Otra vez sin autobús en mi barrio, y ya van tres días seguidos."
    text = body(
        style,
        [*PROSE[:2], first, "— Lucía Martín (@lucia_martin) April 13, 2023", TWEET, *PROSE[2:]],
    )
    (tweet,) = tweets_of(text)
    assert texts(text, tweet) == [first, TWEET]


@pytest.mark.parametrize("style", STYLES)
def test_an_instagram_embed_is_not_a_tweet(style: str) -> None:
    embed = "View this post on Instagram A post shared by Lucía Martín (@lucia_martin)"
    text = body(style, [*PROSE[:2], embed, *PROSE[2:]])
    assert tweets_of(text) == []
    assert credits_missed(segment(doc_text(text, "g.txt"))) == 0  # nor a missed tweet


@pytest.mark.parametrize("style", STYLES)
def test_a_credit_that_cannot_be_a_tweet_is_counted_as_missed(style: str) -> None:
    credit = "— Somebody Else (@a_handle_far_too_long) April 13, 2023"  # over 15 characters
    card = "Follow Lucía @a_handle_far_too_long " + MORE + " 9:05 PM - 3 Oct 2016"
    text = body(style, [*PROSE[:2], MORE, credit, PROSE[2], card, *PROSE[3:]])
    segments = segment(doc_text(text, "g.txt"))
    assert [s for s in segments if s.kind == "tweet"] == []
    assert credits_missed(segments) == 2


def test_a_whole_body_on_one_line_with_two_tweets_glued_to_the_prose() -> None:
    text = body(
        "G",
        [
            PROSE[0],
            TWEET,
            "— Lucía Martín (@lucia_martin) April 13, 2023",
            PROSE[1],
            "Ver más",
            MORE + " pic.twitter.com/Zz98Yy76Xx",
            "— Metro (@metro_cdmx) 7 de abril de 2022",
            *PROSE[2:],
        ],
    )
    assert text.count("\n") == 3  # title, blank line, one line of body
    tweets = tweets_of(text)
    assert [(t.author_handle, texts(text, t)) for t in tweets] == [
        ("lucia_martin", [TWEET]),
        ("metro_cdmx", [MORE + " pic.twitter.com/Zz98Yy76Xx"]),
    ]
    kinds = {s.text: s.kind for s in segment(doc_text(text, "g.txt"))}
    assert kinds["Ver más"] == "boilerplate"


def test_a_tweet_that_ends_without_a_sentence_end_stops_where_the_prose_begins() -> None:
    """In a spaced body the continuation `jajaja…` runs into the article's next sentence with
    nothing but a space and a capital between them: the register tells them apart."""
    first = "Otra vez sin autobús en mi barrio, y ya van tres días seguidos."
    more = "jajaja que alguien me lleve al trabajo porfa 🙏🙏"
    credit = "— Lucía Martín (@lucia_martin) April 13, 2023"
    text = body("S", [*PROSE[:2], first, credit, more, *PROSE[2:]])
    (tweet,) = tweets_of(text)
    assert texts(text, tweet) == [first, more]


@pytest.mark.parametrize("style", STYLES)
def test_a_tweet_in_lower_case_glued_after_a_sentence_end_starts_after_it(style: str) -> None:
    """`…hearing.que alguien…`: no capital, no space, yet the prose ends at the period."""
    tweet = "que alguien me lleve al trabajo porfa jajaja 🙏"
    credit = "— Lucía Martín (@lucia_martin) April 13, 2023"
    text = body(style, [*PROSE[:2], tweet, credit, *PROSE[2:]])
    (found,) = tweets_of(text)
    assert texts(text, found) == [tweet]


@pytest.mark.parametrize("style", STYLES)
def test_a_split_tweet_ending_in_a_smiley_stops_before_the_prose_glued_to_it(style: str) -> None:
    """`…en la parada :(The mayor said…`: the tweet's second part ends where the prose begins."""
    rest = "llevo una hora esperando en la parada :("
    credit = "— Lucía Martín (@lucia_martin) April 13, 2023"
    text = body(style, [*PROSE[:2], "#Transporte", credit, rest, *PROSE[2:]])
    (found,) = tweets_of(text)
    assert texts(text, found) == ["#Transporte", rest]
    paragraphs = [s.text for s in segment(doc_text(text, "g.txt")) if s.kind == "paragraph"]
    assert any(p.startswith(PROSE[2]) for p in paragraphs)
