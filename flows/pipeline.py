"""The Prefect flow: ingest → segment → detect → translate → align → write → report.
Stage logic lives in the stage modules; this file only says how it runs."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows import PIPELINE_VERSION, datasets
from flows.align import EngineInfo, align_document, sentences_to_translate, tweet_is_source
from flows.detect import detect_document
from flows.ingest import ingest
from flows.lock import output_lock
from flows.records import Article, ProcessedDocument, SentencePair, Translation
from flows.report import RunSummary, preview_markdown, summary_artifact
from flows.segment import segment
from flows.translate import NO_ENGINE_HINT, ArgosOptions, select_engine, translate_texts

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
) -> dict:
    """Process every `.txt` article under `paths` into the Parquet datasets under `out`."""
    logger = get_run_logger()
    started_at, t0 = _utcnow(), time.perf_counter()
    root, run_id, run_date = Path(out), _run_id(), run_date or date.today()
    bar = _progress(progress)
    with output_lock(root), bar:
        datasets.remove_uncommitted(root)

        # ingest
        articles, rejects = ingest(paths)
        seen = datasets.processed_documents(root)
        skipped = [a for a in articles if a.doc_id in seen and not force]
        articles = [a for a in articles if a not in skipped]
        known_rejects = datasets.rejected_inputs(root)
        new_rejects = [r for r in rejects if (r.source_path, r.reason_code) not in known_rejects]

        # segment + detect, a batch of documents per task
        step = bar.step("segmenting and detecting", len(articles))
        docs: list[ProcessedDocument] = []
        for future in analyse.map(list(batches(articles, DOCUMENTS_PER_BATCH))):
            batch = future.result()
            docs.extend(batch)
            step(len(batch))

        # translate: every pending sentence of the run, each distinct one once
        options = ArgosOptions.from_dict(argos_options)
        chosen = select_engine(engine, source_lang, target_lang, options)
        info = EngineInfo(chosen.name, chosen.model_id) if chosen else None
        wanted = list(dict.fromkeys(sentences_to_translate(docs, scope, source_lang)))
        cache = datasets.translation_cache(root) if info else {}
        cached = {
            t: cache[(info.name, info.model_id, t)]
            for t in wanted
            if info and (info.name, info.model_id, t) in cache
        }
        to_send = [t for t in wanted if t not in cached] if info else []
        step = bar.step("translating", len(to_send))
        translations: dict[str, Translation] = dict(cached)
        failed: list[str] = []
        for future in translate.map(
            unmapped(info.name if info else engine),
            unmapped(source_lang),
            unmapped(target_lang),
            list(batches(to_send, SENTENCES_PER_TRANSLATION_TASK)),
            unmapped(options),
        ):
            done, lost, reason = future.result()
            translations.update(done)
            failed.extend(lost)
            if reason:
                logger.warning("translation failed for %d sentences: %s", len(lost), reason)
            step(len(done) + len(lost))

        # align
        pairs: list[SentencePair] = []
        for doc in docs:
            for pair in align_document(
                doc, scope, source_lang, target_lang, translations, info, frozenset(failed)
            ):
                from_cache = pair.status == "translated" and pair.src_text in cached
                pairs.append(pair if not from_cache else _cached(pair))

        # write
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
        probs = {
            (s.segment_id, sentence.index): sentence.lang.prob
            for doc in docs
            for s in doc.segments
            for sentence in s.sentences
        }
        moves = datasets.stage(
            root,
            run,
            {
                "documents": datasets.document_rows(docs, run_id, source_lang),
                "segments": datasets.segment_rows(docs, run_id),
                "sentence_pairs": datasets.pair_rows(pairs, probs, run_id),
                "rejects": datasets.reject_rows(new_rejects, run_id),
            },
        )
        tweets = [s for d in docs for s in d.segments if s.kind == "tweet"]
        statuses = [p.status for p in pairs if p.src_lang == source_lang]
        summary = RunSummary(
            run_id=run_id,
            run_date=run_date.isoformat(),
            inputs=len(articles) + len(skipped) + len(rejects),
            documents=len(docs),
            skipped=len(skipped),
            segments=sum(len(d.segments) for d in docs),
            tweets=len(tweets),
            spanish_tweets=sum(tweet_is_source(t, source_lang) for t in tweets),
            translated=statuses.count("translated"),
            cached=sum(p.from_cache for p in pairs),
            pending=statuses.count("pending"),
            failed=statuses.count("failed"),
            rejected=len(rejects),
            seconds=0.0,
            engine=info.name if info else None,
            model_id=info.model_id if info else None,
            out=str(root),
            hint=NO_ENGINE_HINT.format(src=source_lang, tgt=target_lang)
            if info is None and statuses
            else None,
        )
        seconds = round(time.perf_counter() - t0, 3)
        datasets.commit(
            root,
            run,
            moves,
            {d.article.doc_id for d in docs},
            _run_row(summary, run_id, started_at, scope, len(new_rejects)),
        )
        step(1)

    summary = RunSummary(**{**summary.as_dict(), "seconds": seconds})
    create_table_artifact(
        summary_artifact(summary), key="bilingual-summary", description=f"bilingual run {run_date}"
    )
    create_markdown_artifact(
        preview_markdown(pairs), key="bilingual-preview", description="first aligned sentence pairs"
    )
    if summary.hint:
        logger.warning(summary.hint)
    return summary.as_dict()


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _cached(pair: SentencePair) -> SentencePair:
    from dataclasses import replace

    return replace(pair, from_cache=True)


def _run_row(summary: RunSummary, run_id: str, started_at, scope: str, n_new_rejects: int) -> dict:
    return {
        "run_id": run_id,
        "started_at": started_at,
        "finished_at": _utcnow(),
        "n_inputs": summary.inputs,
        "n_documents": summary.documents,
        "n_skipped": summary.skipped,
        "n_rejects": summary.rejected,
        "n_segments": summary.segments,
        "n_tweets": summary.tweets,
        "n_spanish_tweets": summary.spanish_tweets,
        "n_translated": summary.translated,
        "n_cached": summary.cached,
        "n_pending": summary.pending,
        "n_failed": summary.failed,
        "engine": summary.engine,
        "model_id": summary.model_id,
        "scope": scope,
        "pipeline_version": PIPELINE_VERSION,
        "status": "completed" if not summary.failed else "completed_with_failures",
    }


class _Progress:
    """A rich progress bar over the flow's steps, or nothing."""

    def __init__(self, enabled: bool) -> None:
        self._bar = None
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn()
            )

    def __enter__(self) -> _Progress:
        if self._bar:
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar:
            self._bar.__exit__(*exc)

    def step(self, description: str, total: int):
        if self._bar is None:
            return lambda n: None
        task_id = self._bar.add_task(description, total=max(total, 0))
        return lambda n: self._bar.advance(task_id, n)


def _progress(enabled: bool) -> _Progress:
    return _Progress(enabled)
