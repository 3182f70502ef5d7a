"""The fitting benchmark writes the same model bytes from the same data, and the stage reads
a written model as the benchmark scored it."""

from __future__ import annotations

import io

import numpy as np
import pytest

from benchmarks import fit_language_model as fitting
from flows.language import language_model
from tests.conftest import ROOT

TWEETLID = ROOT.parent / "shared" / "eval" / "tweetlid2014" / "tweets.tsv"

pytest.importorskip("sklearn")


@pytest.mark.skipif(not TWEETLID.exists(), reason="TweetLID is not in ../shared/eval")
def test_fitting_twice_writes_the_same_bytes_and_the_stage_reads_them_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tweets = fitting.read_tweetlid(fitting.DEFAULT_EVAL)[::12]
    matrix = fitting.Matrix([language_model.evidence(t.text) for t in tweets])
    rows = [i for i, t in enumerate(tweets) if fitting.target(t)]
    labels = [fitting.target(tweets[i]) or "" for i in rows]
    blobs = []
    for _ in range(2):
        arrays = fitting.fit(matrix, rows, labels, fitting.settings())
        arrays.update(temperature=1.5, context_prior=2.0)
        blobs.append(fitting.npz_bytes(arrays))
    assert blobs[0] == blobs[1]
    with np.load(io.BytesIO(blobs[0])) as data:
        assert set(data.files) >= {"vocabulary", "ngram_weights", "dense_weights", "bias"}

    monkeypatch.setattr(language_model, "model_bytes", lambda: blobs[0])
    for memo in (language_model.model, language_model._word_rows, language_model._chunk_ngrams):
        memo.cache_clear()
    try:
        for tweet in tweets[:50]:
            found = language_model.evidence(tweet.text)
            expected = fitting.logits(arrays, found)
            assert np.allclose(language_model.logits(found), expected, atol=1e-9)
        assert language_model.context_prior() == 2.0
    finally:
        monkeypatch.undo()
        for memo in (language_model.model, language_model._word_rows, language_model._chunk_ngrams):
            memo.cache_clear()
