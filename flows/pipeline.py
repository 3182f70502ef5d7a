"""The Prefect flow: ingest → segment → detect → translate → align → write → report.
Stage logic lives in the stage modules; this file only says how it runs."""

# No `from __future__ import annotations` here: the flow's annotations are objects, not
# strings, so that a served run, whose flow function Prefect pickles by value, can still
# build its parameters' model (a string `date` names nothing in the pickled function).
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property, partial
from itertools import chain
from logging import INFO, WARNING, Logger, LoggerAdapter
from pathlib import Path
from typing import Any, TypeVar

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import PrefectFuture

from flows.engines import ArgosOptions, select_engine
from flows.orchestration import cluster, plan, run_log
from flows.orchestration.analyse import (
    analyse_articles,
    analyse_in_workers,
    default_workers,
    workers_stopped_if_interrupted,
)
from flows.orchestration.progress import Progress
from flows.readers.ingest import is_record_file, scan
from flows.readers.rows import Fields
from flows.records import Article, ProcessedDocument, Reject, RunSummary, SentencePair
from flows.settings import DEFAULTS, RunSettings
from flows.store import datasets
from flows.store.integrity import raise_if_damaged
from flows.store.lock import output_lock
from flows.translation.align import EngineInfo
from flows.translation.batch import BatchResult, engine_info, translate_texts
from flows.views import report_html
from flows.views.summary import preview_markdown, summary_artifact

# Documents per analysis task: each Prefect task costs the flow's process ~20 ms of CPU (on
# the cores the workers need), and a window's last task may leave a worker idle a while.
DOCUMENTS_PER_BATCH = 50
SENTENCES_PER_TRANSLATION_TASK = 4096
T = TypeVar("T")


def _analyse_name(parameters: dict[str, Any]) -> str:
    args = (parameters["window"], parameters["batch"], len(parameters["articles"]), "document")
    return run_log.batch_name("analyse", *args)


def _translate_name(parameters: dict[str, Any]) -> str:
    args = (parameters["window"], parameters["batch"], len(parameters["texts"]), "sentence")
    return run_log.batch_name(f"translate ({parameters['engine']})", *args)


# Prefect calls a `task_run_name` with a `parameters` argument with the task's arguments (its
# Protocol for that also asks for a classmethod no function has, hence the ignores).
@task(name="analyse", retries=0, task_run_name=_analyse_name)  # type: ignore[arg-type]
def analyse(
    articles: Sequence[Article], workers: int, window: int, batch: int, dask: str | None
) -> list[ProcessedDocument]:
    """Segment and detect one batch of articles: on the Dask cluster at `dask` if one is
    named, else in one of `workers` processes; `window` and `batch` name the task run."""
    if dask:
        return cluster.run(dask, analyse_articles, list(articles))
    return analyse_in_workers(articles, workers)


@task(name="translate", task_run_name=_translate_name)  # type: ignore[arg-type]
def translate(
    engine: str,
    source: str,
    target: str,
    texts: Sequence[str],
    options: ArgosOptions,
    window: int,
    batch: int,
    dask: str | None,
) -> BatchResult:
    """Translate one batch of sentences: on the Dask cluster at `dask` if one is named
    (where the engine is installed too), else here."""
    if dask:
        return cluster.run(dask, translate_texts, engine, source, target, list(texts), options)
    return translate_texts(engine, source, target, texts, options)


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _results(
    futures: Iterable[PrefectFuture[T]], step: Callable[[int], None], size: Callable[[T], int]
) -> Iterator[T]:
    """Each future's result as it is read, advancing the progress bar by `size(result)`."""
    for future in futures:
        result = future.result()
        step(size(result))
        yield result


def mark_crashed(run_ids: Collection[str], logger: Any) -> list[str]:
    """Mark CRASHED the flow runs of runs found dead here (killed before they committed)
    that this Prefect server knows and still shows unfinished; returns those marked. A
    server that cannot be reached only costs a warning: the data is repaired either way."""
    # Prefect: seconds to import, only once a run needs it
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


