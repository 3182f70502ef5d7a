"""The HTML report of one run date: one self-contained file (inline CSS, charts as inline
SVG, one small inline script for the filter box) that opens offline and can be mailed.

Everything in it is read back from the committed datasets of that `run_date`, so the
report says what the Parquet says. Tweet text is hostile input: the template engine escapes
every value, and the page's Content-Security-Policy allows no request at all and only the
one script whose hash it names. The file lives in `<out>/reports/run_date=<D>/index.html`,
outside every dataset folder, so readers globbing a dataset never see it."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from flows import PIPELINE_VERSION, datasets, report_charts
from flows.errors import BilingualError
from flows.records import SEGMENT_KINDS

REPORTS = "reports"
TEMPLATES = Path(__file__).resolve().parent / "templates"
CONTEXT_SEGMENTS = 2  # segments shown before and after a tweet in its context
TOP = 15  # bars in the per-article and per-author charts
TOP_LANGUAGES = 5


@dataclass(frozen=True)
class Piece:
    """A run of text; `kind` names the entity it is (`handle`, `hashtag`, `link`), if any."""

    text: str
    kind: str | None = None


@dataclass(frozen=True)
class TweetRow:
    anchor: str
    doc_title: str
    author_name: str | None
    author_handle: str | None
    posted_on: date | None
    lang: str
    lang_prob: float
    original: tuple[Piece, ...]
    english: tuple[Piece, ...]
    score: float | None
    status: str


@dataclass(frozen=True)
class ContextSegment:
    ordinal: int
    kind: str
    lang: str
    text: tuple[Piece, ...]
    is_tweet: bool


@dataclass(frozen=True)
class Context:
    anchor: str
    doc_title: str
    source_path: str
    author_handle: str | None
    segments: tuple[ContextSegment, ...]


@dataclass(frozen=True)
class Chart:
    title: str
    note: str
    svg: str | None


@dataclass(frozen=True)
class Report:
    run_date: date
    out: str
    runs: tuple[dict[str, Any], ...]
    totals: tuple[tuple[str, int], ...]
    charts: tuple[Chart, ...]
    tweets: tuple[TweetRow, ...]
    contexts: tuple[Context, ...]
    rejects: tuple[dict[str, Any], ...]
    source_lang: str


def report_path(root: Path, run_date: date) -> Path:
    return root / REPORTS / f"run_date={run_date.isoformat()}" / "index.html"


def latest_run_date(root: Path) -> date:
    dates = datasets.read_dataset(root, "runs", ["run_id"]).column("run_date").to_pylist()
    if not dates:
        raise BilingualError(f"{root}: no committed run here; run `bilingual run` first")
    latest: date = max(dates)
    return latest


# --- reading ----------------------------------------------------------------------------


def _partition(
    root: Path, dataset: str, run_date: date, committed: set[str]
) -> list[dict[str, Any]]:
    """Rows of one `run_date` partition, from runs that committed (whatever columns each
    file has: files written by other versions may have more)."""
    rows: list[dict[str, Any]] = []
    for path in sorted(datasets.partition_dir(root, dataset, run_date).glob("part-*.parquet")):
        if datasets.run_id_of(path) in committed:
            rows.extend(pq.read_table(path).to_pylist())
    return rows


def _runs(root: Path, run_date: date) -> list[dict[str, Any]]:
    """The date's `runs` rows, oldest first, each with its signature: its own column when
    the row has one, else the file's key-value metadata."""
    rows = []
    folder = datasets.partition_dir(root, "runs", run_date)
    for path in sorted(folder.glob("part-*.parquet")):
        for row in pq.read_table(path).to_pylist():
            row.setdefault("signature", None)
            row["signature"] = (
                row["signature"] or datasets.file_metadata(path).get("signature") or None
            )
            rows.append(row)
    return sorted(rows, key=lambda r: r["started_at"])


# --- entities ---------------------------------------------------------------------------


def mark_entities(text: str, entities: Mapping[str, Iterable[str]]) -> tuple[Piece, ...]:
    """Split `text` into pieces, the segment's own @handles, #hashtags and links marked
    wherever they occur (they pass through translation unchanged, so the same strings are
    found in the English)."""
    kinds = {e: kind for kind, found in entities.items() for e in found if e}
    if not kinds:
        return (Piece(text),)
    pattern = re.compile("|".join(re.escape(e) for e in sorted(kinds, key=len, reverse=True)))
    pieces: list[Piece] = []
    at = 0
    for match in pattern.finditer(text):
        if match.start() > at:
            pieces.append(Piece(text[at : match.start()]))
        pieces.append(Piece(match.group(0), kinds[match.group(0)]))
        at = match.end()
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return tuple(pieces)


