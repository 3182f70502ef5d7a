"""Report stage: the run summary, as a terminal table and as Prefect artifact content."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from flows.records import ProcessedDocument, RunSummary, SentencePair
from flows.store import datasets
from flows.translation.align import tweet_is_source


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
    # rich only when a table is drawn: a scheduled or --json run never draws one (start-up).
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