def prepare_root(root: Path, run_id: str) -> None:
    """Before a run writes: the files of runs found dead removed (their Prefect flow runs
    marked CRASHED), a damaged file refused, and this run's staging folder made (a later run
    finds it there if this one dies)."""
    dead = datasets.dead_run_ids(root)
    datasets.remove_uncommitted(root)
    marked = mark_crashed(dead, get_run_logger())
    if warning := run_log.dead_runs(dead, marked):
        run_logger().warning(warning)
    raise_if_damaged(root)
    (root / datasets.STAGING / run_id).mkdir(parents=True)


def _run_id() -> str:
    # Prefect: seconds to import, only once a run needs it
    from prefect.runtime import flow_run

    return str(flow_run.id or uuid.uuid4())


def _run_name() -> str:
    # Prefect: seconds to import, only once a run needs it
    from prefect.runtime import flow_run

    return run_log.run_name(flow_run.parameters, _run_id())


def run_logger() -> LoggerAdapter[Logger]:
    """The run's logger for its own account of what it does: Prefect keeps every line (at
    INFO and up, see `prefect_config.logging_environment`); the terminal shows none."""
    run_log.keep_off_terminal()
    logger: LoggerAdapter[Logger] = get_run_logger(audience=run_log.PREFECT_ONLY)  # type: ignore[assignment]
    return logger


@flow(name="bilingual", log_prints=False, flow_run_name=_run_name)
def bilingual_flow(
    paths: list[str],
    out: str = DEFAULTS.out,
    run_date: date | None = DEFAULTS.run_date,
    engine: str = DEFAULTS.engine,
    scope: str = DEFAULTS.scope,
    source_lang: str = DEFAULTS.source_lang,
    target_lang: str = DEFAULTS.target_lang,
    force: bool = DEFAULTS.force,
    progress: bool = DEFAULTS.progress,
    argos_options: dict[str, Any] | None = None,
    follow_symlinks: bool = DEFAULTS.follow_symlinks,
    window: int = DEFAULTS.window,
    workers: int | None = DEFAULTS.workers,
    dask_address: str | None = DEFAULTS.dask_address,
    text_field: str | None = DEFAULTS.text_field,
    title_field: str | None = DEFAULTS.title_field,
    id_field: str | None = DEFAULTS.id_field,
) -> dict[str, Any]:
    """Process every article under `paths` (`.txt` files, HTML pages, records of row files,
    read from their `text_field`, `title_field` and `id_field`: None tries the usual names)
    into the Parquet datasets under `out`, `window` inputs at a time (each window's files
    staged as it ends, one commit), segmenting and detecting in `workers` processes (None:
    one per core), or analysing and translating on the Dask cluster at `dask_address`. The
    parameters are `RunSettings`' fields, checked by it."""
    settings = RunSettings.from_flow_parameters(
        paths=paths, out=out, run_date=run_date, engine=engine, scope=scope,
        source_lang=source_lang, target_lang=target_lang, force=force, progress=progress,
        argos_options=argos_options, follow_symlinks=follow_symlinks, window=window,
        workers=workers, dask_address=dask_address, text_field=text_field,
        title_field=title_field, id_field=id_field,
    )  # fmt: skip
    started_at, t0 = datetime.now(UTC), time.perf_counter()
    root, run_id, log = Path(settings.out), _run_id(), run_logger()
    with output_lock(root), Progress(settings.progress) as bar, workers_stopped_if_interrupted():
        prepare_root(root, run_id)
        files, scan_rejects = scan(settings.paths, follow_symlinks=settings.follow_symlinks)
        counts = (len(files), len(scan_rejects), settings.window)
        log.info(run_log.inputs_read(settings.paths, *counts))
        job = start_job(settings, root, run_id, files, bar, log)
        # ingest: `window` input files at a time, each window sorted against what is written
        fields = Fields(settings.text_field, settings.title_field, settings.id_field)
        intakes = plan.window_intakes(
            root, files, scan_rejects, settings.window, force=settings.force, fields=fields
        )
        process_windows(job, intakes)
        # commit: the staged files of every window, then the `runs` row last
        step = bar.step("writing", 1, unit="")
        summary = commit_run(job, started_at, round(time.perf_counter() - t0, 3))
        step(1)
        html = write_html_report(root, job.run.run_date, run_id, log)
    report(summary, job.totals.preview, job.totals.reasons, get_run_logger(), html, job.signature)
    return summary.as_dict()


