"""Segmentation of the seed article and of the attribution layouts the seed shows."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from flows.readers.ingest import doc_text
from flows.records import Article, Segment
from flows.segmentation.segment import segment
from tests.conftest import FIXTURES


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
        "Title\nOfficials gave the figures at a press conference on Monday.\n"
        "Hola a todos pic.twitter.com/abc123\n"
        "— Ana Pérez (@ana_p) May 2, 2022\nMore article text follows here.",
        "ana_p",
        "Ana Pérez",
        date(2022, 5, 2),
        "Hola a todos pic.twitter.com/abc123",
        id="text-above",
    ),
    pytest.param(
        "Title\nOfficials gave the figures at a press conference on Monday.\n"
        "Hola a todos pic.twitter.com/abc123 — Ana Pérez (@ana_p) "
        "2 de mayo de 2022\nMore article text follows here.",
        "ana_p",
        "Ana Pérez",
        date(2022, 5, 2),
        "Hola a todos pic.twitter.com/abc123",
        id="same-line-spanish-date",
    ),
    pytest.param(
        "Title\nOfficials gave the figures at a press conference on Monday.\n"
        "Hola a todos pic.twitter.com/abc123\n"
        "— Ana Pérez (CDMX) (@ana_p) May 2, 2022\nMore article text follows here.",
        "ana_p",
        "Ana Pérez (CDMX)",
        date(2022, 5, 2),
        "Hola a todos pic.twitter.com/abc123",
        id="parentheses-in-name",
    ),
    pytest.param(
        "Title\nOfficials gave the figures at a press conference on Monday.\n"
        "Hola a todos pic.twitter.com/abc123— Ana (@ana_p)\n"
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


@pytest.mark.parametrize(
    ("written", "parsed"),
    [
        ("April 13, 2023", date(2023, 4, 13)),
        ("Apr 13 2023", date(2023, 4, 13)),
        ("13 April 2023", date(2023, 4, 13)),
        ("13 de abril de 2023", date(2023, 4, 13)),
        ("1 de febrero del 2017", date(2017, 2, 1)),
        ("13 abr. 2023", date(2023, 4, 13)),
        ("Sept. 3, 2019", date(2019, 9, 3)),
    ],
)
def test_attribution_dates(written: str, parsed: date) -> None:
    text = f"Title\nBody.\nHola pic.twitter.com/x1\n— Ana (@ana) {written}\nMore."
    [tweet] = [s for s in segment(_article(text)) if s.kind == "tweet"]
    assert tweet.posted_on == parsed


def test_attribution_without_text_keeps_an_empty_tweet_with_a_reason() -> None:
    text = (
        "Title\nA long article paragraph that is plainly not a tweet because it goes on and on "
        "about the policy, the people and the places involved, far past what anyone could "
        "post in one tweet, and it has no links or handles or hashtags of any kind at all, "
        "which is how the scraper left it when the embedded tweet failed to load.\n"
        "— Adolfo Flores (@aflores) November 13, 2018\nThe debate goes on in the senate next week."
    )
    tweets = [s for s in segment(_article(text)) if s.kind == "tweet"]
    assert len(tweets) == 1
    assert tweets[0].text == ""
    assert tweets[0].note == "tweet_text_missing"
    assert tweets[0].author_handle == "aflores"


LAYOUTS = FIXTURES / "layouts"
# fixture → [(handle, posted_on, tweet text)] for every tweet it holds, in order.
LAYOUT_TWEETS = {
    "attribution_before_tweet_text": [
        (
            "lauragomez_cdmx",
            date(2024, 3, 5),
            "¡Por fin! Las ciclovías del centro son una "
            "realidad. Gracias a todos los vecinos. pic.twitter.com/Ab12Cd34Ef",
        ),
    ],
    "bilingual_tweet_english_then_spanish": [
        (
            "MartaReyesTV",
            date(2024, 8, 3),
            "Crews stacking sandbags along the river in Laredo "
            "#TXwx -Brigadas colocan costales de arena en el río #Laredo "
            "pic.twitter.com/Bl55Ng66Ua",
        ),
    ],
    "date_on_its_own_line": [
        (
            "ProteccionCivil",
            date(2024, 3, 4),
            "Las clases se suspenden mañana en toda la "
            "provincia por la tormenta. https://t.co/Xy98Zt76Qw",
        ),
    ],
    "emoji_and_question_marks_in_display_names": [
        (
            "runningmaria",
            date(2024, 4, 21),
            "What a morning, legs are gone but worth every step pic.twitter.com/Ru45Nn67Ee",
        ),
        (
            "pepecorre",
            date(2024, 4, 21),
            "Qué carrera tan bonita, gracias voluntarios pic.twitter.com/Vo11Lu22Nt",
        ),
    ],
    "link_only_tweet": [("MuseoCiudad", date(2024, 2, 2), "https://t.co/Mu55Ra66Lz")],
    "no_space_before_dash": [
        (
            "ClubDeportivo",
            date(2024, 5, 19),
            "¡Campeones! Gracias a esta afición increíble pic.twitter.com/Qw12Er34Ty",
        ),
    ],
    "spanish_article_with_english_tweet": [
        (
            "NASAAdmin",
            date(2024, 9, 12),
            "We are going back to the Moon, and this time to "
            "stay. Liftoff is set for next spring! pic.twitter.com/Nm11Oo22Pp",
        ),
    ],
    "tweet_over_several_lines_one_sentence_per_line": [
        (
            "AEMET_Andalucia",
            date(2024, 7, 9),
            "Hoy hace muchísimo calor en Sevilla.\n"
            "Bebed agua y no salgáis al mediodía.\npic.twitter.com/Hs77Ev88Wq",
        ),
    ],
    "tweet_over_several_lines_with_blank_lines": [
        (
            "GobiernoEstatal",
            date(2024, 1, 15),
            "Se eleva la alerta volcánica a amarillo fase 3.\n"
            "Mantengan la calma y sigan las indicaciones oficiales.\n"
            "No se acerquen al cráter. pic.twitter.com/Vc33Al44Rt",
        ),
    ],
    "tweet_run_into_article_sentence": [
        (
            "NoticiasFront",
            date(2024, 6, 7),
            "Ya está abierto el puente internacional, crucen "
            "con precaución #Frontera pic.twitter.com/Zx09Yw87Vu",
        ),
    ],
    "tweet_text_missing": [("andreaflores", date(2023, 11, 13), "")],
}


def _layout(name: str) -> tuple[Article, tuple[Segment, ...]]:
    article = doc_text((LAYOUTS / f"{name}.txt").read_text(encoding="utf-8"), name)
    return article, segment(article)


def test_every_layout_fixture_is_in_the_table() -> None:
    assert sorted(p.stem for p in LAYOUTS.glob("*.txt")) == sorted(LAYOUT_TWEETS)


@pytest.mark.parametrize("name", sorted(LAYOUT_TWEETS))
def test_layout_tweets(name: str) -> None:
    article, segments = _layout(name)
    tweets = [s for s in segments if s.kind == "tweet"]
    assert [(t.author_handle, t.posted_on, t.text) for t in tweets] == LAYOUT_TWEETS[name]
    for s in segments:
        assert "(@" not in s.text
        for span in s.spans:
            assert article.text[span.start : span.end] in s.text
    covered = sorted((sp.start, sp.end) for s in segments for sp in s.spans)
    for (_, end), (start, _) in pairwise(covered):
        assert end <= start, "segments overlap"


def test_missing_tweet_text_is_kept_with_a_reason() -> None:
    _, segments = _layout("tweet_text_missing")
    [tweet] = [s for s in segments if s.kind == "tweet"]
    assert (tweet.text, tweet.spans, tweet.note) == ("", (), "tweet_text_missing")
    assert [s.text for s in segments if s.kind == "boilerplate"] == [
        "Sign up for our newsletter",
        "You may opt out at any time.",
    ]


def test_article_text_around_a_run_in_tweet_stays_article() -> None:
    _, segments = _layout("tweet_run_into_article_sentence")
    paragraphs = [s.text for s in segments if s.kind == "paragraph"]
    assert paragraphs[0].startswith("Officials reopened the crossing on Friday morning")
    assert paragraphs[1] == "Traffic was light during the first hours."


def test_spanish_boilerplate() -> None:
    _, segments = _layout("spanish_article_with_english_tweet")
    assert [s.text for s in segments if s.kind == "boilerplate"] == [
        "Comparte esta nota",
        "Síguenos en Twitter",
        "Los comentarios están cerrados.",
    ]


def test_bilingual_tweet_is_split_into_its_two_languages() -> None:
    _, segments = _layout("bilingual_tweet_english_then_spanish")
    [tweet] = [s for s in segments if s.kind == "tweet"]
    assert [s.text for s in tweet.sentences] == [
        "Crews stacking sandbags along the river in Laredo #TXwx",
        "-Brigadas colocan costales de arena en el río #Laredo pic.twitter.com/Bl55Ng66Ua",
    ]
