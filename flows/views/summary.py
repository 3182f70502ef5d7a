"""Report stage: the run summary, as a terminal table and as Prefect artifact content."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from flows import PIPELINE_VERSION, languages
from flows.records import ProcessedDocument, SentencePair, row_of
from flows.translation.align import tweet_is_source

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    run_date: str
    inputs: int
    documents: int
    skipped: int
    segments: int
    tweets: int
    spanish_tweets: int
    translated: int
    cached: int
    pending: int
    failed: int
    rejected: int
    seconds: float
    engine: str | None
    model_id: str | None
    out: str
    hint: str | None = None
    counters: dict[str, int] = field(default_factory=dict)
    source_lang: str = "es"  # what `spanish_tweets` counts, named in the labels

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs in the order a reader wants them."""
        return [
            ("documents", str(self.documents)),
            ("skipped (already processed)", str(self.skipped)),
            ("segments", str(self.segments)),
            ("tweets", str(self.tweets)),
            (f"{languages.name(self.source_lang)} tweets", str(self.spanish_tweets)),
            ("translated", str(self.translated)),
            ("  of which from cache", str(self.cached)),
            ("pending", str(self.pending)),
            ("failed", str(self.failed)),
            ("rejected", str(self.rejected)),
            ("engine", f"{self.engine} ({self.model_id})" if self.engine else "none"),
            ("time", f"{self.seconds:.1f} s"),
            ("output", self.out),
            *([("per-stage counters", "")] if self.counters else []),
            *((f"  {name}", str(n)) for name, n in sorted(self.counters.items())),
        ]

    def one_line(self) -> str:
        """The summary's facts in one line (`serve` prints it after each run)."""
        engine = f"{self.engine} ({self.model_id})" if self.engine else "no engine"
        name = languages.name(self.source_lang)
        return (
            f"{self.run_date} {self.status}: {self.documents} documents "
            f"({self.skipped} skipped), {self.segments} segments, {self.tweets} tweets, "
            f"{self.spanish_tweets} {name} tweets, {self.translated} translated "
            f"({self.cached} from cache), {self.pending} pending, {self.failed} failed, "
            f"{self.rejected} rejected; {engine}; {self.seconds:.1f} s; {self.out}"
        )

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @property
    def status(self) -> str:
        return "completed" if not self.failed else "completed_with_failures"

    def run_row(
        self, started_at: datetime, finished_at: datetime, scope: str, signature: str
    ) -> dict[str, Any]:
        """The run's row in the `runs` dataset: its counts as `n_<count>`."""
        counts = {f"n_{name}": value for name, value in asdict(self).items()}
        return row_of(
            runs_schema(),
            self,
            **counts,
            n_rejects=self.rejected,
            started_at=started_at,
            finished_at=finished_at,
            scope=scope,
            pipeline_version=PIPELINE_VERSION,
            signature=signature,
            counters=sorted(self.counters.items()),
            status=self.status,
        )


@cache
def runs_schema() -> pa.Schema:
    """`runs`: a `RunSummary` (counts as `n_<count>`), its settings, signature and counters."""
    import pyarrow as pa

    counts = ("inputs", "documents", "skipped", "rejects", "segments", "tweets")
    sentences = ("spanish_tweets", "translated", "cached", "pending", "failed")
    return pa.schema(
        [
            ("run_id", pa.string()),
            ("started_at", pa.timestamp("us", tz="UTC")),
            ("finished_at", pa.timestamp("us", tz="UTC")),
            *((f"n_{name}", pa.int32()) for name in (*counts, *sentences)),
            ("engine", pa.string()),
            ("model_id", pa.string()),
            ("scope", pa.string()),
            ("pipeline_version", pa.string()),
            ("signature", pa.string()),
            ("counters", pa.map_(pa.string(), pa.int64())),
            ("status", pa.string()),
        ]
    )


