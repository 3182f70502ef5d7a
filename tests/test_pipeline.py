"""The whole flow, as a user runs it: the seed article becomes bilingual Parquet."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result

from flows.cli import main
from flows.engines import apertium
from tests.conftest import SEED

pytestmark = pytest.mark.usefixtures("prefect_harness")

needs_apertium = pytest.mark.skipif(
    not apertium.is_available("es", "en"),
    reason="apertium-eng-spa is not installed (make test installs it)",
)


def run_cli(args: Sequence[str]) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def query(out: Path, sql: str) -> list[tuple]:
    con = duckdb.connect()
    for name in ("documents", "segments", "sentence_pairs", "runs", "rejects"):
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{out}/{name}/*/*.parquet', "
            "hive_partitioning = true, union_by_name = true)"
        )
    return con.execute(sql).fetchall()


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


@needs_apertium
def test_seed_becomes_bilingual_parquet(seeds: Path, tmp_path: Path, no_network: list) -> None:
    out = tmp_path / "out"
    result = run_cli(
        ["run", str(seeds), "--out", str(out), "--engine", "apertium", "--run-date", "2026-01-02"]
    )
    assert result.exit_code == 0, result.output
    assert no_network == []
    spanish = query(
        out,
        """
        SELECT s.author_handle, string_agg(p.tgt_text, ' ' ORDER BY p.sentence_index)
        FROM segments s JOIN sentence_pairs p USING (segment_id)
        WHERE s.kind = 'tweet' AND p.src_lang = 'es' AND p.status = 'translated'
        GROUP BY 1 ORDER BY 1""",
    )
    assert [handle for handle, _ in spanish] == ["m_ebrard", "rosaicela_"]
    english = dict(spanish)
    assert english["m_ebrard"].startswith("Results of the dialogue on security")
    for entity in ("@LSRTweets", "#EEUU", "pic.twitter.com/L9axrJpOKj", "#Canadá"):
        assert entity in english["rosaicela_"]
    assert "pic.twitter.com/7M4qSDxvZn" in english["m_ebrard"]
    [(title, n_tweets, n_spanish, run_date)] = query(
        out, "SELECT title, n_tweets, n_spanish_tweets, run_date FROM documents"
    )
    assert title == SEED.read_text(encoding="utf-8").splitlines()[0]
    assert (n_tweets, n_spanish, str(run_date)) == (2, 2, "2026-01-02")
    assert query(
        out,
        "SELECT count(*) FROM segments WHERE kind = 'tweet' "
        "AND (text LIKE '%(@%' OR text LIKE '%April 13, 2023%')",
    ) == [(0,)]
    assert query(
        out,
        "SELECT status, engine, count(*), min(tgt_text) FROM sentence_pairs GROUP BY ALL "
        "ORDER BY ALL",
    )[0] == ("copied", None, 1, "#ReuniónTrilateral")  # nothing to translate: not counted
    assert query(out, "SELECT DISTINCT status, engine FROM sentence_pairs ORDER BY ALL") == [
        ("copied", None),
        ("translated", "apertium"),
    ]
    assert query(out, "SELECT count(*) FROM sentence_pairs WHERE tgt_text LIKE '%..%'") == [(0,)]
    assert re.search(r"│ translated\s+│\s+2 │", result.output), result.output
    assert query(out, "SELECT counters['align.status.copied'] FROM runs") == [(1,)]
    # the README's query over the per-stage counters, as a reader runs it
    readme = (SEED.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Per-stage counters") :]
    sql = re.search(r"```sql\n(.*?);", section, re.DOTALL).group(1)  # type: ignore[union-attr]
    counters = {
        name: n for _, _, name, n in duckdb.sql(sql.replace("outputs/", f"{out}/")).fetchall()
    }
    assert counters["translate.apertium.sent"] == counters["align.status.translated"] == 2
    assert counters["translate.apertium.doubled_stops_fixed"] == 1
    assert counters["segment.kind.tweet"] == 2
    shown = run_cli(["show", "--out", str(out), "--format", "json"])
    assert shown.exit_code == 0
    by_author = {p["author"]: p["translation"] for p in json.loads(shown.output)}
    assert by_author["@m_ebrard"].startswith("Results of the dialogue")


@needs_apertium
def test_second_run_skips_seen_articles_and_keeps_rows(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    common = ["run", str(seeds), "--out", str(out), "--engine", "apertium"]
    tables = ("documents", "segments", "sentence_pairs")

    def snapshot() -> dict[str, list[tuple]]:
        return {t: query(out, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}

    assert run_cli([*common, "--run-date", "2026-01-02"]).exit_code == 0
    first = snapshot()
    assert run_cli([*common, "--run-date", "2026-01-02"]).exit_code == 0
    assert snapshot() == first
    assert run_cli([*common, "--run-date", "2026-01-03"]).exit_code == 0
    assert snapshot() == first
    assert query(out, "SELECT n_documents, n_skipped FROM runs ORDER BY finished_at") == [
        (1, 0),
        (0, 1),
        (0, 1),
    ]
    # --force processes it again: its rows are replaced, never duplicated, and every
    # translation comes from the cache.
    assert run_cli([*common, "--run-date", "2026-01-03", "--force"]).exit_code == 0
    assert query(out, "SELECT count(*), min(run_date) FROM documents")[0][0] == 1
    assert query(out, "SELECT count(*) FROM sentence_pairs") == [(len(first["sentence_pairs"]),)]
    assert query(
        out,
        "SELECT bool_and(from_cache) FROM sentence_pairs "
        "WHERE status = 'translated' AND tgt_text <> src_text",
    ) == [(True,)]


def test_bad_inputs_are_rejected_and_the_rest_processed(seeds: Path, tmp_path: Path) -> None:
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    out = tmp_path / "out"
    result = run_cli(["run", str(seeds), "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert query(out, "SELECT count(*) FROM documents") == [(1,)]
    assert query(
        out, "SELECT parse_filename(source_path), reason_code FROM rejects ORDER BY 1"
    ) == [("empty.txt", "empty"), ("image.txt", "binary")]
    assert re.search(r"│ rejected\s+│\s+2 │", result.output), result.output


def test_a_rejected_input_that_is_fixed_leaves_rejects(seeds: Path, tmp_path: Path) -> None:
    empty, image = seeds / "empty.txt", seeds / "image.txt"
    empty.write_bytes(b"")
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    out = tmp_path / "out"
    common = ["run", str(seeds), "--out", str(out), "--no-progress"]
    assert run_cli(common).exit_code == 0
    empty.write_text("Markets closed higher on Friday.\n\nShares rose 2%.\n", encoding="utf-8")
    image.write_bytes(b"")
    assert run_cli(common).exit_code == 0
    assert query(out, "SELECT parse_filename(source_path), reason_code FROM rejects") == [
        ("image.txt", "empty")
    ]
    assert query(out, "SELECT parse_filename(source_path) FROM documents ORDER BY 1") == [
        ("000_fb888b10f3d357a7.txt",),
        ("empty.txt",),
    ]


def test_a_copy_added_later_is_recorded_as_a_duplicate(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)  # the first run names the folder relatively, the second not
    assert run_cli(["run", seeds.name, "--out", "out", "--no-progress"]).exit_code == 0
    shutil.copy(SEED, seeds / "0-copy.txt")  # sorts before the original
    result = run_cli(["run", str(seeds), "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    original = str(seeds / SEED.name)
    assert query(out, "SELECT parse_filename(source_path), reason_code, message FROM rejects") == [
        ("0-copy.txt", "duplicate", f"same content as {original}")
    ]
    assert query(out, "SELECT source_path FROM documents") == [(original,)]
    runs = "SELECT n_documents, n_skipped, n_rejects FROM runs ORDER BY finished_at"
    assert query(out, runs) == [(1, 0, 0), (0, 1, 1)]


def test_without_an_engine_sentences_stay_pending(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    out = tmp_path / "out"
    result = run_cli(["run", str(seeds), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "bilingual models install --from es --to en" in result.output
    assert query(
        out, "SELECT DISTINCT status, tgt_text IS NULL FROM sentence_pairs ORDER BY ALL"
    ) == [("copied", False), ("pending", True)]  # copied: the hashtag-only sentence
    assert query(out, "SELECT n_pending, engine FROM runs") == [(2, None)]
    assert query(out, "SELECT counters['translate.none.pending'] FROM runs") == [(2,)]


def test_explicit_engine_that_is_missing_is_a_one_line_error(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = run_cli(["run", str(seeds), "--out", str(tmp_path / "out"), "--engine", "apertium"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: Apertium es→en is not installed; install it with "
        "`apt-get install apertium-eng-spa`\n"
    )


def test_missing_input_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(["run", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path / 'nope'}: no such file or directory\n"


def test_a_second_run_on_a_locked_root_exits_with_one_line(seeds: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from flows.store.lock import output_lock\n"
            f"with output_lock(Path({str(out)!r})):\n"
            "    print('held', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = run_cli(["run", str(seeds), "--out", str(out)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {out}: another bilingual run (pid {holder.pid}) is writing here; "
        "wait for it to finish and run again\n"
    )
    assert not (out / "documents").exists()


@pytest.fixture
def tiny_argos_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A tiny random-weight es→en Argos package, installed into a private packages folder."""
    from flows.engines.argos_packages import install_file
    from tests.support.tiny_argos import build_tiny_argosmodel

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    package = build_tiny_argosmodel(tmp_path / "build")
    return install_file(package, "es", "en").code


