"""The detect stage's language model: one multinomial logistic regression over the evidence
the detector has, fitted on TweetLID 2014 by `benchmarks/fit_language_model.py`.

Why one fitted model and not a chain of hand-set rules: the chain's `confidence` was
langdetect's probability even where a rule chose against langdetect, and its thresholds
were set one at a time. Here every piece of evidence is a feature with a fitted weight, the
decision is the most probable class and `confidence` is that class's probability after
temperature scaling on cross-validated answers, so it is the share of such answers that
are right.

The evidence, in named groups (`GROUPS`, what `detect --explain` reports):

- `ngrams`: character 1–4-grams of each lower-cased word of the cleaned text (padded with
  a space each side) and the word itself, counted and divided by the square root of their
  number. A word's n-grams are looked up once per process, so a text costs a sum over its
  words.
- `langdetect`: its probabilities over `flows.language.reading.LATIN_LANGS` (Latin script only).
- `py3langid`: its probabilities over `flows.language.second_opinion.LANGS`, on at most
  `PY3LANGID_CHARS` characters (it reads byte by byte in Python: long prose is cut).
- `words`: the share of tokens in each language's frequent-word list and the Spanish
  evidence against each rival (`flows.language.reading.spanish_evidence`).
- `shape`: script, letters, links, @handles, hashtags, emoji, laughter.

Classes are the six TweetLID languages, `und` and `other`; `other` (a language outside
them) is shared between French and Italian in proportion to py3langid's probabilities of
the two, so the answer names a language. The model file (`language_model.npz`, numpy
arrays only: no scikit-learn at run time) ships in the package; its sha256 is part of the
detector's signature.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain
from typing import Any, NamedTuple

import numpy as np

from flows.language import langdetect_backend, reading, second_opinion
from flows.text import entities

MODEL_FILE = "language_model.npz"
CLASSES = ("ca", "en", "es", "eu", "gl", "pt", "und", "other")
OTHER_LANGS = ("fr", "it")
NGRAM_ORDERS = (1, 2, 3, 4)
# Longer than any cleaned TweetLID tweet (140): the fitted features are the same as uncut.
PY3LANGID_CHARS = 160
GROUPS = ("ngrams", "langdetect", "py3langid", "words", "shape")
# A place check-in (`@ Espinho http://instagram.com/p/…`): a name, no language.
_check_in = re.compile(r"(?:^|\s)@ \S|instagram\.com/p/|foursquare\.com|swarmapp\.com")
_laugh = re.compile(r"\b(?:(?:[jh][aeiou]){2,}[jh]?|j[aj]{3,}|xd+|lol|k{3,}|rs(?:rs)+)\b")


@dataclass(frozen=True)
class Evidence:
    """What the model reads of one text: its words (for the n-grams), in the pieces
    `reading` cuts a text into (lines, sentences), and the dense features by group
    (names in `dense_names()`, same order)."""

    chunks: tuple[tuple[str, ...], ...]
    dense: tuple[float, ...]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(chain.from_iterable(self.chunks))


class _Counts(NamedTuple):
    """What `evidence` counts in a text: sums over its pieces (every pattern counted stays
    within a piece: pieces are cut at whitespace), so a body's counts are its lines'."""

    chunks: tuple[tuple[str, ...], ...]
    tokens: int
    listed: tuple[int, ...]  # tokens in each of `flows.language.reading.WORDS`' lists
    unlisted: int
    links: int
    mentions: int
    hashtags: int
    emoji: int
    laughter: bool
    check_in: bool
    non_space: int
    capitalised: int
    all_caps: int


@lru_cache(maxsize=1 << 13)
def _counts(text: str) -> _Counts:
    chunks = reading.text_pieces(text)
    if len(chunks) > 1:
        parts = [_counts(chunk) for chunk in chunks]
        return _Counts(
            tuple(chain.from_iterable(p.chunks for p in parts)),
            sum(p.tokens for p in parts),
            tuple(map(sum, zip(*(p.listed for p in parts), strict=True))),
            sum(p.unlisted for p in parts),
            sum(p.links for p in parts),
            sum(p.mentions for p in parts),
            sum(p.hashtags for p in parts),
            sum(p.emoji for p in parts),
            any(p.laughter for p in parts),
            any(p.check_in for p in parts),
            sum(p.non_space for p in parts),
            sum(p.capitalised for p in parts),
            sum(p.all_caps for p in parts),
        )
    forms = reading.text_forms(text)
    cleaned = forms.cleaned
    tokens = Counter(reading.TOKEN_RE.findall(forms.prepared))
    listed = _listed_words()
    split = cleaned.split()
    return _Counts(
        (tuple(cleaned.lower().split()),),
        tokens.total(),
        tuple(sum(tokens[t] for t in ws.intersection(tokens)) for ws in _word_sets()),
        sum(n for t, n in tokens.items() if t not in listed),
        len(entities.URL_RE.findall(text)),
        len(entities.MENTION_RE.findall(text)) if "@" in text else 0,
        len(entities.HASHTAG_RE.findall(text)) if "#" in text else 0,
        0 if text.isascii() else len(entities.EMOJI_RE.findall(text)),
        bool(_laugh.search(cleaned.lower())),
        bool(_check_in.search(text)),
        len("".join(text.split())),
        sum(w[:1].isupper() for w in split),
        sum(w.isupper() and len(w) > 1 for w in split),
    )


def dense_names() -> tuple[tuple[str, str], ...]:
    """(group, name) of every dense feature, in `Evidence.dense` order."""
    names = [("langdetect", f"ld_{lang}") for lang in reading.LATIN_LANGS]
    names.append(("langdetect", "ld_none"))
    names += [("py3langid", f"py_{lang}") for lang in second_opinion.LANGS]
    names += [("py3langid", f"py_log_{lang}") for lang in second_opinion.LANGS]
    names += [("words", f"share_{lang}") for lang in reading.WORDS]
    names += [("words", f"es_vs_{lang}") for lang in reading.WORDS if lang != "es"]
    names += [
        ("shape", n)
        for n in (
            "latin",
            "log_letters",
            "no_letters",
            "few_letters",
            "log_words",
            "links",
            "mentions",
            "hashtags",
            "emoji",
            "laughter",
            "only_laughter",
            "letter_share",
            "capitalised",
            "all_caps",
            "unlisted_words",
            "one_word",
            "check_in",
        )
    ]
    return tuple(names)


def _signed_log(x: float) -> float:
    return math.copysign(math.log1p(abs(x)), x)


def evidence(text: str) -> Evidence:
    """The features of `text` (links, @handles and emoji removed as `flows.language.reading.clean`
    does)."""
    forms = reading.text_forms(text)
    cleaned, prepared = forms.cleaned, forms.prepared
    counted = _counts(text)
    n_words = sum(map(len, counted.chunks))
    letters = forms.cleaned_letters
    latin = reading.is_latin("".join(prepared.split())) if prepared else True
    dense: list[float] = []
    judged = (
        langdetect_backend.judge(prepared, reading.LATIN_LANGS, reading.SEED)
        if prepared and latin
        else None
    )
    if judged is None:
        dense += [0.0] * len(reading.LATIN_LANGS) + [1.0]
    else:
        probs = judged.prob_map()
        dense += [probs.get(lang, 0.0) for lang in reading.LATIN_LANGS] + [0.0]
    if cleaned:
        ranked = dict(second_opinion.rank(_cut(cleaned)))
        py = [ranked.get(lang, 0.0) for lang in second_opinion.LANGS]
    else:
        py = [1.0 / len(second_opinion.LANGS)] * len(second_opinion.LANGS)
    dense += py + [math.log10(p + 1e-4) / 4 for p in py]
    n_tokens = max(1, counted.tokens)
    dense += [n / n_tokens for n in counted.listed]
    spanish = reading.word_evidence(text)
    dense += [_signed_log(spanish[lang]) / 2 for lang in reading.WORDS if lang != "es"]
    dense += [
        float(latin),
        math.log1p(letters) / 4,
        float(letters == 0),
        float(0 < letters < reading.MIN_LETTERS),
        math.log1p(n_words) / 3,
        math.log1p(counted.links),
        math.log1p(counted.mentions),
        math.log1p(counted.hashtags),
        math.log1p(counted.emoji),
        float(counted.laughter),
        float(letters > 0 and forms.prepared_letters == 0),
        letters / max(1, counted.non_space),
        counted.capitalised / max(1, n_words),
        counted.all_caps / max(1, n_words),
        counted.unlisted / n_tokens,
        float(counted.tokens == 1),
        float(counted.check_in),
    ]
    return Evidence(counted.chunks, tuple(dense))


@lru_cache(maxsize=1)
def _word_sets() -> tuple[frozenset[str], ...]:
    """`flows.language.reading.WORDS`' lists, in its order."""

    return tuple(reading.WORDS.values())


