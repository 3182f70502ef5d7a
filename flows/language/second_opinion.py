"""A second language identifier for the detect stage's Spanish calls: py3langid.

langdetect has no Galician or Basque profile, and on a tweet's few n-grams it calls many
Spanish tweets Portuguese or Catalan with high probability. py3langid (langid.py's model,
Naive Bayes over byte n-grams, trained on other data than langdetect and shipped inside its
wheel) knows Galician and Basque and errs on different tweets, so where the two disagree
about Spanish its probability settles it (the thresholds are in `flows.language.detection`).

It ranks only `LANGS`, the languages a Spanish call is confused with, with probabilities
normalised over them. The model loads once per process, from the wheel: nothing is read
from the network. The wheel's model is LZMA-compressed (0.9 s to load, in every worker
process of every run), so its `LANGS` columns are kept uncompressed in the user's cache
(`$XDG_CACHE_HOME/bilingual/`, 42 MB; 0.1 s to load), keyed on py3langid's version and
`LANGS`; where that cannot be written, the wheel's model is used as it is.
"""

from __future__ import annotations

import os
from array import array
from contextlib import suppress
from functools import lru_cache
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any

# Spanish, the languages Spanish tweets are confused with, and English.
LANGS = ("ca", "en", "es", "eu", "fr", "gl", "it", "pt")
RANKED_TEXTS_KEPT = 1 << 12  # tweets seldom repeat across batches


@lru_cache(maxsize=1)
def _identifier() -> Any:
    path = model_cache_path()
    try:
        return _cached_identifier(path)
    except (OSError, ValueError, KeyError, TypeError):  # first use, or a damaged cache
        identifier = _wheel_identifier()
        _write_model_cache(identifier, path)
        return identifier


def _cached_identifier(path: Path) -> Any:
    # numpy and py3langid's model: only when a text gets a second opinion
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    with np.load(path) as data:
        return LanguageIdentifier(
            data["ptc"],
            data["pc"],
            data["classes"].tolist(),
            array(data["nextmove"].dtype.char, data["nextmove"].tobytes()),
            data["out_feat"].tolist(),
            norm_probs=True,
            tk_row=array(data["row"].dtype.char, data["row"].tobytes()),
        )


def _wheel_identifier() -> Any:
    # py3langid's model: only when a text gets a second opinion
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGS))
    return identifier


def model_cache_path() -> Path:
    """Where the uncompressed `LANGS` columns of py3langid's model are kept."""
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home) / "bilingual" / f"{version()}-{'-'.join(LANGS)}.npz"


def _write_model_cache(identifier: Any, path: Path) -> None:
    """The model of `identifier` (restricted to `LANGS`), written whole or not at all
    (concurrent workers may both write it; the last rename wins, with the same bytes)."""
    # numpy: only when a model cache is written
    import numpy as np

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                ptc=np.ascontiguousarray(identifier.nb_ptc),
                pc=identifier.nb_pc,
                classes=np.array(identifier.nb_classes),
                nextmove=np.frombuffer(
                    identifier.tk_nextmove, dtype=f"u{identifier.tk_nextmove.itemsize}"
                ),
                row=np.frombuffer(identifier.tk_row, dtype=f"u{identifier.tk_row.itemsize}"),
                out_feat=np.array(identifier.tk_output, dtype=np.int64),
            )
        os.replace(tmp, path)
    except OSError:  # an unwritable cache only costs the slower load
        with suppress(OSError):
            tmp.unlink(missing_ok=True)


@lru_cache(maxsize=RANKED_TEXTS_KEPT)
def rank(text: str) -> tuple[tuple[str, float], ...]:
    """`LANGS` with py3langid's probability for `text` (summing to 1), best first."""
    ranked = _identifier().rank(text)
    return tuple((str(lang), round(float(p), 6)) for lang, p in ranked)


def version() -> str:
    return f"py3langid-{dist_version('py3langid')}"
