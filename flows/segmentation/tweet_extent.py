"""Which units of text around an attribution are the tweet's text: a small logistic model over
what the text shows. Each unit near an attribution (`text_units.py`: a line, a glued
block or a sentence) is described by a few features (where it stands, how it is joined to its
neighbour, whether it reads as article prose, its language against the article's, Twitter
marks); the model gives the odds that it is tweet text. Units above are taken nearest first
while the odds favour the tweet and the text fits in a tweet; units below while their odds do.
There is one set of weights per body style (`BODY_STYLES`).

The weights were fitted by `benchmarks/fit_extent.py` on generated layout sets (seeds 11
to 18 of `../shared/eval/tools/make_layouts.py`, with paragraph and line bodies, the same
rewritten into two real layouts the generator does not make, and glued and spaced bodies with
every layout), pulled towards the hand-set `PRIOR`, and checked on the visible sets (seed 7)
and on seed 99 (`benchmarks/quality.py --layouts`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from flows.segmentation import tweet_register
from flows.text import entities

# A sentence of article prose: long enough, capitalised, closed by sentence punctuation,
# without Twitter marks. Tweets break at least one of these far more often than prose does.
PROSE_MIN_CHARS = 25
PROSE_MIN_WORDS = 4
PROSE_END = tuple('.!?…:;"”’»)')
REPORTING_RE = re.compile(
    r"\b(tweeted|tweets|wrote|writes|said|says|told|posted|according to|in a (?:tweet|post)|"
    r"tuiteó|escribió|dijo|publicó|afirmó|señaló|en (?:twitter|su cuenta))\b",
    re.IGNORECASE,
)
LAUGH_OR_SHOUT_RE = re.compile(r"(?:\b(?:[jh][aeiou]){2,}|[!?]{2,}|(\w)\1{3,})", re.IGNORECASE)
TWEET_MAX_CHARS = 280
TCO_LENGTH = 23  # Twitter counts a link as 23 characters, and attached media not at all
MEDIA_LINK_RE = re.compile(r"\bpic\.twitter\.com/\w+")

# Where a line stands: exactly one of these is set.
POSITIONS = (
    "above_first",
    "above_further",
    "below",
    "below_split",
    "below_after_hashtags",
    "below_further",
)
CONTENT = (
    "prose",
    "prose_same_lang",
    "other_lang",
    "same_lang",
    "unlike_nearer",
    "back_to_article_lang",
    "marks",
    "ends_with_link",
    "hashtags_only",
    "across_blank",
    "alone_across_blank",
    "across_line",
    "glued",
    "flat",
    "same_block",
    "edge",
    "reaches_previous",
    "reaches_next",
    "after_link",
    "after_label",
    "tweet_like",
    "introduces",
    "informal",
    "long",
)
FEATURES = POSITIONS + CONTENT
# The features that need the languages of the line, the article and the nearer line; each is
# 0 while they are "und".
LANGUAGE_FEATURES = (
    "prose_same_lang",
    "other_lang",
    "same_lang",
    "unlike_nearer",
    "back_to_article_lang",
)
# One model per body style: "lines", where a line break ends each block of the page, and
# "glued", where the scraper joined blocks with nothing or with spaces (one-line bodies). The
# same feature says different things in each: a sentence end is no boundary between a
# paragraph and a tweet in the first, and often the only one in the second.
BODY_STYLES = ("lines", "glued")

# What a reader of real scrapes expects before seeing the generated sets: the prior the fit
# starts from and is pulled back to (weakly: where the sets have many lines, they decide).
# Layouts the generator does not make (a blank line between a tweet and its attribution,
# short article lines) keep these values.
PRIOR_BIAS = 0.0
PRIOR: Mapping[str, float] = {
    "above_first": 2.0,
    "above_further": -1.0,
    "below": -2.0,
    "below_split": 0.0,
    "below_after_hashtags": 2.0,
    "below_further": -2.0,
    "prose": -2.0,
    "prose_same_lang": -2.0,
    "other_lang": 2.0,
    "same_lang": -1.0,
    "unlike_nearer": -1.0,
    "back_to_article_lang": -3.0,
    "marks": 1.0,
    "ends_with_link": 1.0,
    "hashtags_only": 0.0,
    "across_blank": -3.0,
    "alone_across_blank": 0.0,
    "across_line": 0.0,
    "glued": 0.0,
    "flat": -1.0,
    "same_block": 2.0,
    "edge": 0.0,
    "reaches_previous": 0.0,
    "reaches_next": 0.0,
    "after_link": -1.0,
    "after_label": 6.0,  # the generator makes no labels: real scrapes (UnoTV) set this
    "tweet_like": 1.0,
    "introduces": -2.0,
    "informal": 1.0,
    "long": -1.0,
}

# Fitted by benchmarks/fit_extent.py (see the module docstring); bias first.
BIAS = {
    "lines": 4.118,
    "glued": 2.865,
}
WEIGHTS: Mapping[str, Mapping[str, float]] = {
    "lines": {
        "above_first": 4.664,
        "above_further": 2.746,
        "below": -8.449,
        "below_split": -1.109,
        "below_after_hashtags": 8.107,
        "below_further": -2.841,
        "prose": -2.486,
        "prose_same_lang": -2.963,
        "other_lang": 2.969,
        "same_lang": 2.392,
        "unlike_nearer": -1.642,
        "back_to_article_lang": -0.804,
        "marks": 0.960,
        "ends_with_link": 1.354,
        "hashtags_only": 0.298,
        "across_blank": -7.548,
        "alone_across_blank": -5.250,
        "across_line": -4.601,
        "glued": 3.040,
        "flat": -1.000,
        "same_block": 6.785,
        "edge": -1.911,
        "reaches_previous": 0.000,
        "reaches_next": -3.333,
        "after_link": -1.288,
        "after_label": 6.000,
        "tweet_like": 2.556,
        "introduces": -0.668,
        "informal": 0.275,
        "long": -3.849,
    },
    "glued": {
        "above_first": 1.393,
        "above_further": -0.764,
        "below": -1.373,
        "below_split": -2.638,
        "below_after_hashtags": 5.519,
        "below_further": -0.271,
        "prose": -0.738,
        "prose_same_lang": -3.510,
        "other_lang": 2.009,
        "same_lang": 1.721,
        "unlike_nearer": -1.436,
        "back_to_article_lang": 0.596,
        "marks": 0.232,
        "ends_with_link": 0.509,
        "hashtags_only": 1.036,
        "across_blank": -3.042,
        "alone_across_blank": 0.000,
        "across_line": -1.555,
        "glued": -1.897,
        "flat": -1.090,
        "same_block": 2.001,
        "edge": 1.867,
        "reaches_previous": -0.512,
        "reaches_next": -2.663,
        "after_link": -2.908,
        "after_label": 6.000,
        "tweet_like": 1.485,
        "introduces": -0.173,
        "informal": 1.065,
        "long": -0.958,
    },
}


@dataclass(frozen=True)
class LineView:
    """What the model knows of one unit of text near an attribution."""

    text: str
    lang: str  # the line's language when judged confidently, else "und"
    article_lang: str
    nearer_lang: str  # the language of the tweet line next to it ("und" if none or unsure)
    position: str
    # How it is joined to the text next to it (`nearer`): "blank", "newline", "glued",
    # "space", or "flat" (a space in a body whose blocks are all joined by spaces).
    join: str
    alone: bool  # `nearer` is an attribution alone in its paragraph
    # in an article of blank-line paragraphs, on another line of the paragraph of `nearer`
    same_block: bool
    edge: bool  # its far side is a glued block boundary or another attribution
    after_link: bool  # below the attribution, right after tweet text that ends with a link
    after_label: bool  # above the attribution, right after an embed label (`Ver más`)
    style: str  # the body's style, one of BODY_STYLES: which model weighs it
    reaches_other: bool  # it may be the tweet of the next attribution on its far side
    # how much it reads like a tweet rather than news (`tweet_register`); None: worked out
    # from `text` when a decision needs it
    tweet_like: float | None = None
    # When set, `lang`, `article_lang` and `nearer_lang` are not known yet ("und") and this
    # gives them, read when a decision needs them (a language detection costs).
    langs: Callable[[], tuple[str, str, str]] | None = None

    def with_langs(self) -> LineView:
        """The same view with its languages read."""
        if self.langs is None:
            return self
        lang, article_lang, nearer_lang = self.langs()
        return replace(
            self, lang=lang, article_lang=article_lang, nearer_lang=nearer_lang, langs=None
        )


def tweet_length(text: str) -> int:
    """Length as Twitter counts it: a link weighs 23 characters, a media link nothing."""
    return len(entities.URL_RE.sub("x" * TCO_LENGTH, MEDIA_LINK_RE.sub("", text)).strip())


def ends_with_link(text: str) -> bool:
    found = list(entities.URL_RE.finditer(text))
    return bool(found) and not text[found[-1].end() :].strip()


def has_marks(text: str) -> bool:
    """A link, a @handle or a #hashtag."""
    return bool(entities.URL_RE.search(text) or entities.mentions(text) or entities.hashtags(text))


