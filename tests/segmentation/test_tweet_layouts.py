"""Every tweet layout of real scrapes, in paragraph style and one-sentence-per-line style, with
every kind of date: the shapes of the layout benchmark (`../shared/eval/layouts`), written
here with our own prose and tweets."""

from __future__ import annotations

from datetime import date

import pytest

from flows.language.detection import detect_document
from flows.readers.ingest import doc_text
from flows.records import ProcessedDocument, Segment
from flows.segmentation.segment import segment

PROSE = [
    "The city council met on Tuesday to discuss the new transport plan for the region.",
    "Several residents spoke against the proposal during the public hearing.",
    "The mayor said the plan would reduce traffic in the historic centre by a third.",
    "Opposition members asked for an independent study of the costs before any vote.",
    "A final decision is expected at the next session of the council in March.",
    "Local businesses have been divided over the changes for more than a year.",
]
TWEET = "Qué vergüenza, otra vez sin autobús en mi barrio #Transporte pic.twitter.com/Ab12Cd34Ef"
NAME, HANDLE = "Lucía Martín 🚌", "lucia_martin"
DATES = {
    "mdy": ("April 13, 2023", date(2023, 4, 13)),
    "dmy": ("13 April 2023", date(2023, 4, 13)),
    "es": ("13 de abril de 2023", date(2023, 4, 13)),
    "other_language": ("13 avril 2023", date(2023, 4, 13)),
    "old_embed": ("3:45 PM - 13 Apr 2023", date(2023, 4, 13)),
    "garbled": ("April ??, 2023", None),
    "garbled_es": ("?? de abril de 2023", None),
    "garbled_year": ("April 13, 20??", None),
    "none": ("", None),
}


def tweet_block(layout: str, written: str) -> tuple[str, str]:
    """The tweet as the scraper left it, and the tweet text the segmenter should find."""
    who = f"— {NAME} (@{HANDLE})"
    attribution = f"{who} {written}".strip()
    if layout == "text_then_attribution":
        return f"{TWEET}\n{attribution}", TWEET
    if layout == "inline":
        return f"{TWEET} {attribution}", TWEET
    if layout == "inline_no_space":
        return f"{TWEET}{attribution}", TWEET
    if layout == "date_line":
        return f"{TWEET}\n{who}\n{written}", TWEET
    if layout == "split":
        text = TWEET.replace(" #Transporte", "")
        return f"#Transporte\n{attribution}\n{text}", f"#Transporte\n{text}"
    assert layout == "missing"
    return attribution, ""


def article(style: str, block: str) -> str:
    if style == "P":  # paragraphs of two sentences between blank lines
        paragraphs = [" ".join(PROSE[i : i + 2]) for i in range(0, len(PROSE), 2)]
        body = "\n\n".join([paragraphs[0], block, *paragraphs[1:]])
    else:  # one sentence per line, no blank line after the title
        body = "\n".join([*PROSE[:3], block, *PROSE[3:]])
    return f"Council debates transport plan\n\n{body}\n"


def the_tweet(text: str) -> tuple[Segment, tuple[Segment, ...]]:
    segments = segment(doc_text(text, "layout.txt"))
    tweets = [s for s in segments if s.kind == "tweet"]
    assert len(tweets) == 1, [s.text for s in segments]
    return tweets[0], segments


LAYOUTS = ("text_then_attribution", "inline", "inline_no_space", "date_line", "split", "missing")


