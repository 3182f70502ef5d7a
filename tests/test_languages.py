"""Languages as data: labels and hints follow --source-lang/--target-lang, and the
no-engine hint is printed once."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.engines import select_engine
from flows.errors import EngineUnavailable
from flows.languages import no_engine_hint
from tests.conftest import SEED


def test_the_hint_names_what_would_serve_the_pair() -> None:
    es_de = no_engine_hint("es", "de")
    assert "`bilingual models install --from es --to de`" in es_de
    assert "Debian has no Apertium es→de pair" in es_de and "apertium-eng-spa" not in es_de
    assert "`apt-get install apertium-fr-es`" in no_engine_hint("fr", "es")
    assert "`apt-get install apertium-eng-spa`" in no_engine_hint("es", "en")


def test_apertium_asked_for_a_pair_debian_lacks_says_so() -> None:
    with pytest.raises(EngineUnavailable) as raised:
        select_engine("apertium", "es", "de")
    assert str(raised.value) == (
        "Debian has no Apertium es→de pair; use an Argos package: "
        "`bilingual models install --from es --to de`"
    )


def test_the_console_drops_the_hint_the_summary_prints() -> None:
    from flows.orchestration.runner import _FailuresReportedByCaller

    keep = _FailuresReportedByCaller()

    def record(msg: str) -> logging.LogRecord:
        return logging.LogRecord("prefect.flow_runs", logging.WARNING, "", 0, msg, None, None)

    assert not keep.filter(record(no_engine_hint("es", "de")))
    assert keep.filter(record("could not mark dead runs as crashed in Prefect: …"))


def test_the_summary_labels_the_source_language() -> None:
    from flows.views.summary import summarise

    def labels(source: str) -> list[str]:
        summary = summarise(
            run_id="r",
            run_date="2026-01-02",
            docs=[],
            pairs=[],
            skipped=0,
            rejected=0,
            source_lang=source,
            engine=None,
            model_id=None,
            out="outputs",
            seconds=0.1,
            hint=None,
        )
        return [label for label, _ in summary.rows()]

    assert "Spanish tweets" in labels("es")
    assert "French tweets" in labels("fr") and "Spanish tweets" not in labels("fr")
    assert "xx tweets" in labels("xx")


@pytest.mark.usefixtures("prefect_harness")
def test_an_es_to_de_run_hints_once_for_that_pair(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SEED, tmp_path / "in" / SEED.name)
    args = ["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--no-progress"]
    result = CliRunner(env={"COLUMNS": "100"}).invoke(main, [*args, "--target-lang", "de"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())  # the note wraps
    assert flat.count("no es→de translation engine is installed") == 1
    assert "Debian has no Apertium es→de pair" in flat
    assert "apertium-eng-spa" not in flat