def has_words(text: str) -> bool:
    """True when `text` has letters outside links, @handles, #hashtags and emoji."""
    bare = text
    for start, end in reversed(entities.entity_spans(text)):
        bare = bare[:start] + " " + bare[end:]
    return any(c.isalpha() for c in bare)


def hashtags_only(text: str) -> bool:
    words = text.split()
    return bool(words) and all(w.startswith("#") for w in words)


def reads_as_prose(text: str) -> bool:
    """Shaped like a sentence of article prose."""
    first = text.lstrip("\"'“‘«(¿¡")[:1]
    return (
        len(text) >= PROSE_MIN_CHARS
        and len(text.split()) >= PROSE_MIN_WORDS
        and (first.isupper() or first.isdigit())
        and text.endswith(PROSE_END)
        and not has_marks(text)
        and any(c.islower() for c in text)
    )


def features(line: LineView) -> dict[str, float]:
    """Every feature of `line`, its languages and its register read."""
    line = line.with_langs()
    values = _evidence(line)
    values.update(_language_values(line, values["prose"] > 0), tweet_like=register(line))
    return values


def _evidence(line: LineView) -> dict[str, float]:
    """The features that need neither the languages nor the register (those are 0 here)."""
    text = line.text
    values = {name: 0.0 for name in FEATURES}
    values[line.position] = 1.0
    values.update(
        prose=float(reads_as_prose(text)),
        marks=float(has_marks(text)),
        ends_with_link=float(ends_with_link(text)),
        hashtags_only=float(hashtags_only(text)),
        across_blank=float(line.join == "blank" and not line.alone),
        alone_across_blank=float(line.join == "blank" and line.alone),
        across_line=float(line.join == "newline"),
        glued=float(line.join == "glued"),
        flat=float(line.join == "flat"),
        same_block=float(line.same_block and line.join == "newline"),
        edge=float(line.edge),
        # above the attribution: maybe the previous tweet's continuation; below: the next one's
        reaches_previous=float(line.reaches_other and line.position.startswith("above")),
        reaches_next=float(line.reaches_other and line.position.startswith("below")),
        after_link=float(line.after_link),
        after_label=float(line.after_label),
        introduces=float(text.endswith(":") or bool(REPORTING_RE.search(text))),
        informal=float(bool(LAUGH_OR_SHOUT_RE.search(text) or entities.EMOJI_RE.search(text))),
        long=min(len(text), 600) / 200,
    )
    return values


