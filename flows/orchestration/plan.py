"""The flow's bookkeeping as plain functions over records: what is new, what is settled,
what to translate, what came back, what to write and what each stage did. The flow calls
them once per run; a loop over windows of articles can call them once per window (their
counters add up with `Counter.update`, which keeps zero counts). None touches Prefect."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any

from flows.languages import no_engine_hint
from flows.readers.ingest import one_per_content, scan, split_seen
from flows.readers.inputs import read_inputs
from flows.readers.rows import DEFAULT_FIELDS, Fields
from flows.records import Article, ProcessedDocument, Reject, RunSummary, SentencePair, Translation
from flows.segmentation.attribution import credits_missed
from flows.store import datasets
from flows.translation.align import EngineInfo, align_document, sentences_to_translate
from flows.translation.batch import BatchResult, split_cached
from flows.views.summary import summarise


@dataclass(frozen=True)
class Intake:
    """The run's inputs sorted against what the output root already holds."""

    articles: tuple[Article, ...]  # to process now
    skipped: tuple[Article, ...]  # already written from the same file
    rejects: tuple[Reject, ...]  # every input that is no document, duplicates included
    new_rejects: tuple[Reject, ...]  # of those, the ones not recorded yet
    settled: frozenset[str]  # inputs whose older `rejects` rows go
    read: int = 0  # inputs (files, records) read for it; the scan's rejects are not read


def sort_inputs(
    articles: Iterable[Article],
    rejects: Iterable[Reject],
    seen: Mapping[str, str],
    known_rejects: Collection[tuple[str, str]],
) -> Intake:
    """Split ingested `articles` and `rejects` against the documents already written
    (`seen`: doc_id → source_path) and the rejects already recorded (`(source_path,
    reason_code)`). An input read as an article now, or rejected for another reason, is
    settled: its older reject rows go; so is a row file whose records were read (an older
    reject of the whole file, e.g. `bad_csv`, no longer holds)."""
    new, skipped, duplicates = split_seen(articles, seen)
    every_reject = (*rejects, *duplicates)
    fresh = tuple(r for r in every_reject if (r.source_path, r.reason_code) not in known_rejects)
    settled = {a.source_path for a in (*new, *skipped)} | {r.source_path for r in fresh}
    settled |= {a.source_file for a in (*new, *skipped) if a.source_row is not None}
    settled |= {r.source_file for r in every_reject if r.source_row is not None}
    return Intake(tuple(new), tuple(skipped), every_reject, fresh, frozenset(settled))


def intake_of(
    root: Path,
    paths: Sequence[str],
    *,
    force: bool = False,
    follow_symlinks: bool = False,
    fields: Fields = DEFAULT_FIELDS,
) -> Intake:
    """Ingest `paths` and sort them against what `root` holds, looking up only the
    documents and rejects of these inputs (a run's start-up does not grow with history):
    `window_intakes` with every input in one window."""
    files, rejects = scan(paths, follow_symlinks=follow_symlinks)
    intakes = window_intakes(root, files, rejects, sys.maxsize, force=force, fields=fields)
    return next(intakes)


def window_intakes(
    root: Path,
    files: Sequence[Path],
    scan_rejects: Sequence[Reject],
    size: int,
    *,
    force: bool = False,
    fields: Fields = DEFAULT_FIELDS,
) -> Iterator[Intake]:
    """`read_inputs` over the files `scan` found, `size` inputs (files, or records of a row
    file, read as a stream) at a time, so that a run holds one window's texts, not every
    input's: each window is sorted against what `root` holds (looked up by key) and against
    the windows before it (one article per content across the run, as in one window). The
    scan's rejects come with the first window; with no input there is still one (empty)
    window."""
    taken: dict[str, str] = {}  # doc_id → source_path of the articles of earlier windows
    stream = read_inputs(files, fields)
    first = True
    while True:
        read = list(islice(stream, size))
        if not read and not first:
            return
        ids = {r.doc_id for r in read if isinstance(r, Article)}
        seen = {} if force else datasets.processed_documents(root, ids)
        found, rejects = one_per_content(read, seen, taken)
        if first:
            rejects = [*scan_rejects, *rejects]
        inputs = {a.source_path for a in found} | {r.source_path for r in rejects}
        intake = sort_inputs(found, rejects, seen, datasets.rejected_inputs(root, inputs))
        taken.update((a.doc_id, a.source_path) for a in (*intake.articles, *intake.skipped))
        yield replace(intake, read=len(read))
        first = False


@dataclass(frozen=True)
class TranslationPlan:
    """The distinct sentences that need translating, those an earlier run already
    translated with the same engine signature, and those to send to the engine."""

    wanted: tuple[str, ...] = ()
    cached: Mapping[str, Translation] = field(default_factory=dict)
    to_send: tuple[str, ...] = ()


