"""The Apertium engine: what it adds at a sentence's edge is taken off; its signature."""

from __future__ import annotations

from collections import Counter

import pytest

from flows.engines import apertium
from flows.engines.apertium import ApertiumEngine
from flows.translation.batch import translate_unique

needs_apertium = pytest.mark.skipif(
    not apertium.is_available("es", "en"), reason="apertium-eng-spa is not installed"
)

# The seed's @m_ebrard tweet: Apertium expands `DC.` to `D.C.` and keeps the full stop.
SEED_SENTENCE = (
    "Resultados del diálogo sobre seguridad que tuvo lugar hoy en Washington, DC. "
    "pic.twitter.com/7M4qSDxvZn"
)


@needs_apertium
def test_no_doubled_full_stop_after_an_expanded_abbreviation() -> None:
    stats: Counter[str] = Counter()
    out = translate_unique(ApertiumEngine("es", "en"), [SEED_SENTENCE], stats)[SEED_SENTENCE]
    assert out.text.endswith("Washington, D.C. pic.twitter.com/7M4qSDxvZn"), out.text
    assert ".." not in out.text
    assert stats["apertium.doubled_stops_fixed"] == 1


@pytest.mark.parametrize(
    ("source", "output", "expected"),
    [
        ("hoy en Washington, DC.", "today in Washington, D.C..", "today in Washington, D.C."),
        ("Espera...", "Wait...", "Wait..."),  # an ellipsis stays
        ("Raro..", "Odd..", "Odd.."),  # the source had two: not the engine's
        ("Hola.", "Hello.", "Hello."),
    ],
)
def test_only_a_stop_the_engine_added_is_removed(source: str, output: str, expected: str) -> None:
    assert ApertiumEngine._clean(source, output).text == expected


@needs_apertium
def test_signature_names_the_pair_the_tools_and_the_post_processing() -> None:
    signature = ApertiumEngine("es", "en").signature()
    assert signature.startswith("engine:apertium|model:apertium/spa-eng@")
    for part in ("|apertium:", "|lttoolbox:", f"|post:{apertium.POSTPROCESS_VERSION}"):
        assert part in signature
    assert "unknown" not in signature