def _entities(segment: Mapping[str, Any]) -> dict[str, list[str]]:
    return {
        "link": segment.get("urls") or [],
        "handle": segment.get("mentions") or [],
        "hashtag": segment.get("hashtags") or [],
    }


# --- building ---------------------------------------------------------------------------


def _anchor(segment_id: str) -> str:
    return "seg-" + segment_id.replace(":", "-")


def _tweet_status(statuses: Sequence[str]) -> str:
    counts = Counter(statuses)
    if len(counts) == 1:
        return statuses[0]
    return ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _short(text: str, limit: int = 36) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def source_language(pairs: Sequence[Mapping[str, Any]]) -> str:
    """The language a run translated from: that of its sentences that were not copied
    (`es`, the command line's default, when there were none)."""
    langs = Counter(p["src_lang"] for p in pairs if p["status"] != "copied")
    return langs.most_common(1)[0][0] if langs else "es"


def _is_source_tweet(
    segment: Mapping[str, Any], pairs: Sequence[Mapping[str, Any]], source: str
) -> bool:
    """As the `n_spanish_tweets` count has it (`align.tweet_is_source`): the tweet, or one
    of its sentences, is in the source language (an entity-only one too, though copied)."""
    return segment["kind"] == "tweet" and (
        segment["lang"] == source or any(p["src_lang"] == source for p in pairs)
    )


def _tweet_row(
    segment: Mapping[str, Any], pairs: Sequence[Mapping[str, Any]], titles: Mapping[str, str]
) -> TweetRow:
    """One tweet: its sentences' translations joined (copied ones as they are, a missing
    one as its status), the mean score of those translated."""
    entities = _entities(segment)
    english = " ".join(p["tgt_text"] or f"[{p['status']}]" for p in pairs)
    scores = [p["score"] for p in pairs if p["status"] == "translated" and p["score"] is not None]
    return TweetRow(
        anchor=_anchor(segment["segment_id"]),
        doc_title=titles.get(segment["doc_id"], segment["doc_id"]),
        author_name=segment["author_name"],
        author_handle=segment["author_handle"],
        posted_on=segment["posted_on"],
        lang=segment["lang"],
        lang_prob=segment["lang_prob"],
        original=mark_entities(segment["text"], entities),
        english=mark_entities(english, entities),
        score=_mean(scores),
        status=_tweet_status([p["status"] for p in pairs]) if pairs else "no sentences",
    )


def _context(
    segment: Mapping[str, Any],
    doc_segments: Sequence[Mapping[str, Any]],
    titles: Mapping[str, str],
    paths: Mapping[str, str],
) -> Context:
    """The tweet among the segments around it in its article."""
    return Context(
        anchor=_anchor(segment["segment_id"]),
        doc_title=titles.get(segment["doc_id"], segment["doc_id"]),
        source_path=paths.get(segment["doc_id"], ""),
        author_handle=segment["author_handle"],
        segments=tuple(
            ContextSegment(
                n["ordinal"],
                n["kind"],
                n["lang"],
                mark_entities(n["text"], _entities(n)),
                n["segment_id"] == segment["segment_id"],
            )
            for n in doc_segments
            if abs(n["ordinal"] - segment["ordinal"]) <= CONTEXT_SEGMENTS
        ),
    )


def build(root: Path, run_date: date) -> Report:
    """Read the committed rows of `run_date` and shape them for the page."""
    runs = _runs(root, run_date)
    if not runs:
        raise BilingualError(f"{root}: no committed run on {run_date}; see `bilingual report -h`")
    committed = datasets.committed_run_ids(root)
    documents = _partition(root, "documents", run_date, committed)
    segments = _partition(root, "segments", run_date, committed)
    pairs = _partition(root, "sentence_pairs", run_date, committed)
    rejects = _partition(root, "rejects", run_date, committed)
    source = source_language(pairs)

    titles = {d["doc_id"]: d["title"] or d["doc_id"] for d in documents}
    paths = {d["doc_id"]: d["source_path"] for d in documents}
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in segments:
        by_doc[s["doc_id"]].append(s)
    for doc_segments in by_doc.values():
        doc_segments.sort(key=lambda s: s["ordinal"])
    pairs_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in sorted(pairs, key=lambda p: (p["segment_id"], p["sentence_index"])):
        pairs_of[p["segment_id"]].append(p)

    spanish = [
        s
        for doc_id in sorted(by_doc, key=lambda d: (titles.get(d, d), d))
        for s in by_doc[doc_id]
        if _is_source_tweet(s, pairs_of[s["segment_id"]], source)
    ]
    tweets = [_tweet_row(s, pairs_of[s["segment_id"]], titles) for s in spanish]
    contexts = [_context(s, by_doc[s["doc_id"]], titles, paths) for s in spanish]

    statuses = Counter(p["status"] for p in pairs)
    tweets_all = [s for s in segments if s["kind"] == "tweet"]
    totals = (
        ("documents", len(documents)),
        ("segments", len(segments)),
        ("tweets", len(tweets_all)),
        (f"tweets in {source}", len(spanish)),
        *((f"sentences {status}", statuses[status]) for status in sorted(statuses)),
        ("rejected inputs", len(rejects)),
    )
    return Report(
        run_date=run_date,
        out=str(root),
        runs=tuple(runs),
        totals=totals,
        charts=_charts(segments, spanish, pairs, titles, source),
        tweets=tuple(tweets),
        contexts=tuple(contexts),
        rejects=tuple(sorted(rejects, key=lambda r: r["source_path"])),
        source_lang=source,
    )


