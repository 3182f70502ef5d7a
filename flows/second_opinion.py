"""A second language identifier for the detect stage's Spanish calls: py3langid.

langdetect has no Galician or Basque profile, and on a tweet's few n-grams it calls many
Spanish tweets Portuguese or Catalan with high probability. py3langid (langid.py's model,
Naive Bayes over byte n-grams, trained on other data than langdetect and shipped inside its
wheel) knows Galician and Basque and errs on different tweets, so where the two disagree
about Spanish its probability settles it (the thresholds are in `flows.detect`).

It ranks only `LANGS`, the languages a Spanish call is confused with, with probabilities
normalised over them. The model loads once per process, from the wheel: nothing is read
from the network.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# Spanish, the languages Spanish tweets are confused with, and English.
LANGS = ("ca", "en", "es", "eu", "fr", "gl", "it", "pt")
RANKED_TEXTS_KEPT = 1 << 12  # tweets seldom repeat across batches


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGS))
    return identifier


@lru_cache(maxsize=RANKED_TEXTS_KEPT)
def rank(text: str) -> tuple[tuple[str, float], ...]:
    """`LANGS` with py3langid's probability for `text` (summing to 1), best first."""
    ranked = _identifier().rank(text)
    return tuple((str(lang), round(float(p), 6)) for lang, p in ranked)


def version() -> str:
    from importlib.metadata import version as dist_version

    return f"py3langid-{dist_version('py3langid')}"
