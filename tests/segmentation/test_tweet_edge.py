"""The candidate cuts where a tweet's edge may fall inside a unit of a glued body, and the
model's choice among them."""

from __future__ import annotations

from flows.language.detection import detect
from flows.segmentation import tweet_edge


def lang_of(text: str) -> str:
    """As the segmenter judges a side's language, in an English article."""
    return detect(text, second_opinion=False).lang if text else "en"


def cut_texts(doc: str) -> list[tuple[str, str]]:
    return [
        (doc[: c.end].split()[-1], doc[c.start :].split()[0])
        for c in tweet_edge.candidates(doc, 0, len(doc))
    ]


def test_candidates_are_word_gaps_glued_capitals_and_glued_sentence_ends_never_in_links() -> None:
    doc = "hearing.que rico :(While we see pic.twitter.com/Ab12Cd34Ef ok"
    assert cut_texts(doc) == [
        ("hearing.", "que"),  # text glued after a sentence end
        ("hearing.que", "rico"),
        ("rico", ":(While"),
        (":", "(While"),
        (":(", "While"),  # a capitalised word glued to a smiley
        (":(While", "we"),
        ("we", "see"),
        ("see", "pic.twitter.com/Ab12Cd34Ef"),
        ("pic.twitter.com/Ab12Cd34Ef", "ok"),
    ]


def test_a_tweet_glued_after_the_prose_above_its_attribution_starts_after_the_period() -> None:
    prose = "The mayor said the plan would reduce traffic in the centre by a third."
    tweet = "que alguien me lleve al trabajo porfa jajaja"
    doc = prose + tweet
    cut = tweet_edge.best_cut(doc, 0, len(doc), True, True, 840, lang_of)
    assert cut is not None and doc[cut.start :] == tweet


def test_a_sentence_of_prose_is_not_cut() -> None:
    doc = "The mayor said the plan would reduce traffic in the historic centre by a third."
    for far_first in (True, False):
        cut = tweet_edge.best_cut(doc, 0, len(doc), far_first, True, 840, lang_of)
        assert cut is None