def summarise(
    *,
    run_id: str,
    run_date: str,
    docs: Sequence[ProcessedDocument],
    pairs: Sequence[SentencePair],
    skipped: int,
    rejected: int,
    source_lang: str,
    engine: str | None,
    model_id: str | None,
    out: str,
    seconds: float,
    hint: str | None,
    counters: dict[str, int] | None = None,
) -> RunSummary:
    """Count what a run did. Sentence counts are of `source_lang` sentences."""
    tweets = [s for d in docs for s in d.segments if s.kind == "tweet"]
    statuses = [p.status for p in pairs if p.src_lang == source_lang]
    return RunSummary(
        run_id=run_id,
        run_date=run_date,
        inputs=len(docs) + skipped + rejected,
        documents=len(docs),
        skipped=skipped,
        segments=sum(len(d.segments) for d in docs),
        tweets=len(tweets),
        spanish_tweets=sum(tweet_is_source(t, source_lang) for t in tweets),
        translated=statuses.count("translated"),
        cached=sum(p.from_cache for p in pairs),
        pending=statuses.count("pending"),
        failed=statuses.count("failed"),
        rejected=rejected,
        seconds=seconds,
        engine=engine,
        model_id=model_id,
        out=out,
        hint=hint if statuses.count("pending") else None,
        counters=dict(counters or {}),
        source_lang=source_lang,
    )


def summary_artifact(summary: RunSummary) -> list[dict[str, str]]:
    return [{"measure": label.strip(), "value": value} for label, value in summary.rows()]


def preview_markdown(pairs: Sequence[SentencePair], limit: int = 10) -> str:
    """A markdown table of the first aligned pairs: original beside translation."""
    shown = [p for p in pairs if p.status in ("translated", "pending", "failed")][:limit]
    lines = ["| segment | original | translation | status |", "|---|---|---|---|"]
    for p in shown:
        cells = [p.segment_id, p.src_text, p.tgt_text or "", p.status]
        lines.append(
            "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"
        )
    if not shown:
        lines.append("| | (no sentences to translate in this run) | | |")
    return "\n".join(lines)


REJECTS_LISTED = 10


def rejects_of_run(summary: RunSummary) -> list[tuple[str, str]]:
    """(path, reason) of the inputs this run rejected, as its `rejects` file records them."""
    from datetime import date
    from pathlib import Path

    from flows.store import datasets

    folder = datasets.partition_dir(
        Path(summary.out), "rejects", date.fromisoformat(summary.run_date)
    )
    path = folder / f"part-{summary.run_id}.parquet"
    if not path.exists():
        return []
    rows = datasets.read_part(path, ["source_path", "reason_code", "message"]).to_pylist()
    return [(r["source_path"], f"{r['reason_code']}: {r['message']}") for r in rows]


def render_terminal(
    summary: RunSummary,
    *,
    wall_seconds: float | None = None,
    rejects: Sequence[tuple[str, str]] = (),
) -> None:
    """The summary table; its time is the command's wall time with the flow's share (the
    rest is mostly Prefect starting), then the first rejected inputs and why."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"bilingual run {summary.run_date}", show_header=False)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in summary.rows():
        if label == "time" and wall_seconds is not None:
            value = f"{wall_seconds:.1f} s (flow {summary.seconds:.1f} s)"
        table.add_row(label, value)
    console = Console(stderr=False)
    console.print(table)
    if rejects:
        console.print(f"rejected inputs ({len(rejects)}):", highlight=False)
        for path, reason in rejects[:REJECTS_LISTED]:
            console.print(f"  {escape(path)}: {escape(reason)}", highlight=False, soft_wrap=True)
        if len(rejects) > REJECTS_LISTED:
            console.print(
                f"  … and {len(rejects) - REJECTS_LISTED} more (the `rejects` dataset)",
                highlight=False,
            )
    if summary.hint:
        console.print(f"[yellow]note:[/yellow] {summary.hint}")
