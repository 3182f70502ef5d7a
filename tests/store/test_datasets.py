"""The Parquet datasets: explicit schemas, metadata in every file, readable by DuckDB,
Polars and pandas, and a writer that round-trips any Unicode."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import fields
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows import records
from flows.records import PAIR_STATUSES, SEGMENT_KINDS, Reject, SentencePair
from flows.store import datasets
from tests.conftest import SEED

RUN = datasets.RunInfo("run-1", date(2026, 1, 2), None, None, "tweets", "es", "en")

unicode_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60
) | st.sampled_from(["", "😀🇲🇽👩🏽‍💻", "مرحبا بالعالم", "שלום", "a\u200fb\u202ec", "\x00nul"])


@st.composite
def sentence_pairs(draw: st.DrawFn) -> SentencePair:
    status = draw(st.sampled_from(["translated", "pending", "failed", "copied"]))
    return SentencePair(
        doc_id=draw(unicode_text),
        segment_id=draw(unicode_text),
        sentence_index=draw(st.integers(0, 2**31 - 1)),
        src_lang=draw(st.sampled_from(["es", "en", "und"])),
        src_lang_prob=draw(st.floats(0.0, 1.0)),
        src_text=draw(unicode_text),
        src_start=draw(st.integers(0, 2**31 - 1)),
        src_end=draw(st.integers(0, 2**31 - 1)),
        tgt_lang="en",
        tgt_text=draw(st.none() | unicode_text),
        status=status,
        engine=draw(st.none() | st.sampled_from(["argos", "apertium"])),
        model_id=draw(st.none() | unicode_text),
        score=draw(st.none() | st.floats(allow_nan=False)),
        from_cache=draw(st.booleans()),
    )


def test_rows_come_from_the_records_fields_by_column_name() -> None:
    sentence = records.Sentence(0, "Hola.", 5, 10, records.LangDecision("es", 0.9, (("es", 0.9),)))
    segment = records.Segment("d1", 3, "tweet", "Hola.", (records.Span(5, 10),), (sentence,))
    schema = pa.schema([("doc_id", pa.string()), ("spans", pa.string()), ("run_id", pa.string())])
    row = records.row_of(schema, segment, run_id="r1")
    assert row == {"doc_id": "d1", "spans": [{"start": 5, "end": 10}], "run_id": "r1"}
    # nested records become dicts and tuples lists, all the way down
    nested = records.row_of(pa.schema([("sentences", pa.string())]), segment)["sentences"]
    assert nested == [
        {"index": 0, "text": "Hola.", "start": 5, "end": 10, "lang": {
            "lang": "es", "prob": 0.9, "candidates": [["es", 0.9]], "reason": None}},
    ]  # fmt: skip
    # the first record with the column gives it; a derived value overrides both
    article = records.Article("d2", "a.txt", "Hola.", "sha", "utf-8")
    both = pa.schema([("doc_id", pa.string()), ("source_path", pa.string())])
    assert records.row_of(both, segment, article) == {"doc_id": "d1", "source_path": "a.txt"}
    assert records.row_of(both, article, segment, doc_id="x")["doc_id"] == "x"
    with pytest.raises(KeyError, match="no value for column 'nothing'"):
        records.row_of(pa.schema([("nothing", pa.string())]), segment)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=st.lists(sentence_pairs(), max_size=8))
def test_writer_round_trips_any_unicode(tmp_path: Path, pairs: list[SentencePair]) -> None:
    rows = datasets.pair_rows(pairs, "run-1")
    path = tmp_path / "pairs.parquet"
    datasets.write_atomic(datasets.to_table("sentence_pairs", rows, RUN.metadata()), path)
    table = pq.read_table(path)
    assert table.schema.remove_metadata() == datasets.SCHEMAS["sentence_pairs"]
    assert table.to_pylist() == rows


def test_all_null_columns_keep_their_types(tmp_path: Path) -> None:
    pair = SentencePair(
        "d", "d:0001", 0, "es", 0.99, "Hola", 0, 4, "en", None, "pending", None, None, None
    )
    path = tmp_path / "p.parquet"
    rows = datasets.pair_rows([pair], "r")
    datasets.write_atomic(datasets.to_table("sentence_pairs", rows, RUN.metadata()), path)
    schema = pq.read_schema(path)
    assert not [f.name for f in schema if pa.types.is_null(f.type)]
    assert schema.field("tgt_text").type == pa.string()
    assert schema.field("score").type == pa.float64()


def test_removing_every_row_keeps_one_readable_file(tmp_path: Path) -> None:
    for run_id, source in (("run-1", "a.txt"), ("run-2", "b.txt")):
        rows = datasets.reject_rows([Reject(source, "empty", "the file has no text")], run_id)
        path = datasets.partition_dir(tmp_path, "rejects", RUN.run_date) / f"part-{run_id}.parquet"
        datasets.write_atomic(datasets.to_table("rejects", rows, RUN.metadata()), path)
    datasets.remove_rows(tmp_path, "rejects", "source_path", {"a.txt"})
    assert [p.name for p in datasets.part_files(tmp_path, "rejects")] == ["part-run-2.parquet"]
    datasets.remove_rows(tmp_path, "rejects", "source_path", {"b.txt"})
    assert [p.name for p in datasets.part_files(tmp_path, "rejects")] == ["part-run-2.parquet"]
    glob = f"{tmp_path}/rejects/*/*.parquet"
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall() == [(0,)]


def test_no_temporary_file_is_left_behind(tmp_path: Path) -> None:
    path = tmp_path / "x" / "p.parquet"
    datasets.write_atomic(datasets.to_table("rejects", [], RUN.metadata()), path)
    assert [p.name for p in path.parent.iterdir()] == ["p.parquet"]


@pytest.fixture(scope="module")
def pending_run(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """One run without any engine: every translation column is null in every row."""
    from flows.orchestration.runner import run_once
    from flows.settings import RunSettings

    root = tmp_path_factory.mktemp("datasets")
    (root / "in").mkdir()
    shutil.copy(SEED, root / "in" / SEED.name)
    (root / "in" / "empty.txt").write_text("")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", str(root / "no-bin"))
        run_once(RunSettings((str(root / "in"),), str(root / "out"), date(2026, 1, 2)))
    return root / "out"


def test_kinds_and_statuses_are_the_contract_s(pending_run: Path) -> None:
    kinds = duckdb.sql(f"SELECT DISTINCT kind FROM '{pending_run}/segments/*/*.parquet'")
    statuses = duckdb.sql(f"SELECT DISTINCT status FROM '{pending_run}/sentence_pairs/*/*.parquet'")
    assert {k for (k,) in kinds.fetchall()} <= set(SEGMENT_KINDS)
    assert {s for (s,) in statuses.fetchall()} <= set(PAIR_STATUSES)


@pytest.mark.parametrize("dataset", datasets.DATASETS)
def test_every_dataset_is_read_by_duckdb_polars_and_pandas(pending_run: Path, dataset: str) -> None:
    folder = pending_run / dataset
    duck = duckdb.sql(
        f"SELECT * FROM read_parquet('{folder}/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
    polars = pl.read_parquet(folder, hive_partitioning=True)
    pandas = pd.read_parquet(folder)
    assert len(duck) == polars.height == len(pandas) >= 1
    assert "run_date" in polars.columns and "run_date" in pandas.columns
    for path in folder.glob("*/*.parquet"):
        schema = pq.read_schema(path)
        assert not [f.name for f in schema if pa.types.is_null(f.type)]
        meta = datasets.file_metadata(path)
        assert meta["schema_version"] == datasets.SCHEMA_VERSION
        assert meta["dataset"] == dataset
        assert meta["signature"].startswith("bilingual:")
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"


@pytest.mark.parametrize(
    ("record", "schema", "not_stored"),
    [
        (SentencePair, records.sentence_pairs_schema, set()),
        (Reject, records.rejects_schema, set()),
        (records.Segment, records.segments_schema, {"sentences"}),  # in sentence_pairs
        # only its text's length; an HTML page's embeds are in `segments` (embed_lang, tweet_url)
        (records.Article, records.documents_schema, {"text", "embeds"}),
    ],
)
def test_every_field_of_a_stored_record_is_a_column(
    record: type, schema: Callable[[], pa.Schema], not_stored: set[str]
) -> None:
    """A field added to a record without its column fails here; rows are built from the
    record's fields by column name, so nothing else needs adding."""
    assert {f.name for f in fields(record)} - not_stored <= set(schema().names)


