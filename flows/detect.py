"""Detect stage: deterministic langdetect on text cleaned of Twitter entities. Every
decision keeps its probability and candidates; `und` carries the reason."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from flows import entities
from flows.records import LangDecision, ProcessedDocument, Segment

if TYPE_CHECKING:
    from langdetect.detector_factory import DetectorFactory

SEED = 0
MIN_LETTERS = 3
# Below this many letters a sentence is judged by its segment, unless langdetect is sure.
SHORT_SENTENCE_LETTERS = 25
SURE = 0.99
CAMEL_RE = re.compile(r"(?<=[a-záéíóúñ])(?=[A-ZÁÉÍÓÚÑ])")
NON_LETTERS_RE = re.compile(r"[^\w\s'’-]|[\d_]")


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    """langdetect's profiles, loaded once per process into a private factory."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(SEED)
    return factory


def clean(text: str) -> str:
    """Text as langdetect should see it: no links, @handles or emoji; hashtags without `#`
    and with CamelCase split (`#ReuniónTrilateral` → `Reunión Trilateral`)."""
    text = entities.URL_RE.sub(" ", text)
    text = entities.MENTION_RE.sub(" ", text)
    text = entities.HASHTAG_RE.sub(lambda m: " " + CAMEL_RE.sub(" ", m.group(0)[1:]) + " ", text)
    text = entities.EMOJI_RE.sub(" ", text)
    text = NON_LETTERS_RE.sub(" ", text)
    return " ".join(text.split())


def detect(text: str) -> LangDecision:
    """The language of `text`, or `und` with a reason (`empty`, `no_text`, `too_short`)."""
    if not text.strip():
        return LangDecision("und", 0.0, (), "empty")
    cleaned = clean(text)
    letters = sum(c.isalpha() for c in cleaned)
    if letters == 0:
        return LangDecision("und", 0.0, (), "no_text")
    if letters < MIN_LETTERS:
        return LangDecision("und", 0.0, (), "too_short")
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory().create()
    detector.append(cleaned)
    try:
        found = detector.get_probabilities()
    except LangDetectException:
        return LangDecision("und", 0.0, (), "no_features")
    candidates = tuple((c.lang, round(float(c.prob), 6)) for c in found)
    top, prob = candidates[0]
    return LangDecision(top, prob, candidates)


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in clean(text))


def detect_segment(segment: Segment, context: str) -> Segment:
    """The segment's language and each sentence's. A sentence too short to judge alone, or
    judged without confidence, takes its segment's language (reason `from_segment`); a
    segment with nothing to judge takes none from the article (`context` is only recorded
    for an `und` segment's sentences when they have text)."""
    seg_lang = detect(segment.text)
    if seg_lang.lang == "und" and seg_lang.reason == "too_short" and context != "und":
        seg_lang = LangDecision(context, 0.0, (), "from_article")
    sentences = []
    for sentence in segment.sentences:
        own = detect(sentence.text)
        sure = own.lang != "und" and (
            _letters(sentence.text) >= SHORT_SENTENCE_LETTERS or own.prob >= SURE
        )
        if not sure and seg_lang.lang != "und":
            own = LangDecision(seg_lang.lang, seg_lang.prob, own.candidates, "from_segment")
        sentences.append(replace(sentence, lang=own))
    return replace(segment, lang=seg_lang, sentences=tuple(sentences))


def article_language(segments: tuple[Segment, ...]) -> LangDecision:
    """The article's language, judged on its body (title, subtitle, headings, paragraphs)."""
    body = "\n".join(
        s.text for s in segments if s.kind in ("title", "subtitle", "heading", "paragraph")
    )
    return detect(body)


def detect_document(doc: ProcessedDocument) -> ProcessedDocument:
    """Language decisions for the article, then for each segment with it as context.
    Boilerplate is structure, not language: it is not judged."""
    lang = article_language(doc.segments)
    segments = tuple(
        _not_judged(s) if s.kind == "boilerplate" else detect_segment(s, lang.lang)
        for s in doc.segments
    )
    return replace(doc, segments=segments, lang=lang)


def _not_judged(segment: Segment) -> Segment:
    decision = LangDecision("und", 0.0, (), "boilerplate")
    sentences = tuple(replace(s, lang=decision) for s in segment.sentences)
    return replace(segment, lang=decision, sentences=sentences)