@lru_cache(maxsize=1)
def _listed_words() -> frozenset[str]:
    """Every word of every list in `flows.language.reading.WORDS`."""
    return frozenset().union(*_word_sets())


def _cut(cleaned: str) -> str:
    """At most `PY3LANGID_CHARS` characters of `cleaned`, cut at a space."""
    if len(cleaned) <= PY3LANGID_CHARS:
        return cleaned
    head = cleaned[:PY3LANGID_CHARS]
    return head.rsplit(" ", 1)[0] or head


@lru_cache(maxsize=1 << 16)
def word_ngrams(word: str) -> tuple[str, ...]:
    """The character n-grams (orders `NGRAM_ORDERS`) of ` word `, and the word itself
    (after a tab, which no word holds)."""
    padded = f" {word} "
    grams = [padded[i : i + n] for n in NGRAM_ORDERS for i in range(len(padded) - n + 1)]
    return (*grams, f"\t{word}")


def ngram_count(words: tuple[str, ...]) -> int:
    return sum(len(word_ngrams(w)) for w in words)


@dataclass(frozen=True)
class Model:
    """The fitted arrays: `ngram_weights` (vocabulary × classes), `dense_weights` (dense
    features × classes, already scaled), `bias`, `temperature`; `vocabulary` maps an n-gram
    to its row."""

    vocabulary: dict[str, int]
    ngram_weights: np.ndarray[Any, np.dtype[np.float32]]
    dense_weights: np.ndarray[Any, np.dtype[np.float64]]
    bias: np.ndarray[Any, np.dtype[np.float64]]
    temperature: float
    context_prior: float
    dense_min: np.ndarray[Any, np.dtype[np.float64]]
    dense_max: np.ndarray[Any, np.dtype[np.float64]]
    ngram_cap: int
    digest: str