@pytest.mark.parametrize("engine", ["argos", "auto"])
def test_argos_package_translates_every_spanish_sentence(
    seeds: Path, tmp_path: Path, tiny_argos_installed: str, engine: str, no_network: list
) -> None:
    out = tmp_path / "out"
    options = ["--beam-size", "2", "--intra-threads", "1"] if engine == "argos" else []
    result = run_cli(["run", str(seeds), "--out", str(out), "--engine", engine, *options])
    assert result.exit_code == 0, result.output
    assert no_network == []
    rows = query(
        out,
        """
        SELECT p.src_text, p.tgt_text, p.engine, p.model_id, p.score, p.status
        FROM sentence_pairs p JOIN segments s USING (segment_id)
        WHERE s.kind = 'tweet' AND p.src_lang = 'es' ORDER BY p.segment_id, p.sentence_index""",
    )
    assert len(rows) == 3  # #ReuniónTrilateral, Nos reunimos…, Resultados…
    hashtag, *sentences = rows
    # an entity-only sentence is not sent to the model, nor counted as translated
    assert hashtag == ("#ReuniónTrilateral", "#ReuniónTrilateral", None, None, None, "copied")
    for src, tgt, engine_name, model_id, score, status in sentences:
        assert (engine_name, status) == ("argos", "translated")
        assert model_id == "argos/translate-es_en@1.0"
        assert tgt
        assert isinstance(score, float) and score <= 0.0
        for entity in ("@LSRTweets", "#EEUU", "#Canadá", "pic.twitter.com/L9axrJpOKj"):
            assert (entity in tgt) == (entity in src)
    metadata = query(
        out,
        "SELECT DISTINCT value FROM parquet_kv_metadata("
        f"'{out}/sentence_pairs/*/*.parquet') WHERE key = 'engine'",
    )
    assert metadata == [(b"argos",)]


