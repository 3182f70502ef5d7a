"""What a run tells Prefect about itself, as plain functions over its records: the run's
name, one line per thing it read, found, translated, rejected or committed, and the warnings a
user must act on. Scheduled runs are read in Prefect's UI, not in a terminal; the flow logs
these lines there and keeps them off the terminal (its summary table says the same)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from flows import languages
from flows.orchestration.plan import Intake
from flows.records import ProcessedDocument, Reject
from flows.segmentation import attribution
from flows.translation.align import EngineInfo

# The `audience` of the flow's own log records: Prefect's UI shows them, the terminal does not.
PREFECT_ONLY = "prefect"
LISTED = 10  # paths or texts named in one line, the rest counted
# Inputs rejected for a reason that needs no action: the same text is in another file.
HARMLESS_REJECTS = frozenset({"duplicate"})


class PrefectOnly(logging.Filter):
    """On a terminal handler: drops the records logged with `PREFECT_ONLY`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "audience", None) != PREFECT_ONLY


def keep_off_terminal(logger: logging.Logger | None = None) -> None:
    """Put `PrefectOnly` on the stream handlers of `logger` (default: the root logger, where
    Prefect's console handler is), once."""
    for handler in (logger or logging.getLogger()).handlers:
        if isinstance(handler, logging.StreamHandler) and not any(
            isinstance(f, PrefectOnly) for f in handler.filters
        ):
            handler.addFilter(PrefectOnly())


def run_name(parameters: Mapping[str, Any], run_id: str, today: date | None = None) -> str:
    """`bilingual <run date> <output root's name> <run id prefix>`: what the Runs list shows."""
    run_date = parameters.get("run_date") or today or date.today()
    out = Path(str(parameters.get("out") or "outputs"))
    return f"bilingual {run_date} {out.resolve().name or out} {run_id[:8]}"


def batch_name(stage: str, window: int, batch: int, size: int, unit: str) -> str:
    """`analyse w1 b2: 50 documents`: a task run named by what it holds (1-based numbers)."""
    return f"{stage} w{window + 1} b{batch + 1}: {_count(size, unit)}"


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _listed(items: Sequence[str]) -> str:
    more = f" and {len(items) - LISTED} more" if len(items) > LISTED else ""
    return "; ".join(items[:LISTED]) + more


def inputs_read(paths: Sequence[str], files: int, scan_rejects: int, window: int) -> str:
    windows = max(-(-files // window), 1)
    refused = f", {scan_rejects} refused before reading" if scan_rejects else ""
    return (
        f"read {', '.join(paths)}: {_count(files, 'input file')}{refused}, "
        f"in {_count(windows, 'window')} of up to {window} files"
    )


def window_read(index: int, intake: Intake) -> str:
    return (
        f"window {index + 1}: {_count(len(intake.articles), 'article')} to process, "
        f"{len(intake.skipped)} already written (skipped), {len(intake.rejects)} rejected"
    )


def engine_chosen(choice: str, engine: EngineInfo | None) -> str:
    """The engine and why it was chosen (an `auto` choice prefers Argos, then Apertium)."""
    if engine is None:
        return f"no translation engine (--engine {choice}): sentences stay pending"
    if choice != "auto":
        why = f"as asked (--engine {choice})"
    elif engine.name == "argos":
        why = "auto: an installed Argos package loads"
    else:
        why = "auto: no usable Argos package; Apertium's pair is installed"
    return f"engine: {engine.name} ({engine.model_id}), {why}"


def window_found(index: int, counts: Mapping[str, int], source_lang: str) -> str:
    """What a window's analysis found (`counts`: the window's `RunSummary` counts)."""
    return (
        f"window {index + 1}: found {_count(counts['documents'], 'document')}, "
        f"{_count(counts['segments'], 'segment')}, {_count(counts['tweets'], 'tweet')}, "
        f"{counts['spanish_tweets']} {languages.name(source_lang)} tweets"
    )


def window_translated(
    index: int, counts: Mapping[str, int], sent: int, tasks: int, engine: str | None
) -> str:
    """What became of a window's sentences: sent to the engine, translated, from cache..."""
    return (
        f"window {index + 1}: {_count(sent, 'distinct sentence')} sent to "
        f"{engine or 'no engine'} in {_count(tasks, 'task')}; "
        f"{_count(counts['translated'], 'sentence')} translated "
        f"({counts['cached']} from cache), {counts['pending']} pending, "
        f"{counts['failed']} failed"
    )


def rejects_by_reason(rejects: Iterable[Reject]) -> str:
    by_reason = Counter(r.reason_code for r in rejects)
    if not by_reason:
        return "rejects: none"
    reasons = ", ".join(f"{code} {n}" for code, n in sorted(by_reason.items()))
    return f"rejected {_count(sum(by_reason.values()), 'input')}: {reasons}"


def rejects_to_look_at(rejects: Iterable[Reject]) -> str | None:
    """A warning naming the inputs rejected for a reason a user can fix (damaged, unreadable,
    not text…); None when there is none."""
    listed = [
        f"{r.source_path} ({r.reason_code}: {r.message})"
        for r in rejects
        if r.reason_code not in HARMLESS_REJECTS
    ]
    if not listed:
        return None
    return f"{_count(len(listed), 'input')} could not be read as an article: {_listed(listed)}"


def attribution_like(text: str) -> list[str]:
    """The tweet-attribution-like pieces of `text` (`— Name (@handle)…`)."""
    return attribution.credits_in(text)


def missed_attributions(docs: Iterable[ProcessedDocument]) -> str | None:
    """A warning naming text outside tweets that reads like a tweet's attribution (a tweet
    the segmenter did not see); None when there is none. A recognised attribution is the
    tweet's metadata, never in any segment's text."""
    found = [
        f"{Path(doc.article.source_path).name}: {piece!r}"
        for doc in docs
        for segment in doc.segments
        if segment.kind != "tweet"
        for piece in attribution_like(segment.text)
    ]
    if not found:
        return None
    return f"{_count(len(found), 'text')} like a tweet's attribution did not become a tweet: " + (
        _listed(found)
    )


def dead_runs(removed: Collection[str], marked: Collection[str]) -> str | None:
    """A warning for the runs found dead (killed before they committed); None if none."""
    if not removed:
        return None
    ids = ", ".join(sorted(removed))
    return (
        f"removed the uncommitted files of {_count(len(removed), 'run')} found dead ({ids}); "
        f"{len(marked)} of them marked crashed in Prefect"
    )


def committed(run_id: str, root: Path, documents: int, files: int) -> str:
    return f"committed run {run_id}: {_count(documents, 'document')} in {files} files under {root}"


def report_link(path: Path | None) -> str:
    """The HTML report as a link a reader can copy (markdown, for an artifact)."""
    if path is None:
        return "no HTML report (not written)"
    return f"[{path}]({path.resolve().as_uri()})"
