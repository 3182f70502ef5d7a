"""langdetect's algorithm for the detect stage, fast and with the same results.

Two implementations of the same detector:

- `langdetect-rs`: a Rust port of langdetect 1.0.9 that reproduces its random walk (the same
  Mersenne Twister, smoothing and floating-point steps), so with the same profiles, profile
  order and seed every probability is the same float (checked on the TweetLID tweets and
  the layout set in tests/language/test_langdetect_backend.py). Used when it can be imported.
- `langdetect`: the pure-Python original, the reference and the fallback.

`BILINGUAL_LANGDETECT=langdetect` forces the reference (to compare, or should a platform
lack a langdetect-rs wheel). Both read their profiles from langdetect's own profile files,
in a sorted, fixed order, into a private, seeded factory: decisions never depend on the
global factory or on the order the file system lists the profiles in.

`judge` memoises: the same text with the same profiles and seed is judged once per process
(a one-sentence paragraph and its sentence, a tweet quoted in several articles).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

BACKEND_ENV = "BILINGUAL_LANGDETECT"
BACKENDS = ("langdetect-rs", "langdetect")
JUDGED_TEXTS_KEPT = 1 << 13


@dataclass(frozen=True)
class Judgement:
    """langdetect's view of one text: `ranked` is `get_probabilities()` (languages above
    0.1, best first), `probs` every profile's probability in the order of `langs` (the
    detector's `langlist` and `langprob`)."""

    ranked: tuple[tuple[str, float], ...]
    langs: tuple[str, ...]
    probs: tuple[float, ...]

    def prob(self, lang: str) -> float:
        return self.probs[self.langs.index(lang)]

    def prob_map(self) -> dict[str, float]:
        return dict(zip(self.langs, self.probs, strict=True))


def backend() -> str:
    """The implementation in use: `langdetect-rs` when importable and not overridden by
    `BILINGUAL_LANGDETECT=langdetect`, else `langdetect`."""
    wanted = os.environ.get(BACKEND_ENV, "").strip() or BACKENDS[0]
    if wanted not in BACKENDS:
        wanted = BACKENDS[0]
    return wanted if wanted == "langdetect" or _rust_available() else "langdetect"


@lru_cache(maxsize=1)
def _rust_available() -> bool:
    try:
        import langdetect_rs  # noqa: F401
    except ImportError:
        return False
    return True


def profile_names(langs: tuple[str, ...] | None = None) -> list[str]:
    """`langs`, or every profile langdetect ships, sorted."""
    # langdetect's profiles (or langdetect-rs): loaded when a text is first judged
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return sorted(langs or (n for n in os.listdir(PROFILES_DIRECTORY) if n[0].isalpha()))


@lru_cache(maxsize=8)
def factory(langs: tuple[str, ...] | None, seed: int, name: str | None = None) -> Any:
    """A private `DetectorFactory` of backend `name` (default: `backend()`) holding the
    profiles `langs` (or all), loaded once per process in sorted order, seeded with `seed`.
    It has langdetect's interface: `create()`, then `append`, `get_probabilities`,
    `langlist`, `langprob`."""
    # langdetect's profiles (or langdetect-rs): loaded when a text is first judged
    from langdetect.detector_factory import PROFILES_DIRECTORY

    name = name or backend()
    if name == "langdetect-rs":
        # langdetect's profiles (or langdetect-rs): loaded when a text is first judged
        from langdetect_rs import DetectorFactory
        from langdetect_rs.utils.lang_profile import LangProfile
    else:
        # langdetect's profiles (or langdetect-rs): loaded when a text is first judged
        from langdetect.detector_factory import DetectorFactory
        from langdetect.utils.lang_profile import LangProfile
    names = profile_names(langs)
    made = DetectorFactory()
    for index, profile in enumerate(names):
        with open(os.path.join(PROFILES_DIRECTORY, profile), encoding="utf-8") as fh:
            made.add_profile(LangProfile(**json.load(fh)), index, len(names))
    made.set_seed(seed)
    return made


def no_features_errors() -> tuple[type[Exception], ...]:
    """What `get_probabilities()` raises when a text has no n-gram to judge, for both
    backends (their exception classes differ)."""
    # langdetect's profiles (or langdetect-rs): loaded when a text is first judged
    from langdetect.lang_detect_exception import LangDetectException

    if not _rust_available():
        return (LangDetectException,)
    from langdetect_rs import LangDetectException as RustLangDetectException  # when installed

    return (LangDetectException, RustLangDetectException)


def judge(
    text: str, langs: tuple[str, ...] | None, seed: int, name: str | None = None
) -> Judgement | None:
    """langdetect's probabilities for `text` among the profiles `langs` (or all), seeded
    with `seed`, by backend `name` (default: `backend()`); None when the text has no
    features to judge."""
    return _judge(text, langs, seed, name or backend())


@lru_cache(maxsize=JUDGED_TEXTS_KEPT)
def _judge(text: str, langs: tuple[str, ...] | None, seed: int, name: str) -> Judgement | None:
    detector = factory(langs, seed, name).create()
    detector.append(text)
    try:
        found = detector.get_probabilities()
    except no_features_errors():
        return None
    return Judgement(
        ranked=tuple((c.lang, float(c.prob)) for c in found),
        langs=_langlist(langs, seed, name),
        probs=tuple(float(p) for p in detector.langprob),
    )


@lru_cache(maxsize=8)
def _langlist(langs: tuple[str, ...] | None, seed: int, name: str) -> tuple[str, ...]:
    """One shared tuple of the factory's languages for every judgement it makes."""
    return tuple(factory(langs, seed, name).langlist)
