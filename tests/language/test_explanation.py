"""Explainable detection: every decision's reason is from the README's closed list, and no
chosen language has a lower confidence than a candidate it rejected."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.language.detection import detect, detect_document
from flows.language.explanation import REASONS, as_json
from tests.conftest import ROOT, SEED, SNAPSHOTS

TWEETLID = ROOT.parent / "shared" / "eval" / "tweetlid2014" / "tweets.tsv"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _unexplained(answer: dict[str, object]) -> bool:
    """The chosen language is less probable than a candidate."""
    best = max((c["prob"] for c in answer["candidates"]), default=0.0)  # type: ignore[attr-defined]
    return answer["confidence"] < best  # type: ignore[operator]


def test_the_readme_lists_every_reason_code() -> None:
    start = README.index("#### Why a language")
    section = README[start : README.index("\n### ", start)]
    listed = re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)
    assert sorted(listed) == sorted(REASONS)


@pytest.mark.skipif(not TWEETLID.exists(), reason="TweetLID is not in ../shared/eval")
def test_no_tweetlid_decision_is_unexplained() -> None:
    lines = TWEETLID.read_text(encoding="utf-8").splitlines()
    texts = [line.split("\t", 3)[3] for line in lines[::5] if line.count("\t") >= 3]
    answers = [as_json(detect(t), n) for n, t in enumerate(texts, start=1)]
    assert len(answers) > 1000
    assert {a["reason"] for a in answers} <= set(REASONS)
    assert [a for a in answers if _unexplained(a)] == []
    # the candidates are there to compare with, so the check above is not vacuous
    assert sum(len(a["candidates"]) > 1 for a in answers) > len(answers) / 2


def test_every_decision_of_the_seed_has_a_listed_reason() -> None:
    from flows.readers.ingest import read_article
    from flows.records import Article, ProcessedDocument
    from flows.segmentation.segment import segment

    article = read_article(SEED)
    assert isinstance(article, Article)
    doc = detect_document(ProcessedDocument(article, segment(article)))
    decisions = [s.lang for s in doc.segments] + [x.lang for s in doc.segments for x in s.sentences]
    answers = [as_json(d, 0) for d in decisions]
    assert {a["reason"] for a in answers} <= set(REASONS)
    assert [a for a in answers if _unexplained(a)] == []


def test_detect_explain_snapshot() -> None:
    text = "Nos reunimos con Elizabeth Sherwood Randall @LSRTweets\n\nholaaa jajaja #BuenosDías\n"
    result = CliRunner().invoke(main, ["detect", "--explain", "-"], input=text)
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["line"] for a in answers] == [1, 2, 3]
    first = answers[0]
    assert (first["lang"], first["reason"], first["cleaned"]) == (
        "es",
        "model",
        "nos reunimos con elizabeth sherwood randall",
    )
    assert first["rules"][2].startswith("model: es ")
    assert first["rules"][3].startswith("evidence for es over ")
    assert (answers[1]["lang"], answers[1]["reason"]) == ("und", "empty")
    snapshot = SNAPSHOTS / "detect_explain.jsonl"
    assert result.stdout == snapshot.read_text(encoding="utf-8")
