"""Where, inside one unit of a glued body, a tweet's text ends and the article's prose begins.

Scrapers glue a tweet to the prose around it without a sentence end (`…que puto tonto La meta
de USA…`, `…evolución.que rápido se me está…`, `…hora (:While the US…`), so no unit boundary
stands at the tweet's edge. Every place in the unit where a block may begin is a candidate cut:
each gap between words, a capitalised word glued to what precedes it, text glued after a sentence
end. Each candidate is described by a few features (what kind of cut it is, how much the text on
each side of it reads like a tweet, what the tweet's side holds next to the cut, how long it
would be) and scored by a small logistic model, one weight set per side of the attribution;
the best candidate is cut when its score is positive.

The weights were fitted by `benchmarks/fit_extent.py` (`--edges`) on generated glued and spaced
sets of seeds 11 to 14 made from tweets the register model never saw (a conditional logit: the
truth's cut, or none, against the other candidates of the same unit), and checked on seed 7 (the
visible set) and seeds 99 and 23."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flows.segmentation import tweet_register
from flows.text import entities

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
# A gap between words, a capitalised word glued to anything (`tonto(:While`, `xDParis`), or
# text glued after sentence punctuation (`evolución.que`, `front.'don't`).
CANDIDATE_RE = re.compile(
    rf"\s+|(?<=\S)(?=[{_UPPER}][a-zß-ÿ])|(?<=[.!?…:;\"”)])(?=[^\s.!?…:;\"”)])"
)
SENTENCE_END = tuple('.!?…"”')
KINDS = ("end_upper", "end_other", "word_upper", "word_lower", "mark")
# The text read on each side of a cut, next to it.
WINDOW = 48
# A near part that would hold at most this many words reads too little to be judged.
SHORT_WORDS = 2
# Twitter's marks or a smiley where the tweet's side touches the cut.
_TWEET_END_RE = re.compile(
    r"(?:https?://\S+|pic\.twitter\.com/\w+|[@#]\w+|[:;xX][-']?[)(DPpo$3/|*]+|\(:|[!?]{2,}|\S*"
    + entities.EMOJI_RE.pattern
    + r")\Z"
)
_TWEET_START_RE = re.compile(r"\A(?:[@#]\w|[a-zß-ÿ])")

# Where the unit stands: above or below its attribution, taken by the walk over units as tweet
# text (its far part may be prose) or the first unit the walk refused (its near part may be
# tweet text). One weight set for each.
PLACES = ("above_taken", "above_refused", "below_taken", "below_refused")
FEATURES = (
    *KINDS,
    "glued",
    "far_register",
    "near_register",
    "near_whole_register",
    "near_long",
    "near_short",
    "far_short",
    "far_sentence",
    "near_marks",
)

# Fitted by benchmarks/fit_extent.py --edges (see the module docstring).
BIAS: Mapping[str, float] = {
    "above_taken": -4.631,
    "above_refused": -3.153,
    "below_taken": -2.970,
    "below_refused": -4.484,
}
WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "above_taken": {
        "end_upper": 1.217,
        "end_other": 0.985,
        "word_upper": -1.849,
        "word_lower": -4.133,
        "mark": -0.850,
        "glued": 0.252,
        "far_register": -2.846,
        "near_register": 0.727,
        "near_whole_register": -0.513,
        "near_long": -1.268,
        "near_short": -2.536,
        "far_short": -1.170,
        "far_sentence": 2.202,
        "near_marks": 0.873,
    },
    "above_refused": {
        "end_upper": -0.345,
        "end_other": 1.750,
        "word_upper": -1.243,
        "word_lower": -2.347,
        "mark": -0.968,
        "glued": 0.685,
        "far_register": 0.072,
        "near_register": 0.630,
        "near_whole_register": 1.153,
        "near_long": -1.124,
        "near_short": -1.498,
        "far_short": -0.439,
        "far_sentence": 1.405,
        "near_marks": -0.350,
    },
    "below_taken": {
        "end_upper": 1.391,
        "end_other": -0.365,
        "word_upper": 0.180,
        "word_lower": -3.633,
        "mark": -0.544,
        "glued": -0.641,
        "far_register": -2.827,
        "near_register": 1.289,
        "near_whole_register": -0.536,
        "near_long": -0.353,
        "near_short": -1.142,
        "far_short": -1.715,
        "far_sentence": 0.951,
        "near_marks": 1.253,
    },
    "below_refused": {
        "end_upper": 0.239,
        "end_other": -0.127,
        "word_upper": 0.191,
        "word_lower": -4.034,
        "mark": -0.752,
        "glued": -1.903,
        "far_register": -0.715,
        "near_register": 0.652,
        "near_whole_register": 1.785,
        "near_long": -0.674,
        "near_short": -1.690,
        "far_short": -0.188,
        "far_sentence": 0.356,
        "near_marks": 1.472,
    },
}


@dataclass(frozen=True)
class Cut:
    """A candidate edge: the first part ends at `end`, the second begins at `start`."""

    end: int
    start: int
    kind: str


def candidates(doc: str, lo: int, hi: int) -> list[Cut]:
    """The candidate cuts strictly inside `doc[lo:hi]`, links left whole."""
    links = [(m.start(), m.end()) for m in entities.URL_RE.finditer(doc, lo, hi)]
    out: list[Cut] = []
    for m in CANDIDATE_RE.finditer(doc, lo, hi):
        end, start = m.start(), m.end()
        if end <= lo or start >= hi or any(a < end and start < b for a, b in links):
            continue
        before, after = doc[end - 1], doc[start]
        if before in SENTENCE_END:
            kind = "end_upper" if after.isupper() else "end_other"
        elif before.isalnum() and after.isalpha():
            kind = "word_upper" if after.isupper() else "word_lower"
        else:
            kind = "mark"
        out.append(Cut(end, start, kind))
    return out


def features(doc: str, lo: int, hi: int, cut: Cut, far_first: bool) -> dict[str, float]:
    """What the model knows of `cut` in the unit `doc[lo:hi]`; `far_first`: the prose comes
    first (the tweet is above its attribution), else the tweet comes first."""
    first, second = doc[lo : cut.end], doc[cut.start : hi]
    far, near = (first, second) if far_first else (second, first)
    far_adj = first[-WINDOW:] if far_first else second[:WINDOW]
    near_adj = second[:WINDOW] if far_first else first[-WINDOW:]
    near_words = len(near.split())
    values = {name: 0.0 for name in FEATURES}
    values[cut.kind] = 1.0
    values.update(
        glued=float(cut.start == cut.end),
        far_register=tweet_register.tweet_likeness(far_adj),
        near_register=tweet_register.tweet_likeness(near_adj),
        near_whole_register=tweet_register.tweet_likeness(near),
        near_long=min(len(near), 600) / 200,
        near_short=float(near_words <= SHORT_WORDS),
        far_short=float(len(far.split()) <= SHORT_WORDS),
        far_sentence=float(
            first.rstrip().endswith(SENTENCE_END)
            if far_first
            else bool(second[:1].isupper()) and any(c in ".!?" for c in second[:300])
        ),
        near_marks=float(
            bool(_TWEET_START_RE.match(second)) if far_first else bool(_TWEET_END_RE.search(first))
        ),
    )
    return values


def place_of(far_first: bool, taken: bool) -> str:
    return f"{'above' if far_first else 'below'}_{'taken' if taken else 'refused'}"


def score(values: Mapping[str, float], place: str) -> float:
    weights = WEIGHTS[place]
    return BIAS[place] + sum(weights[name] * value for name, value in values.items())


def reachable(doc: str, lo: int, hi: int, far_first: bool, reach: int) -> list[Cut]:
    """The candidate cuts of the unit `doc[lo:hi]` that leave the tweet's side (the end of the
    unit next to the attribution) at most `reach` characters long."""
    if far_first:
        return candidates(doc, max(lo, hi - reach), hi)
    return candidates(doc, lo, min(hi, lo + reach))


def best_cut(doc: str, lo: int, hi: int, far_first: bool, taken: bool, reach: int) -> Cut | None:
    """The best cut of the unit `doc[lo:hi]` between a tweet and prose, if one scores above
    nothing; `taken`: the walk took the unit as tweet text, else it refused it."""
    place = place_of(far_first, taken)
    best, best_score = None, 0.0
    for cut in reachable(doc, lo, hi, far_first, reach):
        value = score(features(doc, lo, hi, cut, far_first), place)
        if value > best_score:
            best, best_score = cut, value
    return best