def _language_values(line: LineView, prose: bool) -> dict[str, float]:
    """The `LANGUAGE_FEATURES` of `line` (all 0 while its languages are "und")."""
    same = line.lang != "und" and line.lang == line.article_lang
    other = line.lang != "und" and line.article_lang != "und" and line.lang != line.article_lang
    return {
        "prose_same_lang": float(prose and same),
        "other_lang": float(other),
        "same_lang": float(same),
        "back_to_article_lang": float(same and line.nearer_lang not in ("und", line.article_lang)),
        "unlike_nearer": float(
            "und" not in (line.lang, line.nearer_lang) and line.lang != line.nearer_lang
        ),
    }


def register(line: LineView) -> float:
    return tweet_register.tweet_likeness(line.text) if line.tweet_like is None else line.tweet_like


def takes(line: LineView) -> bool:
    """Whether the model takes `line` for tweet text. The languages and the register are read
    only when the rest of the evidence leaves the decision open (most units' decisions they
    cannot change): the model is linear in them, and each is bounded. The rest of the
    evidence is worked out once."""
    weights = WEIGHTS[line.style]
    evidence = _evidence(line)
    without = BIAS[line.style] + sum(weights[name] * value for name, value in evidence.items())
    low, high = _bounds(line)
    if line.langs is not None:
        least = sum(min(weights[name], 0.0) for name in LANGUAGE_FEATURES)
        most = sum(max(weights[name], 0.0) for name in LANGUAGE_FEATURES)
        if without + low + least > 0 or without + high + most <= 0:
            return without + low + least > 0
        line = line.with_langs()
    languages = _language_values(line, evidence["prose"] > 0)
    without += sum(weights[name] * value for name, value in languages.items())
    if line.tweet_like is None:
        if without + low > 0 or without + high <= 0:
            return without > 0
        return without + weights["tweet_like"] * register(line) > 0  # the model is linear in it
    return without + low > 0  # low == high: the register's known contribution


def _bounds(line: LineView) -> tuple[float, float]:
    """The least and the most the register can add to the line's log-odds."""
    if line.tweet_like is not None:
        value = WEIGHTS[line.style]["tweet_like"] * line.tweet_like
        return value, value
    weight = WEIGHTS[line.style]["tweet_like"]
    least, most = sorted((weight * tweet_register.LOW, weight * tweet_register.HIGH))
    return least, most
