"""`bilingual show` and `bilingual docs`: originals beside their translations, and the
documents of an output root, as a terminal table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flows.errors import BilingualError
from flows.records import LangDecision
from flows.store import datasets

FORMATS = ("table", "json", "csv")
TITLE_WIDTH = 16  # an article's title in a table cell, shortened with "…"
DOC_ID_PREFIX = 8  # how much of a doc_id `docs` shows; enough to tell documents apart
PAIR_FIELDS = (
    "run_date",
    "doc_id",
    "article",
    "source",
    "author",
    "original",
    "translation",
    "status",
)
# `show --explain --format csv`: the segment's language decision, flattened.
EXPLAIN_FIELDS = ("lang", "confidence", "reason", "candidates", "cleaned", "rules")
DOC_FIELDS = ("doc_id", "title", "tweets", "spanish_tweets", "run_date", "source_path")


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def resolve_doc_id(out: Path, prefix: str) -> str:
    """The one document whose id starts with `prefix` (a full id is its own prefix)."""
    column = datasets.read_dataset(out, "documents", ["doc_id"]).column("doc_id")
    ids: list[str] = sorted(set(column.to_pylist()))
    matches = [d for d in ids if d.startswith(prefix)]
    if not matches:
        raise BilingualError(
            f"{out}: no document whose id starts with {prefix!r}; `bilingual docs` lists them"
        )
    if len(matches) > 1:
        shown = ", ".join(m[: len(prefix) + 4] + "…" for m in matches[:3])
        raise BilingualError(
            f"--doc {prefix!r} matches {len(matches)} documents ({shown}); give more characters"
        )
    return matches[0]


def pair_rows(
    out: Path, *, doc_id: str | None, show_all: bool, explain: bool = False
) -> list[dict[str, Any]]:
    """The sentence pairs to show, in reading order: run date, document, article title,
    where it was read (`source_path`), tweet author, original, translation, status (with
    `explain`, also `explain`: why its segment has the language it has, as `detect
    --explain` says it)."""
    if not datasets.part_files(out, "sentence_pairs"):
        raise BilingualError(f"{out}: no sentence_pairs dataset here; run `bilingual run` first")
    wanted = resolve_doc_id(out, doc_id) if doc_id is not None else None
    pairs = datasets.read_dataset(out, "sentence_pairs").to_pylist()
    columns = ["segment_id", "author_handle"]
    if explain:
        columns += ["kind", "text", "lang", "lang_prob", "lang_reason", "lang_candidates"]
    segment_rows = {
        r["segment_id"]: r for r in datasets.read_dataset(out, "segments", columns).to_pylist()
    }
    authors = {sid: r["author_handle"] for sid, r in segment_rows.items()}
    documents = datasets.read_dataset(out, "documents", ["doc_id", "title", "source_path"])
    titles = {r["doc_id"]: r["title"] for r in documents.to_pylist()}
    # where the article was read: its file, or `file#row` for a record of a JSONL/CSV/Parquet file
    sources = {r["doc_id"]: r["source_path"] for r in documents.to_pylist()}
    chosen = [
        p
        for p in pairs
        if (wanted is None or p["doc_id"] == wanted) and (show_all or p["status"] != "copied")
    ]
    chosen.sort(
        key=lambda p: (str(p["run_date"]), p["doc_id"], p["segment_id"], p["sentence_index"])
    )
    explained: dict[str, dict[str, Any]] = {}
    if explain:
        for sid in {p["segment_id"] for p in chosen}:
            explained[sid] = segment_explanation(segment_rows[sid])
    return [
        {
            "run_date": str(p["run_date"]),
            "doc_id": p["doc_id"],
            "article": titles.get(p["doc_id"]) or "",
            "source": sources.get(p["doc_id"]) or "",
            "author": f"@{authors[p['segment_id']]}" if authors.get(p["segment_id"]) else "",
            "original": p["src_text"],
            "translation": p["tgt_text"] or "",
            "status": p["status"],
            **({"explain": explained[p["segment_id"]]} if explain else {}),
        }
        for p in chosen
    ]


def segment_explanation(segment: dict[str, Any]) -> dict[str, Any]:
    """Why a segment (a tweet, mostly) has the language the run gave it: the decision as
    the `segments` dataset records it, with the evidence `detect --explain` gives."""
    # the language model (numpy): only when a text is judged
    from flows.language import explanation

    decision = LangDecision(
        segment["lang"],
        segment["lang_prob"],
        tuple((c["lang"], c["prob"]) for c in segment["lang_candidates"] or ()),
        segment["lang_reason"],
    )
    return {
        "segment_id": segment["segment_id"],
        "kind": segment["kind"],
        **explanation.decision_fields(decision),
        **explanation.evidence(segment["text"], decision),
    }


def flat_explanation(row: dict[str, Any]) -> dict[str, Any]:
    """A pair row with its explanation as flat CSV cells."""
    why = row["explain"]
    cells = {k: v for k, v in row.items() if k != "explain"}
    return {
        **cells,
        "lang": why["lang"],
        "confidence": why["confidence"],
        "reason": why["reason"],
        "candidates": " ".join(f"{c['lang']}:{c['prob']}" for c in why["candidates"]),
        "cleaned": why["cleaned"],
        "rules": "; ".join(why["rules"]),
    }


def render_pairs(
    rows: Sequence[dict[str, Any]],
    out: Path,
    *,
    doc_id: str | None,
    show_all: bool,
    limit: int,
    fmt: str = "table",
    explain: bool = False,
) -> None:
    """`pair_rows` as a table (with the explanations under it), JSON or CSV."""
    if fmt == "csv" and explain:
        emit([flat_explanation(r) for r in rows[:limit]], fmt, PAIR_FIELDS + EXPLAIN_FIELDS)
        return
    if fmt != "table":
        emit(rows[:limit], fmt, PAIR_FIELDS)
        return
    # rich: only when something is drawn (start-up)
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not rows:
        hint = "" if show_all else " (`--all` also shows the sentences carried over unchanged)"
        where = f"document {doc_id}… under {out}" if doc_id else str(out)
        console.print(f"nothing to show: no translated sentences in {where}{hint}", highlight=False)
        return
    table = Table(show_lines=True)
    table.add_column("article", max_width=TITLE_WIDTH, no_wrap=True, overflow="ellipsis")
    table.add_column("author", max_width=14, no_wrap=True, overflow="ellipsis")
    table.add_column("original", ratio=1, overflow="fold")
    table.add_column("translation", ratio=1, overflow="fold")
    table.add_column("status", no_wrap=True)
    for r in rows[:limit]:
        cells = (r["author"], r["original"], r["translation"], r["status"])
        table.add_row(shorten(r["article"], TITLE_WIDTH), *cells)
    console.print(table)
    if len(rows) > limit:
        console.print(f"{len(rows) - limit} more; use --limit")
    if explain:
        print_explanations(console, rows[:limit])


def print_explanations(console: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Under the table, once per segment shown: why it has its language."""
    # rich: only when something is drawn (start-up)
    from rich.text import Text

    seen: set[str] = set()
    for r in rows:
        why = r["explain"]
        if why["segment_id"] in seen:
            continue
        seen.add(why["segment_id"])
        candidates = ", ".join(f"{c['lang']} {c['prob']:.3f}" for c in why["candidates"])
        head = (
            f"{why['kind']} {r['author']} · {shorten(r['article'], 24)}: "
            f"{why['lang']} {why['confidence']:.3f} ({why['reason']})"
        )
        console.print(Text(head))
        body = [
            f"cleaned: {why['cleaned']}",
            f"candidates: {candidates or 'none'}",
            *(f"- {rule}" for rule in why["rules"]),
        ]
        for line in body:
            wrapped = textwrap.fill(
                line, console.width, initial_indent="  ", subsequent_indent="    "
            )
            console.print(Text(wrapped), soft_wrap=True)