@needs_apertium
def test_dask_runner_gives_the_same_rows_as_threads(seeds: Path, tmp_path: Path) -> None:
    (seeds / "copy_with_other_title.txt").write_text(
        "Another article\n" + SEED.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8"
    )
    common = ["run", str(seeds), "--engine", "apertium", "--run-date", "2026-01-02"]
    assert run_cli([*common, "--out", str(tmp_path / "threads")]).exit_code == 0
    result = run_cli([*common, "--out", str(tmp_path / "dask"), "--task-runner", "dask"])
    assert result.exit_code == 0, result.output

    def rows(out: Path, table: str) -> list[tuple]:
        return query(out, f"SELECT * EXCLUDE (run_id) FROM {table} ORDER BY ALL")

    for table in ("documents", "segments", "sentence_pairs"):
        assert rows(tmp_path / "dask", table) == rows(tmp_path / "threads", table)
    assert query(tmp_path / "dask", "SELECT count(*) FROM documents") == [(2,)]


def test_an_output_root_that_is_a_file_is_a_one_line_error(seeds: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("not a folder")
    result = run_cli(["run", str(seeds), "--out", str(tmp_path / "taken")])
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"error: {tmp_path / 'taken'}: cannot write the output here (File exists)\n"
    )


@needs_apertium
def test_a_second_run_sends_no_sentence_to_the_engine(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []
    real = apertium.ApertiumEngine.translate_batch

    def counting(self, sentences, stats=None):
        sent.extend(sentences)
        return real(self, sentences, stats)

    monkeypatch.setattr(apertium.ApertiumEngine, "translate_batch", counting)
    common = ["run", str(seeds), "--out", str(tmp_path / "out"), "--engine", "apertium"]
    assert run_cli(common).exit_code == 0
    assert len(sent) == 2  # the two Spanish sentences that are more than entities
    sent.clear()
    again = run_cli([*common, "--force"])
    assert again.exit_code == 0
    assert sent == []
    assert re.search(r"│   of which from cache\s+│\s+2 │", again.output), again.output


def test_other_engine_settings_translate_again_and_rows_say_which_made_them(
    seeds: Path, tmp_path: Path, tiny_argos_installed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A beam-1 run after a beam-4 run on the same input reuses none of beam 4's output."""
    from flows.engines import argos

    sent: list[str] = []
    real = argos.ArgosEngine.translate_batch

    def counting(self, sentences, stats=None):
        sent.extend(sentences)
        return real(self, sentences, stats)

    monkeypatch.setattr(argos.ArgosEngine, "translate_batch", counting)
    common = ["run", str(seeds), "--out", str(tmp_path / "out"), "--engine", "argos"]
    assert run_cli([*common, "--beam-size", "4"]).exit_code == 0
    first = list(sent)
    assert len(first) == 2
    sent.clear()
    again = run_cli([*common, "--beam-size", "1", "--force"])
    assert again.exit_code == 0, again.output
    assert sorted(sent) == sorted(first)  # every sentence sent again
    assert re.search(r"│   of which from cache\s+│\s+0 │", again.output), again.output
    rows = query(
        tmp_path / "out",
        "SELECT DISTINCT engine_signature, from_cache FROM sentence_pairs "
        "WHERE status = 'translated'",
    )
    assert len(rows) == 1
    signature, from_cache = rows[0]
    assert "|beam:1|" in signature and "|compute:" in signature and "|ctranslate2:" in signature
    assert from_cache is False
    (run_signature,) = query(
        tmp_path / "out", "SELECT signature FROM runs ORDER BY finished_at DESC LIMIT 1"
    )[0]
    assert signature in run_signature and "|detect:langdetect-" in run_signature


def ten_articles(folder: Path) -> Path:
    """Ten articles sharing tweets (so later windows meet sentences already translated) and
    an empty file (a reject, written once whatever the windows)."""
    folder.mkdir()
    title, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    paragraphs = body.split("\n")
    for i in range(10):
        turned = paragraphs[i % 3 :] + paragraphs[: i % 3]
        (folder / f"a{i}.txt").write_text(f"{title} {i}\n" + "\n".join(turned), encoding="utf-8")
    (folder / "empty.txt").write_text("")
    return folder


@needs_apertium
def test_rows_do_not_depend_on_the_window_size(tmp_path: Path) -> None:
    from datetime import date

    from flows.pipeline import bilingual_flow

    folder = ten_articles(tmp_path / "in")
    common = dict(paths=[str(folder)], engine="apertium", run_date=date(2026, 1, 2))
    small = bilingual_flow(out=str(tmp_path / "w3"), window=3, **common)
    large = bilingual_flow(out=str(tmp_path / "w1000"), window=1000, **common)

    def rows(out: Path, table: str) -> list[tuple]:
        return query(out, f"SELECT * EXCLUDE (run_id) FROM {table} ORDER BY ALL")

    for table in ("documents", "segments", "sentence_pairs", "rejects"):
        assert rows(tmp_path / "w3", table) == rows(tmp_path / "w1000", table), table
    assert len(list((tmp_path / "w3" / "documents").glob("run_date=*/part-*.parquet"))) == 4
    assert query(tmp_path / "w3", "SELECT count(*) FROM documents") == [(10,)]
    drop = ("run_id", "seconds", "out")
    assert {k: v for k, v in small.items() if k not in drop} == {
        k: v for k, v in large.items() if k not in drop
    }
    assert run_cli(["check", "--out", str(tmp_path / "w3")]).exit_code == 0


@needs_apertium
def test_rows_do_not_depend_on_the_number_of_worker_processes(tmp_path: Path) -> None:
    folder = ten_articles(tmp_path / "in")
    common = ["run", str(folder), "--engine", "apertium", "--run-date", "2026-01-02"]
    for workers in ("1", "2"):
        result = run_cli([*common, "--out", str(tmp_path / workers), "--workers", workers])
        assert result.exit_code == 0, result.output

    def rows(out: Path, table: str) -> list[tuple]:
        return query(out, f"SELECT * EXCLUDE (run_id) FROM {table} ORDER BY ALL")

    for table in ("documents", "segments", "sentence_pairs", "rejects"):
        assert rows(tmp_path / "2", table) == rows(tmp_path / "1", table), table
    assert query(tmp_path / "2", "SELECT count(*) FROM documents") == [(10,)]
    result = run_cli([*common, "--out", str(tmp_path / "0"), "--workers", "0"])
    assert result.exit_code == 2 and "--workers" in result.output
