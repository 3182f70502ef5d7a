"""`bilingual show`: originals and their translations side by side in the terminal."""

from __future__ import annotations

from pathlib import Path

from flows import datasets
from flows.errors import BilingualError


def render_pairs(out: Path, *, doc_id: str | None, show_all: bool, limit: int) -> None:
    from rich.console import Console
    from rich.table import Table

    if not datasets.part_files(out, "sentence_pairs"):
        raise BilingualError(f"{out}: no sentence_pairs dataset here; run `bilingual run` first")
    pairs = datasets.read_dataset(out, "sentence_pairs").to_pylist()
    authors = {
        row["segment_id"]: row["author_handle"]
        for row in datasets.read_dataset(
            out, "segments", ["segment_id", "author_handle"]
        ).to_pylist()
    }
    rows = [
        p
        for p in pairs
        if (doc_id is None or p["doc_id"] == doc_id) and (show_all or p["status"] != "copied")
    ]
    if doc_id is not None and not rows:
        raise BilingualError(f"{out}: no sentence pairs for document {doc_id}")
    rows.sort(key=lambda p: (str(p["run_date"]), p["doc_id"], p["segment_id"], p["sentence_index"]))
    table = Table(show_lines=True)
    for column in ("author", "original", "translation", "status"):
        table.add_column(column, overflow="fold")
    for p in rows[:limit]:
        handle = authors.get(p["segment_id"])
        table.add_row(
            f"@{handle}" if handle else "", p["src_text"], p["tgt_text"] or "", p["status"]
        )
    console = Console()
    console.print(table)
    if len(rows) > limit:
        console.print(f"{len(rows) - limit} more; use --limit")
