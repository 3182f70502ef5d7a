"""Align stage: one row per source sentence in scope, with its translation, its spans into
the original, the engine, model, signature and score. Sentences in another language, and
sentences that are nothing but entities (a lone `#ReuniónTrilateral`), are carried over
unchanged with status `copied`: nothing was translated."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypedDict

from flows.records import ProcessedDocument, Segment, Sentence, SentencePair, Translation
from flows.text.entities import is_entities_only

SCOPES = ("tweets", "all")


@dataclass(frozen=True)
class EngineInfo:
    """The engine a run translates with: its name, model and full signature (every option
    that changes its output), which keys the translation cache."""

    name: str
    model_id: str
    signature: str


def in_scope(segment: Segment, scope: str, source: str) -> bool:
    """Tweets always; with scope `all`, every other segment whose language is `source`."""
    if segment.kind == "tweet":
        return True
    return scope == "all" and segment.kind != "boilerplate" and segment.lang.lang == source


def tweet_is_source(segment: Segment, source: str) -> bool:
    """A tweet counts as a `source`-language tweet when the tweet or one of its sentences is."""
    return segment.lang.lang == source or any(s.lang.lang == source for s in segment.sentences)


def needs_translation(sentence: Sentence, source: str) -> bool:
    """A `source`-language sentence with words to translate (not only entities)."""
    return sentence.lang.lang == source and not is_entities_only(sentence.text)


def sentences_to_translate(docs: Iterable[ProcessedDocument], scope: str, source: str) -> list[str]:
    """The text of every sentence in scope that needs translating, in document order."""
    return [
        sentence.text
        for doc in docs
        for segment in doc.segments
        if in_scope(segment, scope, source)
        for sentence in segment.sentences
        if needs_translation(sentence, source)
    ]


def align_document(
    doc: ProcessedDocument,
    scope: str,
    source: str,
    target: str,
    translations: Mapping[str, Translation],
    engine: EngineInfo | None,
    failed: frozenset[str] = frozenset(),
) -> list[SentencePair]:
    """The sentence pairs of one document. A sentence that needs translating is `translated`
    when `translations` has it, `failed` when its engine call failed, else `pending`; any
    other sentence is `copied` unchanged with its own language as `tgt_lang`."""
    pairs: list[SentencePair] = []
    for segment in doc.segments:
        if not in_scope(segment, scope, source):
            continue
        for sentence in segment.sentences:
            pairs.append(
                _pair(doc, segment, sentence, source, target, translations, engine, failed)
            )
    return pairs


class _Source(TypedDict):
    doc_id: str
    segment_id: str
    sentence_index: int
    src_lang: str
    src_lang_prob: float
    src_text: str
    src_start: int
    src_end: int


def _pair(
    doc: ProcessedDocument,
    segment: Segment,
    sentence: Sentence,
    source: str,
    target: str,
    translations: Mapping[str, Translation],
    engine: EngineInfo | None,
    failed: frozenset[str],
) -> SentencePair:
    common = _Source(
        doc_id=doc.article.doc_id,
        segment_id=segment.segment_id,
        sentence_index=sentence.index,
        src_lang=sentence.lang.lang,
        src_lang_prob=sentence.lang.prob,
        src_text=sentence.text,
        src_start=sentence.start,
        src_end=sentence.end,
    )
    if not needs_translation(sentence, source):
        return SentencePair(
            **common,
            tgt_lang=sentence.lang.lang,
            tgt_text=sentence.text,
            status="copied",
            engine=None,
            model_id=None,
            score=None,
        )
    done = translations.get(sentence.text)
    if done is not None and engine is not None:
        return SentencePair(
            **common,
            tgt_lang=target,
            tgt_text=done.text,
            status="translated",
            engine=engine.name,
            model_id=engine.model_id,
            score=done.score,
            engine_signature=engine.signature,
        )
    return SentencePair(
        **common,
        tgt_lang=target,
        tgt_text=None,
        status="failed" if sentence.text in failed else "pending",
        engine=engine.name if engine else None,
        model_id=engine.model_id if engine else None,
        score=None,
        engine_signature=engine.signature if engine else None,
    )
