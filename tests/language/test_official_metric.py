"""TweetLID 2014's macro-F1 as the task's own scorer (`tweetLID_eval.pl`) computes it, on
answers small enough to count by hand: the figure issue 20's acceptance is stated in."""

from __future__ import annotations

import pytest

from benchmarks.quality import OFFICIAL_CATEGORIES, Tweet, official_macro


def _tweets(labels: list[str]) -> list[Tweet]:
    return [Tweet(str(i), label, "text") for i, label in enumerate(labels)]


def test_other_is_und_in_the_gold_and_in_the_answers() -> None:
    # A French tweet labelled `other`, answered `fr`: the run submits `other`, which the
    # scorer reads as `und`, a true positive of `und` (the earlier reading had it wrong).
    m = official_macro(_tweets(["other", "und", "es"]), ["fr", "it", "es"])
    assert m["und"] == 1.0
    assert m["und_p"] == 1.0 and m["und_r"] == 1.0


def test_ambiguous_and_mixed_labels_count_as_the_scorer_counts_them() -> None:
    tweets = _tweets(["es/gl", "gl/pt", "es+en", "es+en", "ca+es/gl"])
    m = official_macro(tweets, ["gl", "es", "es", "pt", "es"])
    # es/gl answered gl: amb TP; gl/pt answered es: es FP, amb FN.
    assert (m["amb_p"], m["amb_r"]) == (1.0, 0.5)
    # es+en answered es: es TP, en FN; answered pt: pt FP, es FN, en FN.
    # ca+es/gl (ca+es or ca+gl, the first required) answered es: es TP, ca FN.
    assert m["es_p"] == pytest.approx(2 / 3)  # 2 TP, 1 FP (the gl/pt tweet)
    assert m["es_r"] == pytest.approx(2 / 3)  # 2 TP, 1 FN
    assert m["en_r"] == 0.0 and m["ca_r"] == 0.0 and m["pt_p"] == 0.0


def test_macro_f1_is_the_mean_of_the_per_class_f1() -> None:
    tweets = _tweets(["es", "es", "es", "pt", "gl", "und"])
    m = official_macro(tweets, ["es", "es", "gl", "pt", "es", "es"])
    per_class = [m[c] for c in OFFICIAL_CATEGORIES]
    assert m["macro_f1"] == pytest.approx(sum(per_class) / len(per_class))
    # es: 2 TP, 2 FP, 1 FN → F1 4/7; pt 1.0; gl: 0 TP → 0; und, ca, en, eu, amb 0.
    assert m["es"] == pytest.approx(4 / 7)
    assert m["macro_f1"] == pytest.approx((4 / 7 + 1.0) / 8)
    # Not the harmonic mean of macro P and R, which reads higher here.
    mp, mr = m["macro_p"], m["macro_r"]
    assert 2 * mp * mr / (mp + mr) > m["macro_f1"]
