"""Where, inside one unit of a glued body, a tweet's text ends and the article's prose begins.

Scrapers glue a tweet to the prose around it without a sentence end (`…que puto tonto La meta
de USA…`, `…evolución.que rápido se me está…`, `…hora (:While the US…`), so no unit boundary
stands at the tweet's edge. Every place in the unit where a block may begin is a candidate cut:
each gap between words, a capitalised word glued to what precedes it, text glued after a sentence
end. Each candidate is described by a few features (what kind of cut it is, how much the text on
each side of it reads like a tweet, whether the prose's side reads as a sentence of prose, what
the tweet's side holds next to the cut, how long it would be) and ranked by a small linear
model, one weight set per place of the unit (`PLACES`); a second model decides whether to cut
at the first-ranked candidate, from its score and the languages on its two sides.

The weights were fitted by `benchmarks/fit_extent.py` (`--edges`) on generated glued and spaced
sets of seeds 11 to 18 made from tweets the register model never saw (a conditional logit: the
truth's cut, or none, against the other candidates of the same unit), and checked on seed 7 (the
visible set) and seeds 99 and 23, never fitted on."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flows.segmentation import tweet_register
from flows.segmentation.tweet_extent import (
    MEDIA_LINK_RE,
    TCO_LENGTH,
    TWEET_MAX_CHARS,
    reads_as_prose,
)
from flows.text import entities

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
# A gap between words, a capitalised word glued to anything (`tonto(:While`, `xDParis`), or
# text glued after sentence punctuation (`evolución.que`, `front.'don't`).
CANDIDATE_RE = re.compile(
    rf"\s+|(?<=\S)(?=[{_UPPER}][a-zß-ÿ])"
    r"|(?<=[.!?…:;\"”)])(?=[^\s.!?…:;\"”)\d])|(?<=[^\d][.!?…:;\"”)])(?=\d)"
)
SENTENCE_END = tuple('.!?…"”')
KINDS = ("end_upper", "end_other", "word_upper", "word_lower", "mark")
# The text read on each side of a cut, next to it.
WINDOW = 48
# A tweet's side may run this many characters past a tweet's length (spaces around it).
LENGTH_SLACK = 20
# The prose's side of a cut is read on this many characters next to it.
FAR_READ = 300
# A near part that would hold at most this many words reads too little to be judged.
SHORT_WORDS = 2
# Twitter's marks or a smiley where the tweet's side touches the cut.
_TWEET_END_RE = re.compile(
    r"(?:https?://\S+|pic\.twitter\.com/\w+|[@#]\w+|[:;xX][-']?[)(DPpo$3/|*]+|\(:|[!?]{2,}|\S*"
    + entities.EMOJI_RE.pattern
    + r")\Z"
)
# A sentence end, followed by a space, the end, or a new sentence glued to it.
_SENTENCE_END_RE = re.compile(rf"[.!?…]+[\"”’»)]*(?=\s|$|[\"“¿¡{_UPPER}])")
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
    "far_prose",
    "far_sentence_register",
    "near_marks",
    "near_ends_sentence",
)

# Fitted by benchmarks/fit_extent.py --edges (see the module docstring).
BIAS: Mapping[str, float] = {
    "above_taken": -4.722,
    "above_refused": -3.747,
    "below_taken": -3.830,
    "below_refused": -4.920,
}
WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "above_taken": {
        "end_upper": 0.349,
        "end_other": 0.872,
        "word_upper": -1.258,
        "word_lower": -4.206,
        "mark": -0.478,
        "glued": 0.565,
        "far_register": -1.491,
        "near_register": 0.449,
        "near_whole_register": -0.679,
        "near_long": -1.443,
        "near_short": -2.659,
        "far_short": 0.248,
        "far_sentence": 1.221,
        "far_prose": 2.695,
        "far_sentence_register": -0.973,
        "near_marks": 0.485,
        "near_ends_sentence": 0.000,
    },
    "above_refused": {
        "end_upper": -0.352,
        "end_other": 1.584,
        "word_upper": -1.184,
        "word_lower": -2.706,
        "mark": -1.089,
        "glued": 1.138,
        "far_register": 0.446,
        "near_register": 0.626,
        "near_whole_register": 0.807,
        "near_long": -1.390,
        "near_short": -1.707,
        "far_short": -0.522,
        "far_sentence": 1.232,
        "far_prose": 1.185,
        "far_sentence_register": -0.330,
        "near_marks": 0.104,
        "near_ends_sentence": 0.000,
    },
    "below_taken": {
        "end_upper": 0.902,
        "end_other": -0.436,
        "word_upper": 0.022,
        "word_lower": -3.731,
        "mark": -0.587,
        "glued": -0.901,
        "far_register": -1.642,
        "near_register": 1.190,
        "near_whole_register": -0.099,
        "near_long": 0.018,
        "near_short": -1.708,
        "far_short": -1.583,
        "far_sentence": -0.764,
        "far_prose": 2.288,
        "far_sentence_register": -0.948,
        "near_marks": 1.451,
        "near_ends_sentence": 0.466,
    },
    "below_refused": {
        "end_upper": 0.384,
        "end_other": -0.071,
        "word_upper": -0.021,
        "word_lower": -4.151,
        "mark": -1.060,
        "glued": -1.418,
        "far_register": -0.646,
        "near_register": 0.486,
        "near_whole_register": 1.800,
        "near_long": -0.288,
        "near_short": -1.420,
        "far_short": -0.183,
        "far_sentence": 0.365,
        "far_prose": 1.122,
        "far_sentence_register": 0.129,
        "near_marks": 1.530,
        "near_ends_sentence": 0.313,
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


def sides(doc: str, lo: int, hi: int, cut: Cut, far_first: bool) -> tuple[str, str, str]:
    """The two sides of `cut` in the unit `doc[lo:hi]`: the tweet's (near) side whole, the
    prose's (far) side on its `FAR_READ` characters next to the cut, and the far side's
    sentence that touches the cut."""
    if far_first:
        near, far = doc[cut.start : hi], doc[max(lo, cut.end - FAR_READ) : cut.end]
        ends = [m.end() for m in _SENTENCE_END_RE.finditer(far) if m.end() < len(far)]
        return near, far, far[ends[-1] if ends else 0 :]
    near, far = doc[lo : cut.end], doc[cut.start : min(hi, cut.start + FAR_READ)]
    end = _SENTENCE_END_RE.search(far)
    return near, far, far[: end.end() if end else len(far)]


def features(doc: str, lo: int, hi: int, cut: Cut, far_first: bool) -> dict[str, float]:
    """What the model knows of `cut` in the unit `doc[lo:hi]`; `far_first`: the prose comes
    first (the tweet is above its attribution), else the tweet comes first. The tweet's side is
    read whole (it is within reach of the unit's end), the prose's side on its nearest
    `FAR_READ` characters."""
    near, far, sentence = sides(doc, lo, hi, cut, far_first)
    if far_first:
        far_adj, near_adj = far[-WINDOW:], near[:WINDOW]
        near_marks = bool(_TWEET_START_RE.match(near))
        far_sentence, near_ends_sentence = far.rstrip().endswith(SENTENCE_END), False
    else:
        far_adj, near_adj = far[:WINDOW], near[-WINDOW:]
        near_marks = bool(_TWEET_END_RE.search(near[-2 * WINDOW :]))
        far_sentence = far[:1].isupper() and len(sentence) < len(far)
        near_ends_sentence = near.endswith(SENTENCE_END)
    values = {name: 0.0 for name in FEATURES}
    values[cut.kind] = 1.0
    values.update(
        glued=float(cut.start == cut.end),
        far_register=tweet_register.tweet_likeness(far_adj),
        near_register=tweet_register.tweet_likeness(near_adj),
        near_whole_register=tweet_register.tweet_likeness(near),
        near_long=min(len(near), 600) / 200,
        near_short=float(len(near.split(maxsplit=SHORT_WORDS)) <= SHORT_WORDS),
        far_short=float(len(far.split(maxsplit=SHORT_WORDS)) <= SHORT_WORDS),
        far_sentence=float(far_sentence),
        far_prose=float(reads_as_prose(sentence.strip())),
        far_sentence_register=tweet_register.tweet_likeness(sentence),
        near_marks=float(near_marks),
        near_ends_sentence=float(near_ends_sentence),
    )
    return values


def place_of(far_first: bool, taken: bool) -> str:
    return f"{'above' if far_first else 'below'}_{'taken' if taken else 'refused'}"


def score(values: Mapping[str, float], place: str) -> float:
    weights = WEIGHTS[place]
    return BIAS[place] + sum(weights[name] * value for name, value in values.items())


def reachable(doc: str, lo: int, hi: int, far_first: bool, reach: int) -> list[Cut]:
    """The candidate cuts of the unit `doc[lo:hi]` that leave the tweet's side (the end of the
    unit next to the attribution) no longer than a tweet, as Twitter counts links, nor than
    `reach` characters."""
    a, b = (max(lo, hi - reach), hi) if far_first else (lo, min(hi, lo + reach))
    extra = 0  # what links add to the length a tweet may have in characters
    for m in entities.URL_RE.finditer(doc, a, b):
        media = MEDIA_LINK_RE.fullmatch(m.group())
        extra += max(0, m.end() - m.start() - (0 if media else TCO_LENGTH))
    most = TWEET_MAX_CHARS + LENGTH_SLACK + extra
    if far_first:
        return candidates(doc, max(a, hi - most), hi)
    return candidates(doc, lo, min(b, lo + most))


# Whether to cut at the best candidate: its score, and the languages on its two sides (the
# tweet's side whole, the prose's side to its first sentence end) as the quick detector judges
# them, "und" when unsure.
DECISION = ("score", "other_lang", "same_lang", "near_article_lang", "far_article_lang")
DECISION_BIAS: Mapping[str, float] = {
    "above_taken": -0.987,
    "above_refused": -0.344,
    "below_taken": -1.795,
    "below_refused": -0.856,
}
DECISION_WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "above_taken": {
        "score": 1.071,
        "other_lang": 1.033,
        "same_lang": -1.317,
        "near_article_lang": 1.150,
        "far_article_lang": 1.076,
    },
    "above_refused": {
        "score": 1.281,
        "other_lang": 2.012,
        "same_lang": -0.561,
        "near_article_lang": 0.216,
        "far_article_lang": -0.114,
    },
    "below_taken": {
        "score": 0.942,
        "other_lang": 0.619,
        "same_lang": 0.109,
        "near_article_lang": 0.399,
        "far_article_lang": 1.121,
    },
    "below_refused": {
        "score": 1.033,
        "other_lang": 1.952,
        "same_lang": 0.558,
        "near_article_lang": -0.701,
        "far_article_lang": 0.943,
    },
}
SCORE_CLIP = 10.0

LangOf = Callable[[str], str]


def ranked(doc: str, lo: int, hi: int, far_first: bool, taken: bool, reach: int) -> Cut | None:
    """The candidate cut of the unit `doc[lo:hi]` that the model ranks first; `taken`: the walk
    took the unit as tweet text, else it refused it."""
    place = place_of(far_first, taken)
    best, best_score = None, float("-inf")
    for cut in reachable(doc, lo, hi, far_first, reach):
        value = score(features(doc, lo, hi, cut, far_first), place)
        if value > best_score:
            best, best_score = cut, value
    return best


def decision(
    doc: str, lo: int, hi: int, cut: Cut, far_first: bool, taken: bool, lang_of: LangOf
) -> dict[str, float]:
    """What the model weighs to cut at `cut`, the candidate ranked first."""
    place = place_of(far_first, taken)
    value = score(features(doc, lo, hi, cut, far_first), place)
    near, _, far = sides(doc, lo, hi, cut, far_first)
    near_lang, far_lang, article = lang_of(near), lang_of(far), lang_of("")
    both = "und" not in (near_lang, far_lang)
    return {
        "score": min(max(value, -SCORE_CLIP), SCORE_CLIP),
        "other_lang": float(both and near_lang != far_lang),
        "same_lang": float(both and near_lang == far_lang),
        "near_article_lang": float(near_lang == article != "und"),
        "far_article_lang": float(far_lang == article != "und"),
    }


def decides(values: Mapping[str, float], place: str) -> bool:
    weights = DECISION_WEIGHTS[place]
    return DECISION_BIAS[place] + sum(weights[k] * v for k, v in values.items()) > 0


def best_cut(
    doc: str, lo: int, hi: int, far_first: bool, taken: bool, reach: int, lang_of: LangOf
) -> Cut | None:
    """Where the unit `doc[lo:hi]` is cut between a tweet and prose, if anywhere: at the
    candidate ranked first, if the decision model takes it. `lang_of` gives a text's language
    (the article's for an empty text)."""
    cut = ranked(doc, lo, hi, far_first, taken, reach)
    if cut is None:
        return None
    values = decision(doc, lo, hi, cut, far_first, taken, lang_of)
    return cut if decides(values, place_of(far_first, taken)) else None
