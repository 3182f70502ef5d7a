"""Twitter entities (links, @handles, #hashtags, emoji): finding them, and keeping them
exactly as written through a translation engine."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flows.records import Translation

URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"“”‘’]+[^\s<>\"“”‘’.,;:!?)\]]"
    r"|\b(?:pic\.twitter\.com|t\.co|bit\.ly|youtu\.be)/[A-Za-z0-9_\-/]+",
    re.IGNORECASE,
)
MENTION_RE = re.compile(r"(?<![\w@])@\w{1,15}\b")
HASHTAG_RE = re.compile(r"(?<![\w#&])#\w*[^\W\d_]\w*")
EMOJI_RE = re.compile(
    "[\U0001f000-\U0001faff\U0001f1e6-\U0001f1ff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff"
    "\ufe0f\u200d\u20e3\U000e0020-\U000e007f]+"
)
# Hashtags and handles written without spaces between them (`#a#b@c`, `@@user`), or glued
# to the word before (`vida!!#amor`), are one run that must come out as it went in.
TAG_RUN_RE = re.compile(r"[#@]+\w+(?:[#@]+\w+)*")
# One pass over every entity kind, links first so a `#` or `@` inside a URL stays in it.
ENTITY_RE = re.compile(
    "|".join(f"(?:{r.pattern})" for r in (URL_RE, TAG_RUN_RE, EMOJI_RE)),
    re.IGNORECASE,
)


def urls(text: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in URL_RE.finditer(text))


def mentions(text: str) -> tuple[str, ...]:
    if "@" not in text:  # most lines: no need to blank out their links first
        return ()
    return tuple(m.group(0) for m in MENTION_RE.finditer(_without_urls(text)))


def hashtags(text: str) -> tuple[str, ...]:
    if "#" not in text:
        return ()
    return tuple(m.group(0) for m in HASHTAG_RE.finditer(_without_urls(text)))


def _without_urls(text: str) -> str:
    return URL_RE.sub(lambda m: " " * len(m.group(0)), text)


def entity_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of every entity in `text`, in order, non-overlapping."""
    return [m.span() for m in ENTITY_RE.finditer(text)]


# Bump when masking changes what reaches an engine or what comes back (part of every
# translation's signature).
MASKING_VERSION = "1"
PLACEHOLDER = "ZXQ{}"
PLACEHOLDER_RE = re.compile(r"ZXQ(\d+)")


@dataclass(frozen=True)
class Masked:
    """A sentence split for translation: entities at either edge are set aside whole, and
    entities inside are replaced by placeholders (`ZXQ0`, `ZXQ1`, …) that engines copy."""

    prefix: str
    core: str
    suffix: str
    interior: tuple[str, ...]


def mask(text: str) -> Masked:
    spans = entity_spans(text)
    start, end = 0, len(text)
    # Peel entities (and the blanks between them) off both edges.
    lead = [s for s in spans]
    while lead and not text[start : lead[0][0]].strip():
        start = lead.pop(0)[1]
    trail = [s for s in spans if s[0] >= start]
    while trail and not text[trail[-1][1] : end].strip():
        end = trail.pop()[0]
    if not text[start:end].strip():
        return Masked(text, "", "", ())
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    interior: list[str] = []
    pieces: list[str] = []
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        pieces.append(text[cursor:s])
        pieces.append(PLACEHOLDER.format(len(interior)))
        interior.append(text[s:e])
        cursor = e
    pieces.append(text[cursor:end])
    return Masked(text[:start], "".join(pieces), text[end:], tuple(interior))


def is_entities_only(text: str) -> bool:
    """True when `text` is nothing but entities and blanks (`#ReuniónTrilateral`): there is
    nothing for an engine to translate."""
    return not mask(text).core


def unmask(masked: Masked, translated_core: str) -> str:
    """Put the entities back. A placeholder the engine lost is appended at the end, so every
    entity of the source is in the output exactly as written."""
    seen: set[int] = set()

    def restore(m: re.Match[str]) -> str:
        i = int(m.group(1))
        if i < len(masked.interior) and i not in seen:
            seen.add(i)
            return masked.interior[i]
        return ""

    core = PLACEHOLDER_RE.sub(restore, translated_core).strip()
    lost = [e for i, e in enumerate(masked.interior) if i not in seen]
    if lost:
        core = " ".join([core, *lost]).strip()
    return f"{masked.prefix}{core}{masked.suffix}" if core else masked.prefix + masked.suffix


def translate_keeping_entities(
    translate_batch: Callable[[Sequence[str]], list[Translation]], sentences: Sequence[str]
) -> list[Translation]:
    """Translate `sentences` with any engine's batch function, entities passing through
    unchanged. Sentences that are entities only are not sent to the engine at all."""
    masked = [mask(s) for s in sentences]
    todo = [i for i, m in enumerate(masked) if m.core]
    out = translate_batch([masked[i].core for i in todo]) if todo else []
    results = [Translation(s, None) for s in sentences]
    for i, t in zip(todo, out, strict=True):
        results[i] = Translation(unmask(masked[i], t.text), t.score)
    return results
