"""`bilingual show` and `bilingual docs` on the seed run: snapshots of what a reader sees
in an 80-column terminal, id prefixes, and the JSON and CSV that scripts read."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flows.cli import main
from tests.conftest import SEED, SNAPSHOTS

SEED_DOC = "2a275ec59def6584"
SEED_TWEET = (
    "Resultados del diálogo sobre seguridad que tuvo lugar hoy en Washington, DC. "
    "pic.twitter.com/7M4qSDxvZn"
)


def cli(*args: str) -> Result:
    return CliRunner(env={"COLUMNS": "80"}).invoke(main, list(args))


def matches_snapshot(name: str, text: str) -> None:
    """`text` equals tests/snapshots/<name>; UPDATE_SNAPSHOTS=1 writes it instead."""
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_docs_lists_the_seed(seed_run: tuple[Path, Result]) -> None:
    out, _ = seed_run
    result = cli("docs", "--out", str(out))
    assert result.exit_code == 0, result.output
    matches_snapshot("docs_seed.txt", result.stdout)


def test_docs_as_json_and_csv(seed_run: tuple[Path, Result]) -> None:
    out, _ = seed_run
    [doc] = json.loads(cli("docs", "--out", str(out), "--format", "json").stdout)
    assert (doc["doc_id"], doc["tweets"], doc["spanish_tweets"], doc["run_date"]) == (
        SEED_DOC,
        2,
        2,
        "2026-01-02",
    )
    assert doc["title"].startswith("U.S. and Mexico target two cartels")
    rows = list(
        csv.DictReader(io.StringIO(cli("docs", "--out", str(out), "--format", "csv").stdout))
    )
    assert [r["doc_id"] for r in rows] == [SEED_DOC]


def test_show_with_an_id_prefix_is_show_with_the_id(seed_run: tuple[Path, Result]) -> None:
    out, _ = seed_run
    by_prefix = cli("show", "--out", str(out), "--doc", SEED_DOC[:8], "--limit", "1")
    assert by_prefix.exit_code == 0, by_prefix.output
    assert (
        by_prefix.stdout == cli("show", "--out", str(out), "--doc", SEED_DOC, "--limit", "1").stdout
    )
    matches_snapshot("show_seed.txt", by_prefix.stdout)


def test_show_an_unknown_prefix_is_one_line(seed_run: tuple[Path, Result]) -> None:
    out, _ = seed_run
    result = cli("show", "--out", str(out), "--doc", "ffff")
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {out}: no document whose id starts with 'ffff'; `bilingual docs` lists them\n",
    )


def test_show_as_json_and_csv(seed_run: tuple[Path, Result]) -> None:
    out, _ = seed_run
    pairs = json.loads(cli("show", "--out", str(out), "--format", "json").stdout)
    assert {p["status"] for p in pairs} == {"translated"}
    assert {p["author"] for p in pairs} == {"@rosaicela_", "@m_ebrard"}
    assert all(p["article"].startswith("U.S. and Mexico") for p in pairs)
    assert {Path(p["source"]).name for p in pairs} == {SEED.name}  # where it was read
    every = json.loads(cli("show", "--out", str(out), "--format", "json", "--all").stdout)
    assert len(every) > len(pairs) and "copied" in {p["status"] for p in every}
    table = cli("show", "--out", str(out), "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [(r["original"], r["translation"]) for r in rows] == [
        (p["original"], p["translation"]) for p in pairs
    ]


def test_nothing_to_show_says_so(
    seed_run: tuple[Path, Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.views import show

    out, _ = seed_run
    monkeypatch.setattr(show, "pair_rows", lambda *a, **k: [])
    result = cli("show", "--out", str(out))
    assert (
        result.stdout.split()
        == (
            f"nothing to show: no translated sentences in {out} (`--all` also shows the "
            "sentences carried over unchanged)"
        ).split()
    )
    assert cli("show", "--out", str(out), "--format", "json").stdout == "[]\n"
    assert cli("show", "--out", str(out), "--format", "csv").stdout == (
        "run_date,doc_id,article,source,author,original,translation,status\n"
    )


def test_show_explain_says_why_each_tweet_is_spanish(seed_run: tuple[Path, Result]) -> None:
    from flows.language.explanation import REASONS

    out, _ = seed_run
    table = cli("show", "--out", str(out), "--explain")
    assert table.exit_code == 0, table.output
    matches_snapshot("show_explain_seed.txt", table.stdout)
    pairs = json.loads(cli("show", "--out", str(out), "--explain", "--format", "json").stdout)
    for pair in pairs:
        why = pair["explain"]
        assert (why["kind"], why["lang"]) == ("tweet", "es")
        assert why["reason"] in REASONS
        assert why["confidence"] == max(c["prob"] for c in why["candidates"])
        assert any(rule.startswith("model: es") for rule in why["rules"])
    # the same explanation `detect --explain` gives for the tweet's text, bar the line number
    [tweet] = [p for p in pairs if p["author"] == "@m_ebrard"]
    detected = json.loads(
        CliRunner().invoke(main, ["detect", "--explain", "-"], input=SEED_TWEET + "\n").stdout
    )
    assert {k: v for k, v in detected.items() if k != "line"} == {
        k: v for k, v in tweet["explain"].items() if k not in ("segment_id", "kind")
    }
    rows = list(
        csv.DictReader(
            io.StringIO(cli("show", "--out", str(out), "--explain", "--format", "csv").stdout)
        )
    )
    assert [r["rules"].split("; ") for r in rows] == [p["explain"]["rules"] for p in pairs]
