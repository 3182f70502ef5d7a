"""The fitted language model: its confidence means what it says on tweets it was never
fitted on, it never ranks the chosen language below a rejected one, the model file's digest
is in the detector's signature, and `--explain` names the evidence."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.language import detection, language_model
from tests.conftest import FIXTURES, ROOT

CALCS = ROOT.parent / "shared" / "eval" / "calcs2016"
TWEETLID = ROOT.parent / "shared" / "eval" / "tweetlid2014" / "tweets.tsv"


def _calcs_monolingual() -> list[tuple[str, str]]:
    """(text, language) of the CALCS 2016 tweets whose tokens are all Spanish or all English
    (besides `other`): data the model was not fitted on."""
    texts: dict[str, str] = {}
    for line in (CALCS / "dev_tweets.tsv").read_text(encoding="utf-8").splitlines():
        tweet_id, _user, text = line.split("\t", 2)
        texts[tweet_id] = text
    labels: dict[str, set[str]] = {}
    for line in (CALCS / "dev_data.tsv").read_text(encoding="utf-8").splitlines():
        tweet_id, *_rest, label = line.split("\t")
        labels.setdefault(tweet_id, set()).add(label)
    out = []
    for tweet_id, text in sorted(texts.items()):
        langs = labels.get(tweet_id, set()) - {"other"}
        if len(langs) == 1:
            out.append((text, langs.pop()))
    return out


def _ece(confidence: list[float], right: list[bool], bins: int = 10) -> float:
    total = 0.0
    for b in range(bins):
        idx = [i for i, c in enumerate(confidence) if b / bins < c <= (b + 1) / bins]
        if idx:
            gap = sum(confidence[i] for i in idx) - sum(right[i] for i in idx)
            total += abs(gap)
    return total / len(confidence)


@pytest.mark.skipif(not CALCS.exists(), reason="CALCS 2016 is not in ../shared/eval")
def test_confidence_is_calibrated_on_tweets_it_was_not_fitted_on() -> None:
    sample = _calcs_monolingual()
    assert len(sample) > 400
    decisions = [detection.detect(text) for text, _ in sample]
    confidence = [d.prob for d in decisions]
    right = [d.lang == lang for d, (_, lang) in zip(decisions, sample, strict=True)]
    assert _ece(confidence, right) <= 0.06
    sure = [r for c, r in zip(confidence, right, strict=True) if c > 0.9]
    assert len(sure) > len(sample) / 2
    assert sum(sure) / len(sure) >= 0.9


@pytest.mark.skipif(not TWEETLID.exists(), reason="TweetLID is not in ../shared/eval")
def test_no_answer_ranks_the_chosen_language_below_a_rejected_one() -> None:
    lines = TWEETLID.read_text(encoding="utf-8").splitlines()[::4]
    decisions = [detection.detect(line.split("\t", 3)[3], "en") for line in lines]
    for d in decisions:
        assert d.candidates == tuple(sorted(d.candidates, key=lambda c: (-c[1], c[0])))
        if d.candidates:
            assert (d.lang, d.prob) == d.candidates[0]
    assert {d.lang for d in decisions} >= {"es", "pt", "ca", "en", "gl", "eu", "und"}


def test_the_model_file_digest_is_in_the_detector_signature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blob = language_model.model_bytes()
    assert len(blob) <= 5 * 1024 * 1024
    digest = hashlib.sha256(blob).hexdigest()[:12]
    assert f"+model.{digest}+" in detection.signature()
    other = FIXTURES  # any other bytes make another digest
    monkeypatch.setattr(language_model, "model_bytes", lambda: blob + b"\0")
    language_model.model.cache_clear()
    try:
        changed = detection.signature()
    finally:
        monkeypatch.undo()
        language_model.model.cache_clear()
    assert digest not in changed and other.exists()
    assert detection.signature() != changed


def test_short_spanish_replies_are_spanish() -> None:
    for text in ("Jajajaja. 👏👏", "que buena!!", "Sí, de acuerdo", "jajaja qué weá po"):
        assert detection.detect(text, "es").lang == "es", text


def test_explain_names_the_evidence_and_how_much_it_moved_the_decision() -> None:
    text = "Nos reunimos con Elizabeth Sherwood Randall @LSRTweets\n"
    result = CliRunner().invoke(main, ["detect", "--explain", "-"], input=text)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (answer["lang"], answer["reason"]) == ("es", "model")
    assert answer["confidence"] == answer["candidates"][0]["prob"]
    evidence = answer["evidence"]
    assert evidence["for"] == "es" and evidence["over"] == answer["candidates"][1]["lang"]
    assert set(evidence["log_odds"]) == {*language_model.GROUPS, "bias"}
    assert sum(evidence["log_odds"].values()) > 0  # together they favour the decision
    assert any(
        rule.startswith(f"evidence for es over {evidence['over']}: ") for rule in answer["rules"]
    )
