"""Sentence splitting keeps offsets and knows English and Spanish abbreviations."""

from __future__ import annotations

import pytest

from flows.text.sentences import split_spans

CASES = [
    ("Hola. ¿Cómo estás? Bien, gracias.", ["Hola.", "¿Cómo estás?", "Bien, gracias."]),
    ("Vive en EE.UU. desde 2010. Trabaja allí.", ["Vive en EE.UU. desde 2010.", "Trabaja allí."]),
    ("The U.S. and Mexico met. Mr. Smith spoke.", ["The U.S. and Mexico met.", "Mr. Smith spoke."]),
    (
        "Results in Washington, DC. pic.twitter.com/x",
        ["Results in Washington, DC. pic.twitter.com/x"],
    ),
    ("It ended. #Tag follows. @user replied.", ["It ended.", "#Tag follows.", "@user replied."]),
    ("One line\nanother line.", ["One line", "another line."]),
    ("“Quoted.” Then more!", ["“Quoted.”", "Then more!"]),
    ("J. K. Rowling wrote it. Yes.", ["J. K. Rowling wrote it.", "Yes."]),
    ("   ", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:24] for c in CASES])
def test_split(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_spans(text)] == expected


def test_offsets_are_shifted() -> None:
    doc = "xxxxHola. Adiós."
    assert [doc[s:e] for s, e in split_spans(doc[4:], offset=4)] == ["Hola.", "Adiós."]
