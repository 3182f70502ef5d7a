"""Report stage: the run summary, as a terminal table and as Prefect artifact content."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from flows.records import SentencePair


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

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs in the order a reader wants them."""
        return [
            ("documents", str(self.documents)),
            ("skipped (already processed)", str(self.skipped)),
            ("segments", str(self.segments)),
            ("tweets", str(self.tweets)),
            ("Spanish tweets", str(self.spanish_tweets)),
            ("translated", str(self.translated)),
            ("  of which from cache", str(self.cached)),
            ("pending", str(self.pending)),
            ("failed", str(self.failed)),
            ("rejected", str(self.rejected)),
            ("engine", f"{self.engine} ({self.model_id})" if self.engine else "none"),
            ("time", f"{self.seconds:.1f} s"),
            ("output", self.out),
        ]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


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


def render_terminal(summary: RunSummary) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"bilingual run {summary.run_date}", show_header=False)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in summary.rows():
        table.add_row(label, value)
    console = Console(stderr=False)
    console.print(table)
    if summary.hint:
        console.print(f"[yellow]note:[/yellow] {summary.hint}")
