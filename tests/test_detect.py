"""Language detection: deterministic, entity-aware, and `und` with a reason."""

from __future__ import annotations

import pytest

from flows.detect import clean, detect, detect_document
from flows.ingest import doc_text
from flows.records import ProcessedDocument
from flows.segment import segment


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Hola @amigo mira https://t.co/abc #ReuniónTrilateral", "Hola mira Reunión Trilateral"),
        ("pic.twitter.com/xyz 😀🇲🇽", ""),
        ("#EEUU y #Canadá", "EEUU y Canadá"),
    ],
)
def test_clean_removes_entities(text: str, cleaned: str) -> None:
    assert clean(text) == cleaned


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("   ", "empty"), ("https://t.co/abc 😀", "no_text"), ("@a ok", "too_short")],
)
def test_nothing_to_judge_is_und_with_a_reason(text: str, reason: str) -> None:
    decision = detect(text)
    assert (decision.lang, decision.reason, decision.prob) == ("und", reason, 0.0)


def test_decisions_are_deterministic_and_keep_candidates() -> None:
    text = "Resultados del diálogo sobre seguridad que tuvo lugar hoy en Washington"
    first, second = detect(text), detect(text)
    assert first == second
    assert first.lang == "es"
    assert first.candidates[0][0] == "es"
    assert 0.9 < first.prob <= 1.0


def test_seed_languages(seed_text: str) -> None:
    doc = detect_document(
        ProcessedDocument(doc_text(seed_text, "seed"), segment(doc_text(seed_text, "seed")))
    )
    assert doc.lang.lang == "en"
    tweets = [s for s in doc.segments if s.kind == "tweet"]
    assert [t.lang.lang for t in tweets] == ["es", "es"]
    assert all(s.lang.lang == "es" for t in tweets for s in t.sentences)
    body = [s for s in doc.segments if s.kind in ("paragraph", "heading", "title", "subtitle")]
    assert {s.lang.lang for s in body} == {"en"}
    # Structure decides before language: boilerplate is not judged at all.
    boiler = [s for s in doc.segments if s.kind == "boilerplate"]
    assert {(s.lang.lang, s.lang.reason) for s in boiler} == {("und", "boilerplate")}