def start_job(
    settings: RunSettings,
    root: Path,
    run_id: str,
    files: Sequence[Path],
    bar: Progress,
    log: LoggerAdapter[Logger],
) -> "WindowJob":
    """What every window of the run shares: the engine chosen (said in the run's log), the
    run's info, where work runs and the progress of each step."""
    langs = (settings.source_lang, settings.target_lang)
    chosen = select_engine(settings.engine, *langs, settings.argos)
    info = engine_info(chosen) if chosen else None
    log.log(WARNING if info is None else INFO, run_log.engine_chosen(settings.engine, info))
    run_date = settings.run_date or date.today()
    run = datasets.RunInfo.of(run_id, run_date, settings.scope, *langs, info)
    n = None if any(is_record_file(f) for f in files) else len(files)  # records: unknown
    steps = (bar.step("segmenting and detecting", n), bar.step("translating, staging", n))
    if settings.dask_address:
        log.info(f"analysing and translating on the Dask cluster at {settings.dask_address}")
    where = Where(settings.workers or default_workers(), settings.dask_address)
    name = info.name if info else settings.engine
    return WindowJob(root, run, name, info, settings.argos, where, plan.RunTotals(), steps, log)


def process_windows(job: "WindowJob", intakes: Iterable[plan.Intake]) -> None:
    """Analyse, translate, align and stage each window in turn. A window's analysis starts
    as soon as the previous window's translation is sent, so the worker processes are not
    idle while that one translates and stages."""
    previous: tuple[int, plan.Intake, Analysis] | None = None
    rejects: list[Reject] = []
    for index, intake in enumerate(intakes):
        job.totals.add_intake(intake)
        rejects.extend(intake.rejects)
        job.log.info(run_log.window_read(index, intake))
        for step in job.steps:  # inputs that are no document to process count as done
            step(intake.read - len(intake.articles))
        analysis = Analysis(index, intake.articles, job.where, job.steps[0])
        if previous is None:
            analysis.start()
        else:
            finish_window(job, *previous, then=analysis.start)
        previous = (index, intake, analysis)
    assert previous is not None  # `window_intakes` yields at least one window
    finish_window(job, *previous)
    job.log.info(run_log.rejects_by_reason(rejects))
    if warning := run_log.rejects_to_look_at(rejects):
        job.log.warning(warning)


def commit_run(job: "WindowJob", started_at: datetime, seconds: float) -> RunSummary:
    """Commit the staged files of every window, then the `runs` row last; the summary."""
    run, totals = job.run, job.totals
    summary = plan.summarise_totals(run, totals, str(job.root), seconds)
    run_row = summary.run_row(started_at, datetime.now(UTC), run.scope, job.signature)
    datasets.commit(job.root, run, totals.moves, totals.replaced, run_row, totals.settled)
    job.log.info(run_log.committed(run.run_id, job.root, summary.documents, len(totals.moves)))
    return summary


def write_html_report(
    root: Path, run_date: date, run_id: str, log: LoggerAdapter[Logger]
) -> Path | None:
    """The day's HTML report with this run's part; a report that cannot be drawn is a
    warning, never an undone run (the run is committed)."""
    try:
        report_html.save_run_part(root, run_date, run_id)  # what the day's report merges
        html = report_html.write_report(root, run_date)
    except Exception as exc:
        get_run_logger().warning("HTML report not written: %s", exc)
        return None
    log.info(f"HTML report: {html.resolve()}")
    return html


@dataclass(frozen=True)
class Where:
    """Where a run's analysis and translation run: in `workers` local processes (and the
    flow's threads), or on the Dask cluster at `dask`."""

    workers: int
    dask: str | None


