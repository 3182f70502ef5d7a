"""On every Spanish tweet of TweetLID 2014, each @handle, #hashtag and URL comes out of both
engines exactly as it went in. The data is read from ../shared/eval (never copied here)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from flows.engines import TranslationEngine, apertium
from flows.text.sentences import split_spans
from flows.translation.batch import translate_unique
from tests.conftest import ROOT

TWEETS = ROOT.parent / "shared" / "eval" / "tweetlid2014" / "tweets.tsv"
# Deliberately simpler than flows.text.entities, so the check does not share its blind spots.
ENTITY_RE = re.compile(r"(?:https?://|pic\.twitter\.com/)[^\s…\"“”«»']+|[@#][^\W_]\w*")

pytestmark = pytest.mark.skipif(not TWEETS.exists(), reason=f"{TWEETS} is not present")


def spanish_tweets() -> list[str]:
    with TWEETS.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [r[3] for r in rows if len(r) >= 4 and r[2] == "es"]


def translate_tweets(engine: TranslationEngine, tweets: list[str]) -> list[str]:
    """As the pipeline does: each tweet split into sentences, each sentence translated."""
    split = [[t[s:e] for s, e in split_spans(t, tweet=True)] for t in tweets]
    done = translate_unique(engine, [s for sentences in split for s in sentences])
    return [" ".join(done[s].text for s in sentences) for sentences in split]


def assert_entities_kept(tweets: list[str], outputs: list[str]) -> None:
    lost = [
        (entity, tweet, out)
        for tweet, out in zip(tweets, outputs, strict=True)
        for entity in ENTITY_RE.findall(tweet)
        if entity.rstrip(".,:;!?)»”\"'") not in out
    ]
    assert not lost, f"{len(lost)} entities changed, e.g. {lost[:3]}"


@pytest.mark.skipif(not apertium.is_available("es", "en"), reason="no apertium-eng-spa")
def test_apertium_keeps_every_entity() -> None:
    tweets = spanish_tweets()
    assert len(tweets) > 1000
    assert_entities_kept(tweets, translate_tweets(apertium.ApertiumEngine("es", "en"), tweets))


def test_argos_keeps_every_entity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.engines.argos import ArgosEngine, find_package
    from flows.engines.argos_packages import install_file
    from tests.support.tiny_argos import build_tiny_argosmodel

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "packages"))
    install_file(build_tiny_argosmodel(tmp_path / "build"), "es", "en")
    engine = ArgosEngine(find_package("es", "en"), beam_size=1, max_decoding_length=8)
    tweets = spanish_tweets()
    assert_entities_kept(tweets, translate_tweets(engine, tweets))