def plan_translation(
    docs: Iterable[ProcessedDocument],
    scope: str,
    source: str,
    engine: EngineInfo | None,
    read_cache: Callable[[str, Collection[str]], Mapping[str, Translation]],
) -> TranslationPlan:
    """What to translate. `read_cache(signature, texts)` (earlier translations of `texts`)
    is called only when there is an engine and something to translate (reading earlier
    output costs time)."""
    wanted = tuple(dict.fromkeys(sentences_to_translate(docs, scope, source)))
    if engine is None or not wanted:
        return TranslationPlan(wanted)
    cached, to_send = split_cached(wanted, read_cache(engine.signature, wanted))
    return TranslationPlan(wanted, cached, tuple(to_send))


@dataclass(frozen=True)
class Translated:
    """Every translate task's result, merged: translations (cached ones included), the texts
    whose engine call failed, the one-line reasons, and the engine's counters."""

    translations: Mapping[str, Translation]
    failed: frozenset[str]
    reasons: tuple[str, ...]
    stats: Counter[str]


def gather(plan: TranslationPlan, results: Iterable[BatchResult]) -> Translated:
    translations: dict[str, Translation] = dict(plan.cached)
    failed: set[str] = set()
    reasons: list[str] = []
    stats: Counter[str] = Counter()
    for result in results:
        translations.update(result.done)
        failed.update(result.failed)
        if result.reason:
            reasons.append(
                f"translation failed for {len(result.failed)} sentences: {result.reason}"
            )
        stats.update(result.stats)
    return Translated(translations, frozenset(failed), tuple(reasons), stats)


def align_all(
    docs: Iterable[ProcessedDocument],
    scope: str,
    source: str,
    target: str,
    plan: TranslationPlan,
    translated: Translated,
    engine: EngineInfo | None,
) -> list[SentencePair]:
    """The sentence pairs of every document; a translation taken from earlier output is
    marked `from_cache`."""
    return [
        replace(p, from_cache=True) if p.status == "translated" and p.src_text in plan.cached else p
        for doc in docs
        for p in align_document(
            doc, scope, source, target, translated.translations, engine, translated.failed
        )
    ]


def dataset_rows(
    docs: Sequence[ProcessedDocument],
    pairs: Sequence[SentencePair],
    new_rejects: Sequence[Reject],
    run_id: str,
    source: str,
) -> dict[str, list[dict[str, Any]]]:
    """The rows a run writes, per dataset (`runs` is written at commit)."""
    return {
        "documents": datasets.document_rows(docs, run_id, source),
        "segments": datasets.segment_rows(docs, run_id),
        "sentence_pairs": datasets.pair_rows(pairs, run_id),
        "rejects": datasets.reject_rows(new_rejects, run_id),
    }


def summarise_run(
    run: datasets.RunInfo,
    intake: Intake,
    docs: Sequence[ProcessedDocument],
    pairs: Sequence[SentencePair],
    counters: Mapping[str, int],
    out: str,
    seconds: float,
) -> RunSummary:
    """The run's summary; without an engine, it says how to install one."""
    hint = no_engine_hint(run.source_lang, run.target_lang)
    return summarise(
        run_id=run.run_id,
        run_date=run.run_date.isoformat(),
        docs=docs,
        pairs=pairs,
        skipped=len(intake.skipped),
        rejected=len(intake.rejects),
        source_lang=run.source_lang,
        engine=run.engine,
        model_id=run.model_id,
        out=out,
        seconds=seconds,
        counters=dict(counters),
        hint=None if run.engine else hint,
    )


# --- per-stage counters, `stage.what[.why]` -> count ---------------------------------------


def ingest_counters(intake: Intake) -> Counter[str]:
    """Inputs read, documents to process, skipped ones, rejects by reason."""
    counts: Counter[str] = Counter(f"ingest.rejected.{r.reason_code}" for r in intake.rejects)
    counts["ingest.inputs"] = len(intake.articles) + len(intake.skipped) + len(intake.rejects)
    counts["ingest.documents"] = len(intake.articles)
    counts["ingest.skipped.already_processed"] = len(intake.skipped)
    return counts


def document_counters(docs: Iterable[ProcessedDocument]) -> Counter[str]:
    """Segments by kind, sentences, tweet credits that did not become tweets, and the
    detector's `und` (and overriding) reasons."""
    counts: Counter[str] = Counter()
    for doc in docs:
        counts["segment.credits_missed"] += credits_missed(doc.segments)
        for segment in doc.segments:
            counts[f"segment.kind.{segment.kind}"] += 1
            counts["segment.sentences"] += len(segment.sentences)
            decision = segment.lang
            if decision.lang == "und":
                counts[f"detect.und.{decision.reason or 'model'}"] += 1
            elif decision.reason:
                counts[f"detect.decided_by.{decision.reason}"] += 1
    return counts


def translation_counters(
    plan: TranslationPlan,
    translated: Translated,
    pairs: Iterable[SentencePair],
    engine: EngineInfo | None,
) -> Counter[str]:
    """Distinct sentences sent, cached and failed per engine (`none` without one), the
    engine's own counters, and sentence pairs by status."""
    name = engine.name if engine else "none"
    counts: Counter[str] = Counter(f"align.status.{p.status}" for p in pairs)
    counts[f"translate.{name}.sent"] = len(plan.to_send)
    counts[f"translate.{name}.cached"] = len(plan.cached)
    counts[f"translate.{name}.failed"] = len(translated.failed)
    if engine is None:
        counts["translate.none.pending"] = len(plan.wanted)
    counts.update({f"translate.{k}": v for k, v in translated.stats.items()})
    return counts


