"""The engines as a family: a base that imports no engine, a registry the command line's
choices come from, and each engine saying why it cannot run here."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from flows.engines import ENGINE_CHOICES, ENGINES, engine_kind, select_engine
from flows.errors import EngineUnavailable, UsageError
from tests.conftest import ROOT


def test_the_choices_are_the_registry_plus_auto_in_the_order_auto_prefers() -> None:
    assert ("auto", *ENGINES) == ENGINE_CHOICES
    assert list(ENGINES) == ["argos", "apertium"]


def test_the_base_imports_no_engine() -> None:
    code = (
        "import json, sys\nimport flows.engines\n"
        "print(json.dumps([m for m in sys.modules if m.startswith('flows.engines.')]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert json.loads(done.stdout) == []


def test_an_engine_asked_for_by_name_fails_with_its_own_reason() -> None:
    reason = engine_kind("apertium").why_unavailable("es", "xx")
    assert reason is not None and "Apertium es→xx" in reason
    with pytest.raises(EngineUnavailable) as raised:
        select_engine("apertium", "es", "xx")
    assert str(raised.value) == reason


def test_auto_without_any_engine_for_the_pair_leaves_sentences_pending() -> None:
    assert engine_kind("argos").why_unavailable("es", "xx") is not None
    assert select_engine("auto", "es", "xx") is None


def test_an_unknown_engine_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown engine 'google'; choose one of auto, argos"):
        select_engine("google", "es", "en")
