"""Signatures: every output says what made it, and a change to what makes it shows."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flows import PIPELINE_VERSION
from flows.language import detection, reading
from flows.segmentation import segment
from flows.store.datasets import SCHEMA_VERSION, RunInfo, run_signature
from flows.text import sentences


def test_pipeline_version_is_the_package_version() -> None:
    from importlib.metadata import version

    assert PIPELINE_VERSION == version("bilingual") == "0.4.0"


def test_changing_only_the_detectors_rules_changes_the_signature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = run_signature(SCHEMA_VERSION, "engine:apertium", "tweets", "es", "en")
    monkeypatch.setattr(reading, "LATIN_LANGS", ("ca", "en", "es", "fr", "pt", "it"))
    after_langs = run_signature(SCHEMA_VERSION, "engine:apertium", "tweets", "es", "en")
    monkeypatch.setattr(detection, "SENTENCE_SURE", 0.95)
    after_threshold = run_signature(SCHEMA_VERSION, "engine:apertium", "tweets", "es", "en")
    from flows.language import language_model

    monkeypatch.setattr(language_model, "PY3LANGID_CHARS", 300)
    after_model_rule = detection.signature()
    assert after_model_rule not in after_threshold
    monkeypatch.setattr(detection, "RULES_VERSION", "999")
    after_version = detection.signature()
    assert len({before, after_langs, after_threshold}) == 3
    assert "+rules.999." in after_version


def test_changing_the_segmenter_or_sentence_splitter_changes_the_signature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = segment.signature()
    monkeypatch.setattr(sentences, "ABBREVIATIONS", sentences.ABBREVIATIONS | {"approx"})
    assert segment.signature() == before  # already there: same rules
    monkeypatch.setattr(sentences, "ABBREVIATIONS", sentences.ABBREVIATIONS | {"aprox"})
    assert segment.signature() != before


def test_signatures_are_the_same_in_every_process() -> None:
    """Word lists are sets: their order must not leak into the digest."""
    code = (
        "from flows.language import detection; from flows.segmentation import segment; "
        "print(detection.signature(), segment.signature())"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    }
    assert runs == {f"{detection.signature()} {segment.signature()}\n"}


def test_every_file_and_the_runs_row_carry_the_run_signature() -> None:
    from datetime import date

    run = RunInfo("r", date(2026, 1, 2), "argos", "m", "all", "es", "en", "engine:argos|beam:1")
    metadata = run.metadata()
    assert metadata["signature"] == run.signature
    assert metadata["pipeline_version"] == "0.4.0"
    assert run.signature.split("|")[:2] == ["bilingual:0.4.0", f"schema:{SCHEMA_VERSION}"]
    for part in (segment.signature(), detection.signature(), "engine:argos|beam:1", "scope:all"):
        assert part in run.signature
    no_engine = RunInfo("r", date(2026, 1, 2), None, None, "tweets", "es", "en")
    assert "|engine:none|" in no_engine.signature