def _top(counter: Counter[str], limit: int = TOP) -> tuple[list[tuple[str, int]], str]:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    note = f"top {limit} of {len(items)}" if len(items) > limit else ""
    return items[:limit], note


def _charts(
    segments: Sequence[Mapping[str, Any]],
    spanish: Sequence[Mapping[str, Any]],
    pairs: Sequence[Mapping[str, Any]],
    titles: Mapping[str, str],
    source: str,
) -> tuple[Chart, ...]:
    # segments by kind and language: the most frequent languages, the rest as "other"
    lang_counts = Counter(s["lang"] for s in segments)
    shown = [lang for lang, _ in lang_counts.most_common(TOP_LANGUAGES)]
    kinds = [k for k in SEGMENT_KINDS if any(s["kind"] == k for s in segments)]
    by_kind_lang = Counter(
        (s["kind"], s["lang"] if s["lang"] in shown else "other") for s in segments
    )
    series = {
        lang: [by_kind_lang[(k, lang)] for k in kinds]
        for lang in [*shown, *(["other"] if len(lang_counts) > len(shown) else [])]
    }
    per_article, article_note = _top(Counter(_short(titles[s["doc_id"]]) for s in spanish))
    per_author, author_note = _top(
        Counter(f"@{s['author_handle']}" if s["author_handle"] else "(no handle)" for s in spanish)
    )
    tweets = [s for s in segments if s["kind"] == "tweet" and s["lang"] != "und"]
    probabilities = {
        source: [s["lang_prob"] for s in tweets if s["lang"] == source],
        "other languages": [s["lang_prob"] for s in tweets if s["lang"] != source],
    }
    scores: dict[str, list[float]] = defaultdict(list)
    for p in pairs:
        if p["status"] == "translated" and p["score"] is not None:
            scores[p["engine"] or "none"].append(p["score"])
    engines = sorted({p["engine"] or "none" for p in pairs if p["status"] != "copied"})
    statuses = sorted({p["status"] for p in pairs if p["status"] != "copied"})
    by_engine = Counter(
        (p["engine"] or "none", p["status"]) for p in pairs if p["status"] != "copied"
    )
    return (
        Chart(
            "Segments by kind and language",
            "",
            report_charts.stacked_bars(kinds, series, "segments"),
        ),
        Chart(
            f"Tweets in {source} per article",
            article_note,
            report_charts.bars(per_article, "tweets"),
        ),
        Chart(
            f"Tweets in {source} per author",
            author_note,
            report_charts.bars(per_author, "tweets"),
        ),
        Chart(
            "Detector probability of tweets",
            "the top language's probability; tweets too short to judge (und) left out",
            report_charts.histogram(probabilities, "probability"),
        ),
        Chart(
            "Translation scores",
            "per engine: Apertium, share of known words; Argos, length-normalised log-probability",
            report_charts.histogram(scores, "score"),
        ),
        Chart(
            "Engines used",
            f"sentences in {source} by engine and status",
            report_charts.stacked_bars(
                engines,
                {st: [by_engine[(e, st)] for e in engines] for st in statuses},
                "sentences",
            ),
        ),
    )


# --- rendering --------------------------------------------------------------------------


def render(report: Report) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    script = (TEMPLATES / "filter.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return env.get_template("report.html.j2").render(
        report=report,
        script=script,
        script_hash=f"sha256-{digest}",
        pipeline_version=PIPELINE_VERSION,
        context_segments=CONTEXT_SEGMENTS,
    )


def write_report(root: Path, run_date: date | None = None, dest: Path | None = None) -> Path:
    """Render the report of `run_date` (default: the latest) to `dest` (default: its place
    under `<root>/reports/`), atomically. Returns the path written."""
    run_date = run_date or latest_run_date(root)
    html = render(build(root, run_date))
    path = dest or report_path(root, run_date)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise BilingualError(f"{path}: cannot write the report ({exc.strerror})") from None
    return path