def run_counters(
    intake: Intake,
    docs: Iterable[ProcessedDocument],
    plan: TranslationPlan,
    translated: Translated,
    pairs: Iterable[SentencePair],
    engine: EngineInfo | None,
) -> Counter[str]:
    """Every stage's counters for one run (or one window of it)."""
    counts = ingest_counters(intake)
    counts.update(document_counters(docs))
    counts.update(translation_counters(plan, translated, pairs, engine))
    return counts


# --- a run in windows -----------------------------------------------------------------------

# The `RunSummary` fields that are counts over a run's documents and pairs: a run's value is
# the sum of its windows'.
WINDOW_COUNTS = (
    "documents",
    "segments",
    "tweets",
    "spanish_tweets",
    "translated",
    "cached",
    "pending",
    "failed",
)
PREVIEW_PAIRS = 10


@dataclass
class RunTotals:
    """What a run keeps from the windows it has processed, so that it never holds every
    document at once: staged files, documents to replace, counts, the first pairs (preview),
    warnings, the translations it made (a sentence seen again in a later window is not
    sent twice, and is not `from_cache`, as in a run done in one window), those it took from
    earlier output (counted once), and its inputs' counts and settled paths."""

    moves: list[tuple[Any, Any]] = field(default_factory=list)
    replaced: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)
    counters: Counter[str] = field(default_factory=Counter)
    preview: list[SentencePair] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    translations: dict[str, Translation] = field(default_factory=dict)
    skipped: int = 0
    rejected: int = 0
    settled: set[str] = field(default_factory=set)
    ingested: Counter[str] = field(default_factory=Counter)
    cached: set[str] = field(default_factory=set)  # sentences taken from earlier output

    def add_intake(self, intake: Intake) -> None:
        """Count one window's inputs (or a whole run's, read at once)."""
        self.skipped += len(intake.skipped)
        self.rejected += len(intake.rejects)
        self.settled.update(intake.settled)
        self.ingested.update(ingest_counters(intake))

    def add(
        self,
        run: datasets.RunInfo,
        docs: Sequence[ProcessedDocument],
        plan: TranslationPlan,
        translated: Translated,
        pairs: Sequence[SentencePair],
        engine: EngineInfo | None,
    ) -> None:
        """Count one window (its files are in `moves` already)."""
        self.replaced.update(d.article.doc_id for d in docs)
        part = summarise_run(run, Intake((), (), (), (), frozenset()), docs, pairs, {}, "", 0.0)
        self.counts.update({name: getattr(part, name) for name in WINDOW_COUNTS})
        self.counters.update(document_counters(docs))
        counters = translation_counters(plan, translated, pairs, engine)
        # a sentence taken from earlier output is counted once per run, not once per window
        new = [t for t in plan.cached if t not in self.cached]
        counters[f"translate.{engine.name if engine else 'none'}.cached"] = len(new)
        self.cached.update(new)
        self.counters.update(counters)
        shown = [p for p in pairs if p.status in ("translated", "pending", "failed")]
        self.preview.extend(shown[: max(PREVIEW_PAIRS - len(self.preview), 0)])
        self.reasons.extend(translated.reasons)
        made = translated.translations
        self.translations.update((t, made[t]) for t in plan.to_send if t in made)


def split_known(
    plan: TranslationPlan, known: Mapping[str, Translation]
) -> tuple[TranslationPlan, BatchResult]:
    """Take out of `plan.to_send` what this run already translated in an earlier window;
    returns the smaller plan and those translations as one result for `gather`."""
    again = {t: known[t] for t in plan.to_send if t in known}
    rest = tuple(t for t in plan.to_send if t not in again)
    return replace(plan, to_send=rest), BatchResult(done=again)


def summarise_totals(
    run: datasets.RunInfo, totals: RunTotals, out: str, seconds: float
) -> RunSummary:
    """The run's summary from its windows' totals (inputs counted with `add_intake`)."""
    counters = Counter(totals.ingested)
    counters.update(totals.counters)
    empty = replace(
        summarise_run(run, Intake((), (), (), (), frozenset()), (), (), counters, out, seconds),
        skipped=totals.skipped,
        rejected=totals.rejected,
    )
    counts = totals.counts
    return replace(
        empty,
        inputs=counts["documents"] + empty.skipped + empty.rejected,
        documents=counts["documents"],
        segments=counts["segments"],
        tweets=counts["tweets"],
        spanish_tweets=counts["spanish_tweets"],
        translated=counts["translated"],
        cached=counts["cached"],
        pending=counts["pending"],
        failed=counts["failed"],
        hint=(
            no_engine_hint(run.source_lang, run.target_lang)
            if run.engine is None and counts["pending"]
            else None
        ),
    )
