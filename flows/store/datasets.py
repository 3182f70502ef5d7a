"""Write stage: the five Parquet datasets, each with one explicit Arrow schema (never
inferred), zstd, key-value metadata in every file, Hive-partitioned by `run_date`.

Layout: `<root>/<dataset>/run_date=YYYY-MM-DD/part-<run_id>.parquet`, and for a run processed
in windows (bounded memory) `part-<run_id>.<window>.parquet` for its windows after the first.
A run writes its files under `<root>/.staging/<run_id>/` window by window, then commits once:
rows it replaces are removed, its files are renamed into place (each rename atomic), and its
`runs` row is written last as the commit mark. Files of a run that never wrote its `runs` row
are removed by the next run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from flows import PIPELINE_VERSION
from flows.errors import DamagedFile
from flows.language import detection
from flows.records import (
    ProcessedDocument,
    Reject,
    SentencePair,
    Translation,
    documents_schema,
    rejects_schema,
    row_of,
    runs_schema,
    segments_schema,
    sentence_pairs_schema,
)
from flows.segmentation import segment
from flows.segmentation.attribution import credits_missed
from flows.signature import join
from flows.translation.align import EngineInfo, tweet_is_source

# 2: `sentence_pairs.engine_signature`, `runs.signature` and `runs.counters`.
# 3: where an article came from (`documents.source_file`, `source_row`, `source_id`,
# `source_url`; `rejects.source_row`) and an HTML embed's evidence (`segments.embed_lang`,
# `tweet_url`). Older files read with these columns null.
SCHEMA_VERSION = "3"
STAGING = ".staging"
REPORTS = "reports"  # HTML reports (flows.views.report_html)
EXPORTS = "exports"  # default folder of `bilingual export` (flows.views.export)
# What the day's HTML report needs of each run, counted at its commit (flows.views.report_html):
# `aggregates/run_date=D/<run_id>.json`; removed when a file of the run is rewritten.
AGGREGATES = "aggregates"

# Each schema is defined next to the record its rows come from.
SCHEMAS: dict[str, pa.Schema] = {
    "documents": documents_schema(),
    "segments": segments_schema(),
    "sentence_pairs": sentence_pairs_schema(),
    "runs": runs_schema(),
    "rejects": rejects_schema(),
}
DATASETS = tuple(SCHEMAS)
# Datasets whose rows belong to one document, replaced together when it is processed again.
PER_DOCUMENT = ("documents", "segments", "sentence_pairs")


@dataclass(frozen=True)
class RunInfo:
    """What every file of a run records about how it was made."""

    run_id: str
    run_date: date
    engine: str | None
    model_id: str | None
    scope: str
    source_lang: str
    target_lang: str
    engine_signature: str | None = None

    @classmethod
    def of(
        cls,
        run_id: str,
        run_date: date,
        scope: str,
        source_lang: str,
        target_lang: str,
        engine: EngineInfo | None,
    ) -> RunInfo:
        """A run's info with `engine`'s name, model and signature (None: no engine)."""
        if engine is None:
            return cls(run_id, run_date, None, None, scope, source_lang, target_lang)
        return cls(
            run_id,
            run_date,
            engine.name,
            engine.model_id,
            scope,
            source_lang,
            target_lang,
            engine.signature,
        )

    @property
    def signature(self) -> str:
        """The run's signature: pipeline and schema versions, the segmenter's, the detector's
        and the engine's signatures, scope and languages."""
        return run_signature(
            SCHEMA_VERSION, self.engine_signature, self.scope, self.source_lang, self.target_lang
        )

    def metadata(self) -> dict[str, str]:
        signature = self.signature
        return {
            "schema_version": SCHEMA_VERSION,
            "pipeline_version": PIPELINE_VERSION,
            "engine": self.engine or "",
            "model_id": self.model_id or "",
            "run_id": self.run_id,
            "run_date": self.run_date.isoformat(),
            "signature": signature,
        }


def run_signature(
    schema_version: str,
    engine_signature: str | None,
    scope: str,
    source_lang: str,
    target_lang: str,
) -> str:
    """A run's signature: the pipeline and schema versions, the segmenter's, the detector's
    and the engine's signatures (`engine:none` without one), scope and languages."""
    return join(
        f"bilingual:{PIPELINE_VERSION}",
        f"schema:{schema_version}",
        segment.signature(),
        detection.signature(),
        engine_signature or "engine:none",
        f"scope:{scope}",
        f"langs:{source_lang}-{target_lang}",
    )


