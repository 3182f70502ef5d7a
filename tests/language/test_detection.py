"""Language detection: deterministic, entity-aware, tweet-aware, and `und` with a reason.
Every tweet below was written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.language import langdetect_backend, second_opinion
from flows.language.detection import _judge, detect, detect_document, detect_segment
from flows.language.reading import SEED, clean, normalise, spanish_evidence
from flows.readers.ingest import doc_text
from flows.records import ProcessedDocument, Segment, Sentence, Span
from flows.segmentation.segment import segment
from flows.text.sentences import split_spans


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Hola @amigo mira https://t.co/abc #ReuniónTrilateral", "Hola mira Reunión Trilateral"),
        ("pic.twitter.com/xyz 😀🇲🇽", ""),
        ("#EEUU y #Canadá", "EEUU y Canadá"),
    ],
)
def test_clean_removes_entities(text: str, cleaned: str) -> None:
    assert clean(text) == cleaned


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("HOLAAAA jajaja RT que pasaaa xD", "hola que pasa"),
        ("ESTOY HARTA", "estoy harta"),
        ("jejeje buenas noches hahaha", "buenas noches"),
        ("lluvia y perro", "lluvia y perro"),  # doubled letters are spelling, not emphasis
    ],
)
def test_normalise_lowercases_and_squeezes_emphasis(text: str, normalised: str) -> None:
    assert normalise(clean(text)) == normalised


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("https://t.co/abc 😀", "no_text"),
        ("@a ok", "too_short"),
    ],
)
def test_nothing_to_judge_is_und_with_a_reason(text: str, reason: str) -> None:
    decision = detect(text)
    assert (decision.lang, decision.reason) == ("und", reason)
    if reason != "empty":  # the model decided `und`, and is sure of it
        assert decision.prob > 0.5


def test_j_laughter_leans_spanish_without_being_sure() -> None:
    # TweetLID labels a tweet of `jajaja` `und` as often as not: the model says Spanish, and
    # its confidence says how little that means.
    laugh = detect("RT @marta_lp: jajajaja 😂")
    assert laugh.lang == "es" and 0.5 < laugh.prob < 0.9
    assert detect("RT @marta_lp: jajajaja 😂", context="es").prob > laugh.prob


def test_decisions_are_deterministic_and_keep_candidates() -> None:
    text = "Resultados del diálogo sobre seguridad que tuvo lugar hoy en Washington"
    first, second = detect(text), detect(text)
    assert first == second
    assert first.lang == "es"
    assert first.candidates[0][0] == "es"
    assert 0.9 < first.prob <= 1.0


def test_decisions_do_not_depend_on_the_process_state() -> None:
    texts = ["Hoy toca gym 💪", "ok vale, nos vemos luego", "Total", "Bon dia a tothom!"]
    before = [detect(t) for t in texts]
    langdetect_backend.factory.cache_clear()  # profiles loaded again, as in a new process
    langdetect_backend._judge.cache_clear()
    _judge.cache_clear()
    assert [detect(t) for t in texts] == before


def _bare_langdetect(text: str) -> str:
    """langdetect alone, every profile, raw text (seeded like the stage)."""
    detector = langdetect_backend.factory(None, SEED).create()
    detector.append(text)
    return detector.get_probabilities()[0].lang


@pytest.mark.parametrize(
    "text",
    [
        "ok vale, nos vemos luego",
        "HOLAAAA q tal estáis?? jajaja",
        "Ya estoy en casa jajaja",
        "Por fin viernes!!! #FelizViernes",
        "ESTOY HARTA DE TODO",
        "Hoy toca gym 💪",
        "Qué ganas de verano",
    ],
)
def test_spanish_tweets_that_langdetect_alone_gets_wrong(text: str) -> None:
    assert _bare_langdetect(text) != "es"
    assert detect(text).lang == "es"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Thousands walked north today, families with small kids #CaravanaMigrante", "en"),
        ("So proud of our team tonight #VamosMexico https://t.co/x1", "en"),
        ("Love this city! #CDMX #TacosAlPastor", "en"),
    ],
)
def test_english_tweets_with_spanish_hashtags_stay_english(text: str, lang: str) -> None:
    assert detect(text).lang == lang
    assert detect(text, context="en").lang == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Não sei o que fazer hoje, você vem?", "pt"),
        ("Bon dia a tothom, avui fa molt de sol!", "ca"),
        ("Merci à tous pour ce moment, c'est magnifique", "fr"),
        ("امروز هوا خیلی خوب است", "fa"),  # other scripts: every profile
        ("Сегодня отличная погода", "ru"),
    ],
)
def test_other_languages_keep_their_language(text: str, lang: str) -> None:
    assert detect(text).lang == lang


@pytest.mark.parametrize(
    "text",
    [
        "Moitas grazas a todos, xa estamos na casa",  # Galician: no profile
        "Eskerrik asko denoi, gaur oso egun ona izan da",  # Basque: no profile
        "Che bella giornata oggi, grazie a tutti!",  # Italian: not among the profiles
    ],
)
def test_languages_without_a_profile_are_not_called_spanish(text: str) -> None:
    assert detect(text).lang != "es"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ninguén me entende", "gl"),  # the words say Spanish; langdetect has no Galician
        ("Hoxe non teño ganas de facer nada, xa o sabes.", "gl"),  # langdetect: Portuguese
        ("Gaur ez dut ezer egin nahi, bihar arte.", "eu"),  # langdetect: French, sure
        ("Menuda semana", "es"),  # langdetect: Portuguese
        ("Felices fiestas", "es"),  # langdetect: English
    ],
)
def test_the_model_overrules_langdetect_and_names_galician_and_basque(text: str, lang: str) -> None:
    decision = detect(text)
    assert (decision.lang, decision.reason) == (lang, None)
    assert (decision.lang, decision.prob) == decision.candidates[0]


def test_the_second_opinion_model_is_cached_uncompressed_with_the_same_rankings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    texts = ["Hoxe non teño ganas de facer nada", "Gaur ez dut ezer egin nahi", "Menuda semana"]
    wheel = second_opinion._wheel_identifier()
    path = second_opinion.model_cache_path()
    assert path.parent == tmp_path / "bilingual" and not path.exists()
    second_opinion._identifier.cache_clear()
    try:
        first = second_opinion._identifier()  # from the wheel, writing the cache
        assert path.is_file() and not list(path.parent.glob(".*.tmp"))
        second_opinion._identifier.cache_clear()
        cached = second_opinion._identifier()  # from the cache
        assert [cached.rank(t) for t in texts] == [wheel.rank(t) for t in texts]
        assert [first.rank(t) for t in texts] == [wheel.rank(t) for t in texts]
        path.write_bytes(b"damaged")  # a damaged cache is rebuilt, not an error
        second_opinion._identifier.cache_clear()
        assert second_opinion._identifier().rank(texts[0]) == wheel.rank(texts[0])
        assert path.stat().st_size > 1_000_000
    finally:
        second_opinion._identifier.cache_clear()


def test_an_unwritable_cache_only_costs_the_slower_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bilingual").write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    second_opinion._identifier.cache_clear()
    try:
        assert second_opinion._identifier().rank("Menuda semana")[0][0] == "es"
    finally:
        second_opinion._identifier.cache_clear()


def test_the_segmenters_quick_look_is_langdetect_checked_by_the_words() -> None:
    decision = detect("Qué ganas de verano", second_opinion=False)
    assert (decision.lang, decision.reason) == ("es", "words")
    assert decision.candidates[0][0] != "es"  # langdetect's own call is kept
    assert spanish_evidence("y los niños")["pt"] > 0
    assert spanish_evidence("não sei")["pt"] < 0


def test_context_is_a_prior_that_tips_only_an_undecided_text() -> None:
    from flows.language import language_model

    assert language_model.context_prior() > 1.0
    alone = detect("Total")
    assert alone.prob < 0.9
    tipped = detect("Total", context=alone.candidates[1][0])
    assert (tipped.lang, tipped.reason) == (alone.candidates[1][0], "context")
    assert tipped.prob > dict(alone.candidates)[tipped.lang]
    # A sure decision is stronger than the context.
    assert detect("Thank you all for coming tonight", context="es").lang == "en"
    assert detect("No puedo más con los exámenes de esta semana", context="en").lang == "es"


def _tweet(text: str) -> Segment:
    spans = split_spans(text)
    sentences = tuple(Sentence(i, text[s:e], s, e) for i, (s, e) in enumerate(spans))
    return Segment("doc", 0, "tweet", text, (Span(0, len(text)),), sentences)


def test_mixed_tweet_sentences_are_decided_apart() -> None:
    tweet = detect_segment(
        _tweet("What a night in Madrid! ¡Gracias a todos por venir, os quiero!"), "en"
    )
    assert [s.lang.lang for s in tweet.sentences] == ["en", "es"]
    assert all(s.lang.reason != "from_segment" for s in tweet.sentences)


def test_a_short_aside_follows_its_tweet() -> None:
    tweet = detect_segment(_tweet("Ya estamos en el estadio, qué nervios. Ok!"), "en")
    assert tweet.lang.lang == "es"
    assert [(s.lang.lang, s.lang.reason) for s in tweet.sentences] == [
        ("es", None),
        ("es", "from_segment"),
    ]
    assert tweet.sentences[1].lang.prob == tweet.lang.prob


def test_seed_languages(seed_text: str) -> None:
    doc = detect_document(
        ProcessedDocument(doc_text(seed_text, "seed"), segment(doc_text(seed_text, "seed")))
    )
    assert doc.lang.lang == "en"
    tweets = [s for s in doc.segments if s.kind == "tweet"]
    assert [t.lang.lang for t in tweets] == ["es", "es"]
    assert all(s.lang.lang == "es" for t in tweets for s in t.sentences)
    body = [s for s in doc.segments if s.kind in ("paragraph", "heading", "title", "subtitle")]
    assert {s.lang.lang for s in body} == {"en"}
    # Structure decides before language: boilerplate is not judged.
    boiler = [s for s in doc.segments if s.kind == "boilerplate"]
    assert {(s.lang.lang, s.lang.reason) for s in boiler} == {("und", "boilerplate")}