def model_bytes() -> bytes:
    return resources.files(__package__).joinpath(MODEL_FILE).read_bytes()


@lru_cache(maxsize=1)
def model() -> Model:
    """The shipped model, loaded once per process."""
    blob = model_bytes()
    with np.load(io.BytesIO(blob)) as data:
        vocabulary = data["vocabulary"].tobytes().decode("utf-8").split("\n")
        return Model(
            vocabulary={g: i for i, g in enumerate(vocabulary)},
            ngram_weights=data["ngram_weights"].astype(np.float32),
            dense_weights=data["dense_weights"].astype(np.float64),
            bias=data["bias"].astype(np.float64),
            temperature=float(data["temperature"]),
            context_prior=float(data["context_prior"]),
            dense_min=data["dense_min"].astype(np.float64),
            dense_max=data["dense_max"].astype(np.float64),
            ngram_cap=int(data["ngram_cap"]),
            digest=hashlib.sha256(blob).hexdigest()[:12],
        )


def digest() -> str:
    """12 hex digits of the model file's sha256 (part of the detector's signature)."""
    return model().digest


@lru_cache(maxsize=1 << 16)
def _word_rows(word: str) -> tuple[int, tuple[int, ...]]:
    """How many n-grams `word` has, and the model's rows of those it knows."""
    grams = word_ngrams(word)
    return len(grams), tuple([r for r in map(model().vocabulary.get, grams) if r is not None])


@lru_cache(maxsize=1 << 13)
def _chunk_ngrams(chunk: tuple[str, ...]) -> tuple[int, np.ndarray[Any, np.dtype[np.float64]]]:
    """How many n-grams the words of one piece have, and the sum of their rows."""
    fitted = model()
    known = [_word_rows(w) for w in chunk]
    rows = list(chain.from_iterable(r for _, r in known))
    summed = fitted.ngram_weights[rows].sum(axis=0, dtype=np.float64)
    return sum(count for count, _ in known), summed