# --- rows -------------------------------------------------------------------------------


def document_rows(
    docs: Iterable[ProcessedDocument], run_id: str, source: str
) -> list[dict[str, Any]]:
    rows = []
    for doc in docs:
        tweets = [s for s in doc.segments if s.kind == "tweet"]
        rows.append(
            row_of(
                documents_schema(),
                doc,
                doc.article,
                lang=doc.lang.lang,
                lang_prob=doc.lang.prob,
                n_chars=len(doc.article.text),
                n_segments=len(doc.segments),
                n_tweets=len(tweets),
                n_spanish_tweets=sum(tweet_is_source(t, source) for t in tweets),
                n_credits_missed=credits_missed(doc.segments),
                run_id=run_id,
            )
        )
    return rows


def segment_rows(docs: Iterable[ProcessedDocument], run_id: str) -> list[dict[str, Any]]:
    return [
        row_of(
            segments_schema(),
            s,
            lang=s.lang.lang,
            lang_prob=s.lang.prob,
            lang_reason=s.lang.reason,
            lang_candidates=[{"lang": lg, "prob": p} for lg, p in s.lang.candidates],
            run_id=run_id,
        )
        for doc in docs
        for s in doc.segments
    ]


def pair_rows(pairs: Iterable[SentencePair], run_id: str) -> list[dict[str, Any]]:
    return [row_of(sentence_pairs_schema(), p, run_id=run_id) for p in pairs]


def reject_rows(rejects: Iterable[Reject], run_id: str) -> list[dict[str, Any]]:
    return [row_of(rejects_schema(), r, run_id=run_id) for r in rejects]


# --- files ------------------------------------------------------------------------------


def to_table(
    dataset: str, rows: Sequence[Mapping[str, Any]], metadata: Mapping[str, str]
) -> pa.Table:
    """Rows → a table with the dataset's schema and the run's metadata (never inferred)."""
    schema = SCHEMAS[dataset].with_metadata({**metadata, "dataset": dataset})
    return pa.Table.from_pylist(list(rows), schema=schema)


