"""How much a piece of text reads like a tweet rather than news prose, whatever its language:
a naive Bayes log-likelihood ratio over character 2–4-grams (links folded to one mark), fitted
by `benchmarks/fit_register.py` on tweets (half of TweetLID 2014) against sentences of news
(FLORES-200 and WMT). In a body whose blocks the scraper glued together, or joined with spaces
on one line, where a tweet ends and the article resumes is often told by nothing but this:
`…mis macarrones Con el fin de graficar…`."""

from __future__ import annotations

import gzip
import hashlib
import re
from functools import cache, lru_cache
from itertools import repeat
from pathlib import Path

WEIGHTS_FILE = Path(__file__).with_name("tweet_register.tsv.gz")
NGRAMS = (2, 3, 4)
# Beyond these the ratio says nothing more: one odd n-gram must not decide a long unit.
LOW, HIGH = -1.5, 2.5
_LINK_RE = re.compile(r"https?://\S+|pic\.twitter\.com/\S+|www\.\S+", re.IGNORECASE)


def grams(text: str) -> list[str]:
    """The character n-grams of `text` as the model reads it: lower case, links as `U`."""
    padded = f" {_LINK_RE.sub(' U ', text.lower())} "
    return [padded[i : i + n] for n in NGRAMS for i in range(len(padded) - n + 1)]


@cache
def weights() -> dict[str, float]:
    """The fitted log-likelihood ratio of each n-gram (tweet against prose); unseen ones are 0.
    Read once per process, when a tweet's extent is first weighed."""
    with gzip.open(WEIGHTS_FILE, "rt", encoding="utf-8") as f:
        return {gram: float(w) for gram, w in (line.rstrip("\n").split("\t") for line in f)}


# A tweet's register shows in its first characters; the rest of a long unit only costs time.
READ_CHARS = 120


@lru_cache(maxsize=4096)  # a unit's side is weighed again for each cut tried near it
def tweet_likeness(text: str) -> float:
    """The mean log-likelihood ratio per n-gram of the text's first `READ_CHARS` characters,
    clipped: above 0, more like a tweet."""
    found = grams(text[:READ_CHARS])
    score = sum(map(weights().get, found, repeat(0.0))) / max(len(found), 1)
    return min(max(score, LOW), HIGH)


@cache
def digest() -> str:
    """Names the fitted weights in the segment stage's signature."""
    return hashlib.sha256(WEIGHTS_FILE.read_bytes()).hexdigest()[:12]