def test_lookups_by_key_return_only_the_rows_asked_for(tmp_path: Path) -> None:
    from flows.language.detection import detect_document
    from flows.orchestration import plan
    from flows.readers.ingest import doc_text
    from flows.records import ProcessedDocument, Translation
    from flows.segmentation.segment import segment
    from flows.translation.align import EngineInfo
    from flows.translation.batch import BatchResult

    def processed(article: records.Article) -> ProcessedDocument:
        return detect_document(ProcessedDocument(article, segment(article)))

    engine = EngineInfo("apertium", "apertium/es-en", "engine:apertium")
    run = datasets.RunInfo.of("run-1", date(2026, 1, 2), "tweets", "es", "en", engine)
    docs = [
        processed(doc_text(f"Title {i}\nUna frase en español número {i}.", f"/in/{i}.txt"))
        for i in range(3)
    ]
    todo = plan.plan_translation(docs, "all", "es", engine, lambda s, texts: {})
    made = {t: Translation(f"EN {t}") for t in todo.to_send}
    done = plan.gather(todo, [BatchResult(made)])
    pairs = plan.align_all(docs, "all", "es", "en", todo, done, engine)
    rejects = [Reject(f"/in/bad{i}.txt", "empty", "the file has no text") for i in range(2)]
    moves = datasets.stage(tmp_path, run, plan.dataset_rows(docs, pairs, rejects, "run-1", "es"))
    datasets.commit(tmp_path, run, moves, set(), {"run_id": "run-1"})
    first = docs[0].article
    asked = {first.doc_id, "not-there"}
    assert datasets.processed_documents(tmp_path, asked) == {first.doc_id: "/in/0.txt"}
    assert datasets.processed_documents(tmp_path, ()) == {}
    known = datasets.rejected_inputs(tmp_path, {"/in/bad1.txt", "/in/0.txt"})
    assert known == {("/in/bad1.txt", "empty")}
    sentence = next(t for t in made if "número 2" in t)
    assert datasets.translation_cache(tmp_path, engine.signature, [sentence, "otra"]) == {
        sentence: made[sentence]
    }
    assert datasets.translation_cache(tmp_path, "engine:other", [sentence]) == {}
