"""The fast langdetect backend gives langdetect's own results, bit for bit: the same
candidates and every profile's probability as the same float, for the texts the detect
stage judges (TweetLID 2014 tweets, the layout set's articles, segments and sentences),
with the detect stage's profiles and seed."""

from __future__ import annotations

import pytest

from flows.language import langdetect_backend as backend
from flows.language.reading import LATIN_LANGS, SEED, clean, normalise
from flows.readers.ingest import read_article
from flows.records import Article
from flows.segmentation.segment import segment
from tests.conftest import ROOT

EVAL = ROOT.parent / "shared" / "eval"
TWEETS = EVAL / "tweetlid2014" / "tweets.tsv"
LAYOUTS = EVAL / "layouts" / "articles"
# Every Nth text is also judged among all 55 profiles (the reference takes ~20 ms a text,
# against ~4 ms among the five Latin-script profiles that nearly every tweet is judged with).
ALL_PROFILES_EVERY = 50

needs_rust = pytest.mark.skipif(
    not backend._rust_available(), reason="langdetect-rs is not installed"
)


def same_as_reference(texts: list[str], langs: tuple[str, ...] | None) -> list[str]:
    """The texts on which langdetect-rs and langdetect disagree in any way."""
    return [
        t
        for t in texts
        if backend.judge(t, langs, SEED, "langdetect-rs")
        != backend.judge(t, langs, SEED, "langdetect")
    ]


def tweet_texts() -> list[str]:
    if not TWEETS.exists():
        pytest.skip(f"{TWEETS} is absent")
    lines = TWEETS.read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 3)[3] for line in lines if line.count("\t") >= 3]


def layout_texts() -> list[str]:
    """The article bodies, segments and sentences of the layout set, once each."""
    if not LAYOUTS.exists():
        pytest.skip(f"{LAYOUTS} is absent")
    texts: dict[str, None] = {}
    for path in sorted(LAYOUTS.glob("*.txt")):
        article = read_article(path)
        assert isinstance(article, Article), article
        segments = [s for s in segment(article) if s.kind != "boilerplate"]
        texts["\n".join(s.text for s in segments if s.kind != "tweet")] = None
        for s in segments:
            texts[s.text] = None
            texts.update(dict.fromkeys(x.text for x in s.sentences))
    return list(texts)


@needs_rust
def test_every_tweet_gets_langdetects_probabilities() -> None:
    tweets = tweet_texts()
    prepared = [normalise(clean(t)) for t in tweets]
    assert len(tweets) > 7000
    assert same_as_reference(prepared, LATIN_LANGS) == []
    sample = tweets[::ALL_PROFILES_EVERY] + prepared[::ALL_PROFILES_EVERY]
    assert same_as_reference(sample, None) == []


@needs_rust
def test_every_text_of_the_layout_set_gets_langdetects_probabilities() -> None:
    texts = layout_texts()
    prepared = list(dict.fromkeys(normalise(clean(t)) for t in texts))
    assert len(prepared) > 1000
    assert same_as_reference(prepared, LATIN_LANGS) == []
    assert same_as_reference(prepared[::ALL_PROFILES_EVERY], None) == []


@needs_rust
def test_the_rust_backend_is_the_default_and_the_reference_can_be_forced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(backend.BACKEND_ENV, raising=False)
    assert backend.backend() == "langdetect-rs"
    monkeypatch.setenv(backend.BACKEND_ENV, "langdetect")
    assert backend.backend() == "langdetect"
    assert type(backend.factory(LATIN_LANGS, SEED)).__module__.startswith("langdetect.")


def test_judgements_are_candidates_and_every_profiles_probability() -> None:
    judged = backend.judge("el perro come en la casa de mi madre", LATIN_LANGS, SEED)
    assert judged is not None
    assert judged.langs == tuple(sorted(LATIN_LANGS))
    assert judged.ranked[0][0] == "es"
    assert judged.prob("es") == judged.ranked[0][1] == judged.prob_map()["es"]
    assert sum(judged.probs) == pytest.approx(1.0)
    assert [lang for lang, p in judged.ranked] == sorted(
        (lang for lang, p in judged.prob_map().items() if p > 0.1),
        key=lambda lang: -judged.prob(lang),
    )


@pytest.mark.parametrize("name", backend.BACKENDS)
def test_a_text_without_features_is_none_for_both_backends(name: str) -> None:
    if name == "langdetect-rs" and not backend._rust_available():
        pytest.skip("langdetect-rs is not installed")
    assert backend.judge("1234 5678", LATIN_LANGS, SEED, name) is None