def document_rows(out: Path) -> list[dict[str, Any]]:
    """Every document of the output root, newest run date first, then by title."""
    if not datasets.part_files(out, "documents"):
        raise BilingualError(f"{out}: no documents dataset here; run `bilingual run` first")
    columns = ["doc_id", "title", "n_tweets", "n_spanish_tweets", "source_path"]
    docs = datasets.read_dataset(out, "documents", columns).to_pylist()
    docs.sort(key=lambda d: (-d["run_date"].toordinal(), d["title"] or "", d["doc_id"]))
    return [
        {
            "doc_id": d["doc_id"],
            "title": d["title"] or "",
            "tweets": d["n_tweets"],
            "spanish_tweets": d["n_spanish_tweets"],
            "run_date": str(d["run_date"]),
            "source_path": d["source_path"],
        }
        for d in docs
    ]


def render_documents(rows: Sequence[dict[str, Any]], out: Path, fmt: str = "table") -> None:
    """`document_rows` as a table, JSON or CSV."""
    if fmt != "table":
        emit(rows, fmt, DOC_FIELDS)
        return
    # rich: only when something is drawn (start-up)
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not rows:
        console.print(f"nothing to show: no documents under {out}", highlight=False)
        return
    table = Table()
    table.add_column("id", no_wrap=True, min_width=DOC_ID_PREFIX)
    table.add_column("title", max_width=26, no_wrap=True, overflow="ellipsis")
    table.add_column("tweets", justify="right", no_wrap=True)
    table.add_column("Spanish tweets", justify="right", no_wrap=True)
    table.add_column("run date", no_wrap=True, min_width=10)
    for r in rows:
        table.add_row(
            r["doc_id"][:DOC_ID_PREFIX],
            r["title"],
            str(r["tweets"]),
            str(r["spanish_tweets"]),
            r["run_date"],
        )
    console.print(table)
    noun = "document" if len(rows) == 1 else "documents"
    console.print(f"{len(rows)} {noun}; `bilingual show --doc ID` shows one", highlight=False)


