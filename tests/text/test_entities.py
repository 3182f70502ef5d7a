"""Entities (links, @handles, #hashtags, emoji) come out of any engine as they went in."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from flows.records import Translation
from flows.text.entities import hashtags, mask, mentions, translate_keeping_entities, unmask, urls

SEED_TWEET = (
    "Nos reunimos con Elizabeth Sherwood Randall @LSRTweets, asesora de Seguridad Nacional "
    "de #EEUU, y Jody Thomas. pic.twitter.com/L9axrJpOKj"
)


def upper(batch: Sequence[str]) -> list[Translation]:
    """A fake engine that changes every letter (placeholders included)."""
    return [Translation(s.upper(), -0.5) for s in batch]


def lossy(batch: Sequence[str]) -> list[Translation]:
    """A fake engine that drops every placeholder, as a random-weight model does."""
    return [Translation("palabras sin marcas", -1.0) for _ in batch]


def test_entities_are_listed() -> None:
    assert mentions(SEED_TWEET) == ("@LSRTweets",)
    assert hashtags(SEED_TWEET) == ("#EEUU",)
    assert urls(SEED_TWEET) == ("pic.twitter.com/L9axrJpOKj",)
    assert hashtags("see https://example.com/#anchor and #real") == ("#real",)


def test_edge_entities_are_set_aside_and_inner_ones_masked() -> None:
    m = mask(SEED_TWEET)
    assert m.suffix == " pic.twitter.com/L9axrJpOKj"
    assert m.interior == ("@LSRTweets", "#EEUU")
    assert "@" not in m.core and "#" not in m.core
    assert unmask(m, m.core) == SEED_TWEET


@pytest.mark.parametrize("engine", [upper, lossy], ids=["keeps-placeholders", "drops-them"])
def test_every_entity_survives_any_engine(engine) -> None:
    text = "🇲🇽 Hola @ana, mira #EEUU https://t.co/AbC123 y más 😀"
    [out] = translate_keeping_entities(engine, [text])
    for entity in ("🇲🇽", "@ana", "#EEUU", "https://t.co/AbC123", "😀"):
        assert entity in out.text


def test_entity_only_sentences_are_not_sent() -> None:
    sent: list[str] = []

    def spy(batch: Sequence[str]) -> list[Translation]:
        sent.extend(batch)
        return [Translation(s, 0.0) for s in batch]

    out = translate_keeping_entities(spy, ["#ReuniónTrilateral", "pic.twitter.com/x 😀", "Hola"])
    assert sent == ["Hola"]
    assert [t.text for t in out] == ["#ReuniónTrilateral", "pic.twitter.com/x 😀", "Hola"]


@pytest.mark.parametrize(
    "text",
    [
        "Eres mi vida!!#lerdis#lerdisinlove#teamo hoy",
        "#Marca2Millones@marca por Don Luis",
        "@@TenisActualidad gracias por seguirme",
    ],
    ids=["glued-hashtags", "hashtag-glued-to-handle", "double-at"],
)
def test_glued_tags_survive_as_written(text: str) -> None:
    [out] = translate_keeping_entities(lossy, [text])
    run = next(token for token in text.split() if "#" in token or "@" in token)
    assert run[run.index(next(c for c in run if c in "#@")) :] in out.text


@pytest.mark.parametrize(
    ("text", "only"),
    [
        ("#ReuniónTrilateral", True),
        ("@a #b https://t.co/x 🙌", True),
        ("#Gracias a todos", False),
        ("", True),
    ],
)
def test_entity_only_sentences_are_recognised(text: str, only: bool) -> None:
    from flows.text.entities import is_entities_only

    assert is_entities_only(text) is only