@dataclass(frozen=True)
class WindowJob:
    """What every window of a run shares, and what it keeps of them (`totals`)."""

    root: Path
    run: datasets.RunInfo
    engine: str
    info: EngineInfo | None
    options: ArgosOptions
    where: Where
    totals: plan.RunTotals
    # Advance the progress of segmenting and detecting, and of translating and staging.
    steps: tuple[Callable[[int], None], Callable[[int], None]]
    log: LoggerAdapter[Logger]  # the run's account in Prefect (`run_logger`)

    @cached_property
    def signature(self) -> str:
        return self.run.signature


@dataclass
class Analysis:
    """Window `index`'s segmentation and detection: `start()` submits it as tasks of
    `DOCUMENTS_PER_BATCH` documents (run `where`); `documents()` waits for them, advancing
    `step` by each batch's documents."""

    index: int
    articles: Sequence[Article]
    where: Where
    step: Callable[[int], None]
    futures: list[PrefectFuture[list[ProcessedDocument]]] = field(default_factory=list)

    def start(self) -> None:
        batched = list(batches(self.articles, DOCUMENTS_PER_BATCH))
        numbers = (unmapped(self.where.workers), unmapped(self.index), range(len(batched)))
        self.futures = list(analyse.map(batched, *numbers, unmapped(self.where.dask)))

    def documents(self) -> list[ProcessedDocument]:
        return [d for batch in _results(self.futures, self.step, len) for d in batch]


def finish_window(
    job: WindowJob,
    index: int,
    intake: plan.Intake,
    analysis: Analysis,
    then: Callable[[], None] = lambda: None,
) -> None:
    """Translate and align one analysed window of documents and stage its files (with the
    window's new rejects); only its counts stay (in `job.totals`). `then` (the next
    window's analysis) is called once this window's translation is sent, so that the
    translation does not queue behind the next window's tasks."""
    run, scope, source, totals = job.run, job.run.scope, job.run.source_lang, job.totals
    docs = analysis.documents()
    # translate: each distinct sentence once, none this engine signature already made
    cache = partial(datasets.translation_cache, job.root)
    todo, known = plan.split_known(
        plan.plan_translation(docs, scope, source, job.info, cache), totals.translations
    )
    chunks = list(batches(todo.to_send, SENTENCES_PER_TRANSLATION_TASK))
    args = (unmapped(job.engine), unmapped(source), unmapped(run.target_lang))
    numbers = (unmapped(index), range(len(chunks)))
    sent = translate.map(*args, chunks, unmapped(job.options), *numbers, unmapped(job.where.dask))
    then()
    done = plan.gather(todo, chain([known], (f.result() for f in sent)))
    pairs = plan.align_all(docs, scope, source, run.target_lang, todo, done, job.info)
    rows = plan.dataset_rows(docs, pairs, intake.new_rejects, run.run_id, source)
    totals.moves.extend(datasets.stage(job.root, run, rows, index))
    before = dict(totals.counts)
    totals.add(run, docs, todo, done, pairs, job.info)
    counts = {k: v - before.get(k, 0) for k, v in totals.counts.items()}
    job.log.info(run_log.window_found(index, counts, source))
    if warning := run_log.missed_attributions(docs):
        job.log.warning(warning)
    sent_to = job.info.name if job.info else None
    job.log.info(run_log.window_translated(index, counts, len(todo.to_send), len(chunks), sent_to))
    job.steps[1](len(intake.articles))


def report(
    summary: RunSummary,
    pairs: Sequence[SentencePair],
    warnings: Sequence[str],
    logger: Logger | LoggerAdapter[Logger],
    html: Path | None = None,
    signature: str = "",
) -> None:
    """The summary (with the HTML report's path and the run's signature) and a preview as
    Prefect artifacts; failures and hints as warnings."""
    create_table_artifact(
        [*summary_artifact(summary), {"measure": "signature", "value": signature}],
        key="bilingual-summary",
        description=f"bilingual run {summary.run_date}; HTML report: {run_log.report_link(html)}",
    )
    create_markdown_artifact(
        preview_markdown(pairs), key="bilingual-preview", description="first aligned sentence pairs"
    )
    for warning in [*warnings, *([summary.hint] if summary.hint else [])]:
        logger.warning(warning)