def temporary_name(path: Path) -> Path:
    """Where `path` is written before its rename: hidden, and named by the process writing
    it, so that a later run can tell what a dead writer left (`remove_uncommitted`)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_atomic(table: pa.Table, path: Path) -> None:
    """Write `table` to `path` so that readers see either no file or the whole file. A
    failure (disk full, permission) leaves no partial file and names `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    try:
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is not None or exc.errno is None:
            raise
        raise OSError(exc.errno, os.strerror(exc.errno), str(path)) from exc


def partition_dir(root: Path, dataset: str, run_date: date) -> Path:
    return root / dataset / f"run_date={run_date.isoformat()}"


def aggregate_path(root: Path, run_date: date, run_id: str) -> Path:
    return root / AGGREGATES / f"run_date={run_date.isoformat()}" / f"{run_id}.json"


def _aggregate_of(root: Path, part: Path) -> Path:
    """The aggregate of the run that wrote the part file `part`."""
    return root / AGGREGATES / part.parent.name / f"{run_id_of(part)}.json"


def part_files(root: Path, dataset: str) -> list[Path]:
    return sorted((root / dataset).glob("run_date=*/part-*.parquet"))


def run_id_of(path: Path) -> str:
    """The run that wrote a part file (`part-<run_id>[.<window>].parquet`)."""
    return path.name.removeprefix("part-").split(".", 1)[0]


def part_name(run_id: str, window: int = 0) -> str:
    return f"part-{run_id}.parquet" if window == 0 else f"part-{run_id}.{window}.parquet"


def read_dataset(
    root: Path,
    dataset: str,
    columns: Sequence[str] | None = None,
    where: tuple[str, Collection[str]] | None = None,
) -> pa.Table:
    """Every committed file of `dataset` as one table (with `run_date` from the path), in the
    current schema: a column an older file lacks is read as nulls. `where=(column, values)`
    keeps only the rows whose `column` is one of `values`, file by file, so that a lookup by
    key never holds a whole dataset."""
    # pyarrow: start-up of commands that read no dataset
    import pyarrow.compute as pc

    schema = SCHEMAS[dataset]
    wanted = list(columns) if columns else schema.names
    keys = pa.array(sorted(where[1]), pa.string()) if where else None
    tables = []
    for path in part_files(root, dataset):
        present = set(read_schema(path).names)
        table = read_part(path, [c for c in wanted if c in present])
        for name in wanted:
            if name not in present:
                field = schema.field(name)
                table = table.append_column(field, pa.nulls(len(table), field.type))
        table = table.select(wanted)
        if where is not None:
            table = table.filter(pc.is_in(table.column(where[0]), value_set=keys))
        run_date = date.fromisoformat(path.parent.name.split("=", 1)[1])
        tables.append(
            table.append_column("run_date", pa.array([run_date] * len(table), pa.date32()))
        )
    if not tables:
        fields = [schema.field(c) for c in wanted]
        return pa.schema([*fields, ("run_date", pa.date32())]).empty_table()
    return pa.concat_tables([t.replace_schema_metadata(None) for t in tables])


def read_part(path: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """One committed file; a file that cannot be read raises `DamagedFile`, which names it
    and the command that repairs the output root."""
    try:
        # One file read as one file: `pq.read_table` imports `pyarrow.dataset` (~0.2 s).
        with pq.ParquetFile(path) as file:
            return file.read(columns=list(columns) if columns is not None else None)
    except pa.ArrowException as exc:  # not OSError: permissions, I/O are the file system's
        raise _damaged(path, exc) from exc


def read_schema(path: Path) -> pa.Schema:
    """One committed file's schema (its footer), or `DamagedFile`."""
    try:
        return pq.read_schema(path)
    except pa.ArrowException as exc:
        raise _damaged(path, exc) from exc


def _damaged(path: Path, exc: Exception) -> Exception:
    reason = " ".join(str(exc).split()).replace(
        f"Could not open Parquet input source '{path}': ", ""
    )
    return DamagedFile(path, reason, path.parents[2])


def committed_run_ids(root: Path) -> set[str]:
    return set(read_dataset(root, "runs", ["run_id"]).column("run_id").to_pylist())


def dead_run_ids(root: Path) -> set[str]:
    """Runs that began writing under `root` and never committed (killed): each left a
    staging folder named by its run id, or files without a `runs` row."""
    staging = root / STAGING
    found = {p.name for p in staging.iterdir() if p.is_dir()} if staging.is_dir() else set()
    committed = committed_run_ids(root)
    for dataset in DATASETS:
        found.update(
            run_id_of(p) for p in part_files(root, dataset) if run_id_of(p) not in committed
        )
    return found


def remove_uncommitted(root: Path) -> list[Path]:
    """Delete files left by runs that never wrote their `runs` row (killed mid-commit), and
    leftover staging folders and temporary files (also those of reports and exports).
    Returns what was removed."""
    committed = committed_run_ids(root)
    removed: list[Path] = []
    for dataset in DATASETS:
        for path in part_files(root, dataset):
            if run_id_of(path) not in committed:
                path.unlink()
                removed.append(path)
        for tmp in (root / dataset).glob("run_date=*/.*.tmp"):
            tmp.unlink()
            removed.append(tmp)
    for path in (root / AGGREGATES).glob("run_date=*/*"):
        if path.stem not in committed or path.suffix != ".json":  # a dead run's, a temporary
            path.unlink()
            removed.append(path)
    if (root / STAGING).exists():
        shutil.rmtree(root / STAGING)
        removed.append(root / STAGING)
    # Reports and exports are written without the output lock: only a dead writer's files.
    for tmp in [*(root / REPORTS).glob("*/.*.tmp"), *(root / EXPORTS).glob(".*.tmp")]:
        if not _writer_alive(tmp):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _writer_alive(tmp: Path) -> bool:
    """Whether the process named in a temporary file's name (`temporary_name`) still runs
    (and is not this one, which writes no report while it cleans up)."""
    pid = tmp.name.rsplit(".", 2)[-2]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def processed_documents(root: Path, doc_ids: Collection[str]) -> dict[str, str]:
    """`doc_id → source_path` of the committed documents among `doc_ids` (looked up by key:
    a run's start-up does not grow with the output root's history)."""
    return dict(_column_pairs(root, "documents", "doc_id", "source_path", doc_ids))


def rejected_inputs(root: Path, source_paths: Collection[str]) -> set[tuple[str, str]]:
    """`(source_path, reason_code)` of the committed rejects of `source_paths`."""
    return set(_column_pairs(root, "rejects", "source_path", "reason_code", source_paths))


def _column_pairs(
    root: Path, dataset: str, first: str, second: str, keys: Collection[str]
) -> list[tuple[Any, Any]]:
    if not keys:
        return []
    table = read_dataset(root, dataset, [first, second], where=(first, keys))
    return list(zip(table.column(first).to_pylist(), table.column(second).to_pylist(), strict=True))


def translation_cache(
    root: Path, engine_signature: str, texts: Collection[str]
) -> dict[str, Translation]:
    """`src_text → Translation` of those of `texts` already translated by an engine with this
    exact signature (same model, versions and options), looked up by key. Rows written before
    signatures were recorded have none, so they never match."""
    if not texts:
        return {}
    columns = ["src_text", "tgt_text", "status", "score", "engine_signature"]
    table = read_dataset(root, "sentence_pairs", columns, where=("src_text", texts))
    cache: dict[str, Translation] = {}
    for row in table.to_pylist():
        if row["status"] == "translated" and row["engine_signature"] == engine_signature:
            cache[row["src_text"]] = Translation(row["tgt_text"], row["score"])
    return cache


def remove_documents(root: Path, doc_ids: set[str]) -> None:
    """Drop every row of `doc_ids` from the per-document datasets."""
    for dataset in PER_DOCUMENT:
        remove_rows(root, dataset, "doc_id", doc_ids)


def remove_rows(root: Path, dataset: str, column: str, values: set[str]) -> None:
    """Drop the rows of `dataset` whose `column` is one of `values`, rewriting affected files
    atomically. A file left with no rows is deleted, unless it is the dataset's last one:
    readers that glob a dataset need a file with its schema."""
    if not values:
        return
    # pyarrow: start-up of commands that read no dataset
    import pyarrow.compute as pc

    value_set = pa.array(sorted(values), pa.string())
    for path in part_files(root, dataset):
        keys = read_part(path, [column]).column(column)  # the whole file only when it is hit
        if not pc.any(pc.is_in(keys, value_set=value_set)).as_py():
            continue
        table = read_part(path)
        kept = table.filter(pc.invert(pc.is_in(table.column(column), value_set=value_set)))
        if len(kept) or len(part_files(root, dataset)) == 1:
            write_atomic(kept, path)
        else:
            path.unlink()
        _aggregate_of(root, path).unlink(missing_ok=True)  # counted rows it no longer has


def stage(
    root: Path, run: RunInfo, tables: Mapping[str, Sequence[Mapping[str, Any]]], window: int = 0
) -> list[tuple[Path, Path]]:
    """Write the run's files (of its `window`-th window) under the staging folder; returns
    `(staged, final)` pairs. A dataset with no rows gets a file only when it has none at all
    yet (and this is the first window), so that readers globbing it find its schema."""
    metadata = run.metadata()
    moves = []
    for dataset, rows in tables.items():
        if not rows and (window > 0 or part_files(root, dataset)):
            continue
        final = partition_dir(root, dataset, run.run_date) / part_name(run.run_id, window)
        staged = root / STAGING / run.run_id / final.relative_to(root)
        write_atomic(to_table(dataset, rows, metadata), staged)
        moves.append((staged, final))
    return moves


def commit(
    root: Path,
    run: RunInfo,
    moves: Sequence[tuple[Path, Path]],
    replaced: set[str],
    run_row: Mapping[str, Any],
    settled_paths: Collection[str] = (),
) -> Path:
    """Make a staged run visible: drop the rows it replaces (the documents it processed
    again; the older `rejects` rows of inputs it read anew: `settled_paths`), move its files
    into place, then write its `runs` row last. Returns the path of the `runs` file. Killed
    before that row, the run's files are removed by the next run, which reads the same inputs
    and writes their rows again."""
    # Only what is there: a lookup by key, so a commit does not read the whole history.
    remove_documents(root, set(processed_documents(root, replaced)))
    remove_rows(
        root, "rejects", "source_path", {p for p, _ in rejected_inputs(root, settled_paths)}
    )
    for staged, final in moves:
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)
    shutil.rmtree(root / STAGING, ignore_errors=True)  # the lock makes this run its only user
    runs_path = partition_dir(root, "runs", run.run_date) / f"part-{run.run_id}.parquet"
    write_atomic(to_table("runs", [run_row], run.metadata()), runs_path)
    return runs_path


def file_metadata(path: Path) -> dict[str, str]:
    raw = pq.read_schema(path).metadata or {}
    return {k.decode(): v.decode() for k, v in raw.items()}