def _ngram_logits(chunks: tuple[tuple[str, ...], ...]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The n-gram block's logits: the rows of every n-gram summed, scaled as in fitting
    (by the square root of their number, at most `ngram_cap`)."""
    fitted = model()
    parts = [_chunk_ngrams(c) for c in chunks]
    n = sum(count for count, _ in parts)
    if not n:
        return np.zeros(len(CLASSES))
    summed = parts[0][1] if len(parts) == 1 else np.sum([v for _, v in parts], axis=0)
    return summed * (math.sqrt(min(n, fitted.ngram_cap)) / n)


def _clipped(ev: Evidence) -> np.ndarray[Any, np.dtype[np.float64]]:
    fitted = model()
    clipped: np.ndarray[Any, np.dtype[np.float64]] = np.clip(
        np.asarray(ev.dense), fitted.dense_min, fitted.dense_max
    )
    return clipped


def logits(ev: Evidence) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The model's logits for `ev` (before temperature)."""
    fitted = model()
    dense: np.ndarray[Any, np.dtype[np.float64]] = _clipped(ev) @ fitted.dense_weights
    total: np.ndarray[Any, np.dtype[np.float64]] = _ngram_logits(ev.chunks) + dense + fitted.bias
    return total


def contributions(ev: Evidence) -> dict[str, np.ndarray[Any, np.dtype[np.float64]]]:
    """Each group's share of the logits (before temperature), and `bias`: they sum to
    `logits(ev)`. A text longer than any the model was fitted on (an article body) is read
    within the fitted range: its n-grams weigh as `ngram_cap` of them, each dense feature
    is clipped to the values seen in fitting. Beyond that range the weights were never
    checked (an English body came out Spanish before this)."""
    fitted = model()
    dense = _clipped(ev)[:, None] * fitted.dense_weights
    out: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {"ngrams": _ngram_logits(ev.chunks)}
    groups = [g for g, _ in dense_names()]
    for group in GROUPS[1:]:
        out[group] = dense[[i for i, g in enumerate(groups) if g == group]].sum(axis=0)
    out["bias"] = fitted.bias
    return out


def class_probabilities(logits: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, Any]:
    """Softmax of `logits / temperature` over `CLASSES`."""
    z = logits / model().temperature
    z = np.exp(z - z.max())
    return z / z.sum()  # type: ignore[no-any-return]


def ranked(ev: Evidence) -> tuple[tuple[str, float], ...]:
    """Every language (and `und`) with its probability, best first; `other`'s share goes to
    French and Italian as py3langid's probabilities of the two divide it."""
    probs = class_probabilities(logits(ev))
    first, second = other_index()
    py_other = (ev.dense[first], ev.dense[second])
    return split_other(dict(zip(CLASSES, probs.tolist(), strict=True)), py_other)


def split_other(
    probs: dict[str, float], py_other: tuple[float, float]
) -> tuple[tuple[str, float], ...]:
    """`probs` over `CLASSES` with `other` shared between `OTHER_LANGS`, ranked (ties by
    name), rounded to 6 places."""
    other = probs.pop("other")
    total = sum(py_other)
    shares = [p / total for p in py_other] if total > 0 else [0.5, 0.5]
    for lang, share in zip(OTHER_LANGS, shares, strict=True):
        probs[lang] = other * share
    return tuple(
        sorted(((lang, round(p, 6)) for lang, p in probs.items()), key=lambda x: (-x[1], x[0]))
    )


@lru_cache(maxsize=1)
def other_index() -> tuple[int, int]:
    """Where py3langid's probabilities of `OTHER_LANGS` are in `Evidence.dense`."""
    names = [name for _, name in dense_names()]
    first, second = (names.index(f"py_{lang}") for lang in OTHER_LANGS)
    return first, second


def context_prior() -> float:
    """How much the article's language multiplies its own probability (fitted with the
    model; 1: no effect)."""
    return model().context_prior