@pytest.mark.parametrize("style", ["P", "L"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_in_both_styles(layout: str, style: str) -> None:
    block, expected = tweet_block(layout, DATES["mdy"][0])
    tweet, segments = the_tweet(article(style, block))
    assert (tweet.author_name, tweet.author_handle) == (NAME, HANDLE)
    assert tweet.text == expected
    assert tweet.posted_on == date(2023, 4, 13)
    assert tweet.note == (None if expected else "tweet_text_missing")
    prose = [s.text for s in segments if s.kind == "paragraph"]
    assert " ".join(prose).count(".") >= len(PROSE), "no article sentence went missing"
    assert not any("(@" in s.text or TWEET[:20] in s.text for s in segments if s.kind != "tweet")


@pytest.mark.parametrize("style", ["P", "L"])
@pytest.mark.parametrize("kind", sorted(DATES))
def test_every_date_is_found_and_read_or_noted(kind: str, style: str) -> None:
    written, parsed = DATES[kind]
    layout = "date_line" if kind != "none" and style == "L" else "text_then_attribution"
    tweet, segments = the_tweet(article(style, tweet_block(layout, written)[0]))
    assert tweet.text == TWEET
    assert tweet.posted_on == parsed
    assert tweet.note == ("date_unreadable" if written and parsed is None else None)
    if written:
        assert not any(written in s.text for s in segments), "the date is never text"


def test_a_handle_longer_than_twitter_allows_is_no_attribution() -> None:
    text = article("L", f"{TWEET}\n— {NAME} (@a_handle_far_too_long) April 13, 2023")
    assert not [s for s in segment(doc_text(text, "x.txt")) if s.kind == "tweet"]


def test_a_split_tweet_keeps_its_text_above_an_attribution_that_lost_its_own() -> None:
    """The text below a split attribution, then a blank line, then an attribution whose
    tweet text the scraper lost: the text is the first tweet's."""
    split, expected = tweet_block("split", "April 13, 2023")
    block = f"{split}\n\n— Election Watch (@ElectionWatch) April 14, 2023"
    segments = segment(doc_text(article("P", block), "x.txt"))
    first, lost = [s for s in segments if s.kind == "tweet"]
    assert (first.author_handle, first.text) == (HANDLE, expected)
    assert (lost.author_handle, lost.text, lost.note) == ("ElectionWatch", "", "tweet_text_missing")


def test_spanish_line_above_an_attribution_in_an_english_article_is_the_tweet() -> None:
    block = (
        "No hay autobuses desde las seis de la mañana.\nEsperamos una respuesta del ayuntamiento."
    )
    tweet, segments = the_tweet(article("L", f"{block}\n— {NAME} (@{HANDLE}) April 13, 2023"))
    assert tweet.text == block
    assert PROSE[2] in [s.text for s in segments if s.kind == "paragraph"]


def test_english_prose_line_above_a_spanish_tweet_stays_article() -> None:
    tweet, segments = the_tweet(article("L", tweet_block("text_then_attribution", "")[0]))
    assert tweet.text == TWEET
    assert segments[[s.kind for s in segments].index("tweet") - 1].text == PROSE[2]


def _judged(text: str) -> ProcessedDocument:
    article = doc_text(text, "x.txt")
    return detect_document(ProcessedDocument(article, segment(article)))


SPANISH_ARTICLE = """Colas en los colegios electorales de Madrid
Los votantes acudieron desde primera hora a los colegios de la capital.
La participación superó la de las anteriores elecciones según los datos oficiales.
{tweet}
— Election Watch (@ElectionWatch) 26 de mayo de 2024
El recuento comenzará a las ocho de la tarde en todos los colegios.
"""


def test_a_short_sentence_follows_its_tweet() -> None:
    doc = _judged(
        SPANISH_ARTICLE.format(tweet="Hoje fomos todos votar com a família. Estamos juntos.")
    )
    [tweet] = [s for s in doc.segments if s.kind == "tweet"]
    assert tweet.lang.lang == "pt"
    assert [(s.text, s.lang.lang) for s in tweet.sentences] == [
        ("Hoje fomos todos votar com a família.", "pt"),
        ("Estamos juntos.", "pt"),
    ]


def test_the_article_language_never_overrides_a_confident_judgement() -> None:
    doc = _judged(SPANISH_ARTICLE.format(tweet="Long lines, no incidents. Polls close at eight."))
    assert doc.lang.lang == "es"
    [tweet] = [s for s in doc.segments if s.kind == "tweet"]
    assert tweet.lang.lang == "en"
    assert [s.lang.lang for s in tweet.sentences] == ["en", "en"]
