"""Segmentation of the seed article and of the attribution layouts the seed shows."""

from __future__ import annotations

from datetime import date

import pytest

from flows.ingest import doc_text
from flows.records import Article, Segment
from flows.segment import segment


def _article(text: str) -> Article:
    return doc_text(text, "fixture.txt")


@pytest.fixture
def seed_segments(seed_text: str) -> tuple[Segment, ...]:
    return segment(_article(seed_text))


def _tweets(segments: tuple[Segment, ...]) -> dict[str | None, Segment]:
    return {s.author_handle: s for s in segments if s.kind == "tweet"}


def test_seed_kinds_in_document_order(seed_segments: tuple[Segment, ...]) -> None:
    kinds = [s.kind for s in seed_segments]
    assert kinds[:2] == ["title", "subtitle"]
    assert kinds.count("tweet") == 2
    assert kinds.count("heading") == 1
    assert [s.ordinal for s in seed_segments] == list(range(len(seed_segments)))
    starts = [s.spans[0].start for s in seed_segments]
    assert starts == sorted(starts)
    heading = next(s for s in seed_segments if s.kind == "heading")
    assert heading.text == "Operation North to South"
    assert seed_segments[0].text.startswith("U.S. and Mexico target two cartels")


def test_seed_boilerplate(seed_segments: tuple[Segment, ...]) -> None:
    assert [s.text for s in seed_segments if s.kind == "boilerplate"] == [
        "RELATED CONTENT",
        "LEAVE A COMMENT:",
        "Join the discussion! Leave a comment.",
    ]


def test_tweet_split_around_attribution_is_one_tweet_with_two_spans(
    seed_segments: tuple[Segment, ...], seed_text: str
) -> None:
    tweet = _tweets(seed_segments)["rosaicela_"]
    assert len(tweet.spans) == 2
    assert seed_text[tweet.spans[0].start : tweet.spans[0].end] == "#ReuniónTrilateral"
    assert seed_text[tweet.spans[1].start : tweet.spans[1].end].startswith("Nos reunimos con")
    assert tweet.author_name == "Rosa Icela Rodríguez Velázquez"
    assert tweet.posted_on == date(2023, 4, 13)
    assert tweet.hashtags == ("#ReuniónTrilateral", "#EEUU", "#Canadá")
    assert tweet.mentions == ("@LSRTweets",)
    assert tweet.urls == ("pic.twitter.com/L9axrJpOKj",)


def test_tweet_text_above_attribution(seed_segments: tuple[Segment, ...]) -> None:
    tweet = _tweets(seed_segments)["m_ebrard"]
    assert tweet.author_name == "Marcelo Ebrard C."
    assert tweet.text == (
        "Resultados del diálogo sobre seguridad que tuvo lugar hoy en Washington, DC. "
        "pic.twitter.com/7M4qSDxvZn"
    )
    assert tweet.urls == ("pic.twitter.com/7M4qSDxvZn",)


def test_attribution_is_never_text(seed_segments: tuple[Segment, ...]) -> None:
    for s in seed_segments:
        assert "(@" not in s.text
        assert "April 13, 2023" not in s.text
        assert not s.text.startswith("—")


def test_every_span_lies_inside_its_segment_text(
    seed_segments: tuple[Segment, ...], seed_text: str
) -> None:
    for s in seed_segments:
        assert s.spans, s
        for span in s.spans:
            assert seed_text[span.start : span.end] in s.text
        for sentence in s.sentences:
            assert seed_text[sentence.start : sentence.end] == sentence.text
            assert sentence.text in s.text


ATTRIBUTION_LAYOUTS = [
    pytest.param(
        "Title\nBody sentence here.\nHola a todos pic.twitter.com/abc123\n"
        "— Ana Pérez (@ana_p) May 2, 2022\nMore article text follows here.",
        "ana_p",
        "Ana Pérez",
        date(2022, 5, 2),
        "Hola a todos pic.twitter.com/abc123",
        id="text-above",
    ),
    pytest.param(
        "Title\nBody sentence here.\nHola a todos pic.twitter.com/abc123 — Ana Pérez (@ana_p) "
        "2 de mayo de 2022\nMore article text follows here.",
        "ana_p",
        "Ana Pérez",
        date(2022, 5, 2),
        "Hola a todos pic.twitter.com/abc123",
        id="same-line-spanish-date",
    ),
    pytest.param(
        "Title\nBody sentence here.\nHola a todos pic.twitter.com/abc123— Ana (@ana_p)\n"
        "May 2, 2022\nMore article text follows here.",
        "ana_p",
        "Ana",
        date(2022, 5, 2),
        "Hola a todos pic.twitter.com/abc123",
        id="no-space-before-dash-date-on-own-line",
    ),
]


@pytest.mark.parametrize(("text", "handle", "name", "posted", "tweet_text"), ATTRIBUTION_LAYOUTS)
def test_attribution_layouts(
    text: str, handle: str, name: str, posted: date, tweet_text: str
) -> None:
    segments = segment(_article(text))
    tweets = [s for s in segments if s.kind == "tweet"]
    assert len(tweets) == 1
    assert (tweets[0].author_handle, tweets[0].author_name) == (handle, name)
    assert tweets[0].posted_on == posted
    assert tweets[0].text == tweet_text
    assert not any(s.text in ("May 2, 2022",) for s in segments)


def test_attribution_without_text_keeps_an_empty_tweet_with_a_reason() -> None:
    text = (
        "Title\nA long article paragraph that is plainly not a tweet because it goes on and on "
        "about the policy, the people and the places involved, far past what anyone could "
        "post in one tweet, and it has no links or handles or hashtags of any kind at all, "
        "which is how the scraper left it when the embedded tweet failed to load.\n"
        "— Adolfo Flores (@aflores) November 13, 2018\nMore text."
    )
    tweets = [s for s in segment(_article(text)) if s.kind == "tweet"]
    assert len(tweets) == 1
    assert tweets[0].text == ""
    assert tweets[0].note == "tweet_text_missing"
    assert tweets[0].author_handle == "aflores"
