"""The Prefect flow: ingest → segment → detect → translate → align → write → report.
Stage logic lives in the stage modules; this file only says how it runs."""

from __future__ import annotations

import time
import uuid
from collections.abc import Collection, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows import datasets
from flows.align import SCOPES, EngineInfo, align_document, sentences_to_translate
from flows.check import raise_if_damaged
from flows.detect import detect_document
from flows.errors import UsageError
from flows.ingest import ingest, split_seen
from flows.lock import output_lock
from flows.progress import Progress
from flows.records import Article, ProcessedDocument, SentencePair, Translation
from flows.report import preview_markdown, summarise, summary_artifact
from flows.segment import segment
from flows.translate import (
    NO_ENGINE_HINT,
    ArgosOptions,
    select_engine,
    split_cached,
    translate_texts,
)

DOCUMENTS_PER_BATCH = 16
SENTENCES_PER_TRANSLATION_TASK = 4096


@task(name="analyse", retries=0)
def analyse(articles: Sequence[Article]) -> list[ProcessedDocument]:
    """Segment and detect one batch of articles."""
    return [detect_document(ProcessedDocument(a, segment(a))) for a in articles]


@task(name="translate")
def translate(
    engine: str, source: str, target: str, texts: Sequence[str], options: ArgosOptions
) -> tuple[dict[str, Translation], list[str], str | None]:
    return translate_texts(engine, source, target, texts, options)


def batches(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def mark_crashed(run_ids: Collection[str], logger: Any) -> list[str]:
    """Mark CRASHED the flow runs of runs found dead here (killed before they committed)
    that this Prefect server knows and still shows unfinished; returns those marked. A
    server that cannot be reached only costs a warning: the data is repaired either way."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Crashed

    marked: list[str] = []
    try:
        with get_client(sync_client=True) as client:
            for run_id in sorted(run_ids):
                try:
                    flow_run = client.read_flow_run(uuid.UUID(run_id))
                except (ValueError, ObjectNotFound):
                    continue  # not a flow run id, or another server's
                if flow_run.state is None or flow_run.state.is_final():
                    continue
                message = "the run was found dead by a later run, which removed its files"
                client.set_flow_run_state(flow_run.id, Crashed(message=message), force=True)
                marked.append(run_id)
    except Exception as exc:  # best effort: an unreachable server must not stop the run
        logger.warning("could not mark dead runs as crashed in Prefect: %s", exc)
    return marked


def _run_id() -> str:
    from prefect.runtime import flow_run

    return str(flow_run.id or uuid.uuid4())


@flow(name="bilingual", log_prints=False)
def bilingual_flow(
    paths: list[str],
    out: str = "outputs",
    run_date: date | None = None,
    engine: str = "auto",
    scope: str = "tweets",
    source_lang: str = "es",
    target_lang: str = "en",
    force: bool = False,
    progress: bool = False,
    argos_options: dict[str, Any] | None = None,
    follow_symlinks: bool = False,
) -> dict:
    """Process every `.txt` article under `paths` into the Parquet datasets under `out`."""
    if scope not in SCOPES:
        raise UsageError(f"unknown scope {scope!r}; choose one of {', '.join(SCOPES)}")
    logger = get_run_logger()
    started_at, t0 = datetime.now(UTC), time.perf_counter()
    root, run_id, run_date = Path(out), _run_id(), run_date or date.today()
    with output_lock(root), Progress(progress) as bar:
        dead = datasets.dead_run_ids(root)
        datasets.remove_uncommitted(root)
        mark_crashed(dead, logger)
        raise_if_damaged(root)
        (root / datasets.STAGING / run_id).mkdir(parents=True)  # found here if this run dies

        # ingest: what is new since the last runs
        seen = {} if force else datasets.processed_documents(root)
        articles, rejects = ingest(paths, seen, follow_symlinks=follow_symlinks)
        articles, skipped, duplicates = split_seen(articles, seen)
        rejects += duplicates
        known = datasets.rejected_inputs(root)
        new_rejects = [r for r in rejects if (r.source_path, r.reason_code) not in known]
        # an input read as an article now, or rejected for another reason, loses its old rows
        settled = {a.source_path for a in articles + skipped} | {r.source_path for r in new_rejects}

        # segment + detect: a batch of documents per task
        step = bar.step("segmenting and detecting", len(articles))
        docs: list[ProcessedDocument] = []
        for future in analyse.map(list(batches(articles, DOCUMENTS_PER_BATCH))):
            batch = future.result()
            docs.extend(batch)
            step(len(batch))

        # translate: each distinct pending sentence of the run once, none already translated
        options = ArgosOptions.from_dict(argos_options)
        chosen = select_engine(engine, source_lang, target_lang, options)
        info = EngineInfo(chosen.name, chosen.model_id) if chosen else None
        wanted = list(dict.fromkeys(sentences_to_translate(docs, scope, source_lang)))
        cached, to_send = (
            split_cached(wanted, datasets.translation_cache(root), info.name, info.model_id)
            if info and wanted
            else ({}, [])
        )
        translations: dict[str, Translation] = dict(cached)
        failed: set[str] = set()
        step = bar.step("translating", len(to_send))
        for future in translate.map(
            unmapped(info.name if info else engine),
            unmapped(source_lang),
            unmapped(target_lang),
            list(batches(to_send, SENTENCES_PER_TRANSLATION_TASK)),
            unmapped(options),
        ):
            done, lost, reason = future.result()
            translations.update(done)
            failed.update(lost)
            if reason:
                logger.warning("translation failed for %d sentences: %s", len(lost), reason)
            step(len(done) + len(lost))

        # align
        pairs: list[SentencePair] = [
            replace(p, from_cache=True) if p.status == "translated" and p.src_text in cached else p
            for doc in docs
            for p in align_document(
                doc, scope, source_lang, target_lang, translations, info, frozenset(failed)
            )
        ]

        # write: stage every file, then commit with the `runs` row last
        step = bar.step("writing", 1)
        run = datasets.RunInfo(
            run_id,
            run_date,
            info.name if info else None,
            info.model_id if info else None,
            scope,
            source_lang,
            target_lang,
        )
        moves = datasets.stage(
            root,
            run,
            {
                "documents": datasets.document_rows(docs, run_id, source_lang),
                "segments": datasets.segment_rows(docs, run_id),
                "sentence_pairs": datasets.pair_rows(pairs, run_id),
                "rejects": datasets.reject_rows(new_rejects, run_id),
            },
        )
        summary = summarise(
            run_id=run_id,
            run_date=run_date.isoformat(),
            docs=docs,
            pairs=pairs,
            skipped=len(skipped),
            rejected=len(rejects),
            source_lang=source_lang,
            engine=run.engine,
            model_id=run.model_id,
            out=str(root),
            seconds=round(time.perf_counter() - t0, 3),
            hint=None if info else NO_ENGINE_HINT.format(src=source_lang, tgt=target_lang),
        )
        replaced = {d.article.doc_id for d in docs}
        run_row = summary.run_row(started_at, datetime.now(UTC), scope)
        datasets.commit(root, run, moves, replaced, run_row, settled)
        step(1)

    # report
    create_table_artifact(
        summary_artifact(summary), key="bilingual-summary", description=f"bilingual run {run_date}"
    )
    create_markdown_artifact(
        preview_markdown(pairs), key="bilingual-preview", description="first aligned sentence pairs"
    )
    if summary.hint:
        logger.warning(summary.hint)
    return summary.as_dict()