RUN_FIELDS = (
    "run_date",
    "run_id",
    "status",
    "documents",
    "documents_now",
    "moved",
    "rejects",
    "engine",
)


def run_rows(out: Path) -> list[dict[str, Any]]:
    """Every run under `out`, oldest first: what it wrote (`documents`, its `runs` row's
    `n_documents`) and what of it is still there (`documents_now`, counted now in
    `documents`): a later `--force` run moves an article's rows to itself (`moved`)."""
    if not datasets.part_files(out, "runs"):
        raise BilingualError(f"{out}: no runs dataset here; run `bilingual run` first")
    columns = ["run_id", "started_at", "n_documents", "n_rejects", "engine", "status"]
    runs = datasets.read_dataset(out, "runs", columns).to_pylist()
    now = Counter(datasets.read_dataset(out, "documents", ["run_id"]).column("run_id").to_pylist())
    runs.sort(key=lambda r: (r["run_date"], r["started_at"]))
    return [
        {
            "run_date": str(r["run_date"]),
            "run_id": r["run_id"],
            "status": r["status"],
            "documents": r["n_documents"],
            "documents_now": now[r["run_id"]],
            "moved": r["n_documents"] - now[r["run_id"]],
            "rejects": r["n_rejects"],
            "engine": r["engine"] or "none",
        }
        for r in runs
    ]


def render_runs(rows: Sequence[dict[str, Any]], fmt: str = "table") -> None:
    """`run_rows` as a table, JSON or CSV."""
    if fmt != "table":
        emit(rows, fmt, RUN_FIELDS)
        return
    # rich: only when something is drawn (start-up)
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table()
    table.add_column("run date", no_wrap=True, min_width=10)
    table.add_column("run", no_wrap=True, min_width=DOC_ID_PREFIX)
    table.add_column("status", max_width=12, no_wrap=True, overflow="ellipsis")
    for name in ("docs", "now", "moved", "rejects"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("engine", no_wrap=True)
    for r in rows:
        counts = (r["documents"], r["documents_now"], r["moved"], r["rejects"])
        table.add_row(
            r["run_date"], r["run_id"][:DOC_ID_PREFIX], r["status"], *map(str, counts), r["engine"]
        )
    console.print(table)
    moved = sum(r["moved"] for r in rows)
    if moved:
        console.print(
            f"{moved} document(s) moved to a later run by `run --force` (README, Re-running)",
            highlight=False,
        )


def emit(rows: Sequence[dict[str, Any]], fmt: str, fields: Sequence[str]) -> None:
    """`json`: one array of objects; `csv`: a header row, then one row per object (an
    empty answer is `[]` or the header alone, so a script reads it like any other)."""
    if fmt == "json":
        sys.stdout.write(json.dumps(list(rows), ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(fields), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    raise BilingualError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
