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
import json
import os
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows import PIPELINE_VERSION
from flows.errors import BilingualError
from flows.records import SEGMENT_KINDS
from flows.store import datasets
from flows.views import report_charts

if TYPE_CHECKING:
    from jinja2 import Environment

REPORTS = datasets.REPORTS
TEMPLATES = Path(__file__).resolve().parent / "templates"
CONTEXT_SEGMENTS = 2  # segments shown before and after a tweet in its context
TOP = 15  # bars in the per-article and per-author charts
TOP_LANGUAGES = 5
# Tweets listed (with their contexts) at most: a day of 20,000 articles has some 20,000
# Spanish tweets, a page too long to read and too large to hold while it is written.
LISTED_TWEETS = 2000


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
    tweets: tuple[str, ...]  # the first LISTED_TWEETS, as table rows (HTML)
    tweets_total: int
    contexts: tuple[str, ...]  # theirs (HTML)
    rejects: tuple[dict[str, Any], ...]
    credits_missed: tuple[tuple[str, int], ...]  # inputs with text like a tweet's credit left
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


def _partition_files(root: Path, dataset: str, run_date: date, committed: set[str]) -> list[Path]:
    """The files of one `run_date` partition written by runs that committed."""
    folder = datasets.partition_dir(root, dataset, run_date)
    return [p for p in sorted(folder.glob("part-*.parquet")) if datasets.run_id_of(p) in committed]


def _table(
    path: Path, names: Sequence[str], where: tuple[str, Collection[str]] | None = None
) -> pa.Table:
    """One file with only the columns `names` (one a file lacks, written by an older
    version, as nulls); `where=(column, values)` keeps the rows whose `column` is one of
    `values`. One file at a time, so a report never holds a whole day's rows."""
    present = set(datasets.read_schema(path).names)
    table = datasets.read_part(path, [n for n in names if n in present])
    if where is not None:
        keys = pa.array(sorted(where[1]), pa.string())
        table = table.filter(pc.is_in(table.column(where[0]), value_set=keys))
    for name in names:
        if name not in present:
            table = table.append_column(name, pa.nulls(table.num_rows))
    return table.select(list(names))


def _partition(
    root: Path,
    dataset: str,
    run_date: date,
    committed: set[str],
    names: Sequence[str],
    where: tuple[str, Collection[str]] | None = None,
) -> Iterator[pa.Table]:
    """One `run_date` partition from runs that committed, file by file."""
    for path in _partition_files(root, dataset, run_date, committed):
        yield _table(path, names, where)


def _rows(tables: Iterable[pa.Table]) -> Iterator[list[dict[str, Any]]]:
    """Each table's rows as dicts."""
    return (table.to_pylist() for table in tables)


def _grouped(
    parts: Iterable[list[dict[str, Any]]], key: str, order: str
) -> dict[str, list[dict[str, Any]]]:
    """The rows of `parts` grouped by their `key` column, each group sorted by `order`."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rows in parts:
        for row in rows:
            groups[row[key]].append(row)
    for group in groups.values():
        group.sort(key=lambda row: row[order])
    return groups


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
    longest_first = sorted(kinds, key=len, reverse=True)
    pieces: list[Piece] = []
    at = 0
    while True:
        # The leftmost occurrence, the longest at a tie (a regex alternation's choice, without
        # compiling one per tweet: 13,700 of them took 2.3 s of a 5,000-article report).
        found = [(start, -len(e), e) for e in longest_first if (start := text.find(e, at)) >= 0]
        if not found:
            break
        start, _, entity = min(found)
        if start > at:
            pieces.append(Piece(text[at:start]))
        pieces.append(Piece(entity, kinds[entity]))
        at = start + len(entity)
    if at < len(text) or not kinds:
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


SEGMENT_COLUMNS = ("doc_id", "segment_id", "ordinal", "kind", "lang", "lang_prob", "author_handle")
ENTITY_COLUMNS = ("urls", "mentions", "hashtags")
FULL_SEGMENT_COLUMNS = (*SEGMENT_COLUMNS, "text", "author_name", "posted_on", *ENTITY_COLUMNS)
COUNTED_PAIR_COLUMNS = ("segment_id", "src_lang", "status", "score", "engine")
PAIR_COLUMNS = (*COUNTED_PAIR_COLUMNS, "sentence_index", "tgt_text")
REJECT_COLUMNS = ("source_path", "reason_code", "message")


@dataclass
class Day:
    """What the charts and totals need of a day's segments and sentence pairs, counted file
    by file; the source-language tweets as keys (`doc_id`, `ordinal`, `segment_id`,
    `author_handle`), so that only the listed ones are read whole."""

    segments: int = 0
    tweets: int = 0
    kind_lang: Counter[tuple[str, str]] = field(default_factory=Counter)
    probabilities: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    source_tweets: list[tuple[str, int, str, str | None]] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    scores: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_engine: Counter[tuple[str, str]] = field(default_factory=Counter)


def _count_day(root: Path, run_date: date, committed: set[str], source: str) -> Day:
    """The day's counts, its pairs read before its segments (a tweet with a sentence in
    `source` counts as one in `source`)."""
    day = Day()
    in_source: set[str] = set()
    for rows in _rows(
        _partition(root, "sentence_pairs", run_date, committed, COUNTED_PAIR_COLUMNS)
    ):
        for p in rows:
            day.statuses[p["status"]] += 1
            if p["src_lang"] == source:
                in_source.add(p["segment_id"])
            if p["status"] == "translated" and p["score"] is not None:
                day.scores[p["engine"] or "none"].append(p["score"])
            if p["status"] != "copied":
                day.by_engine[(p["engine"] or "none", p["status"])] += 1
    for table in _partition(root, "segments", run_date, committed, SEGMENT_COLUMNS):
        # Counted in Arrow: only tweets (a fifth of the segments) become Python rows.
        day.segments += table.num_rows
        counts = table.group_by(["kind", "lang"]).aggregate([([], "count_all")])
        for c in sorted(counts.to_pylist(), key=lambda c: (c["kind"], c["lang"] or "")):
            day.kind_lang[(c["kind"], c["lang"])] += c["count_all"]
        for s in table.filter(pc.equal(table.column("kind"), "tweet")).to_pylist():
            day.tweets += 1
            if s["lang"] != "und":
                group = source if s["lang"] == source else "other languages"
                day.probabilities[group].append(s["lang_prob"])
            # as the `n_spanish_tweets` count has it (`align.tweet_is_source`): the tweet, or
            # one of its sentences, is in the source language (an entity-only one too)
            if s["lang"] == source or s["segment_id"] in in_source:
                day.source_tweets.append(
                    (s["doc_id"], s["ordinal"], s["segment_id"], s["author_handle"])
                )
    return day


def _source_language(root: Path, run_date: date, committed: set[str]) -> Counter[str]:
    """The languages the runs `committed` translated from: those of their sentences that
    were not copied, counted (the day's source is the most common; `es`, the command
    line's default, when there were none)."""
    langs: Counter[str] = Counter()
    for rows in _rows(
        _partition(root, "sentence_pairs", run_date, committed, ("src_lang", "status"))
    ):
        langs.update(p["src_lang"] for p in rows if p["status"] != "copied")
    return langs


def _most_common(langs: Counter[str]) -> str:
    return langs.most_common(1)[0][0] if langs else "es"


TweetKey = tuple[str, str, int]  # (title, doc_id, ordinal): the order tweets are listed in


@dataclass
class RunPart:
    """What the day's report needs of one run's rows, counted once, at the run's commit, and
    kept as JSON under `aggregates/`: the day's report merges its runs' parts instead of
    reading the day's rows (a run's start-up then does not grow with the day's history).
    `source` is the language its tweets were counted as source in."""

    source: str
    langs: Counter[str]
    documents: int
    missed: list[tuple[str, int]]
    rejects: list[dict[str, Any]]
    day: Day
    titles: dict[str, str]  # of the documents with a source-language tweet
    # its first LISTED_TWEETS, each as its table row and its context (HTML: `_rendered`)
    listed: list[tuple[TweetKey, str, str]]


def count_runs(root: Path, run_date: date, runs: set[str], source: str | None = None) -> RunPart:
    """Read the rows of the `runs` on `run_date` (only their own files) into their part of
    the day's report; tweets counted with `source` (default: their own, most common)."""
    langs = _source_language(root, run_date, runs)
    source = source or _most_common(langs)
    titles: dict[str, str] = {}
    paths: dict[str, str] = {}
    missed: list[tuple[str, int]] = []  # (input, tweet credits that became no tweet)
    columns = ("doc_id", "title", "source_path", "n_credits_missed")
    for rows in _rows(_partition(root, "documents", run_date, runs, columns)):
        for d in rows:
            titles[d["doc_id"]] = d["title"] or d["doc_id"]
            paths[d["doc_id"]] = d["source_path"]
            if d["n_credits_missed"]:
                missed.append((d["source_path"], d["n_credits_missed"]))
    rejects = [
        r
        for rows in _rows(_partition(root, "rejects", run_date, runs, REJECT_COLUMNS))
        for r in rows
    ]
    day = _count_day(root, run_date, runs, source)
    # documents in title order, their tweets in document order
    day.source_tweets.sort(key=lambda t: (titles.get(t[0], t[0]), t[0], t[1]))
    first = day.source_tweets[:LISTED_TWEETS]
    listed = _listed(root, run_date, runs, first, titles, paths, source)
    with_tweets = {t[0] for t in day.source_tweets}
    return RunPart(
        source=source,
        langs=langs,
        documents=len(titles),
        missed=missed,
        rejects=rejects,
        day=day,
        titles={d: titles[d] for d in with_tweets if d in titles},
        listed=listed,
    )


def _listed(
    root: Path,
    run_date: date,
    runs: set[str],
    listed: Sequence[tuple[str, int, str, str | None]],
    titles: Mapping[str, str],
    paths: Mapping[str, str],
    source: str,
) -> list[tuple[TweetKey, str, str]]:
    """The tweets `listed` with their translations and contexts, rendered: only their
    articles' rows read whole."""
    macros = _environment().get_template("report_rows.html.j2").module
    doc_ids = {t[0] for t in listed}
    by_doc = _grouped(
        _rows(
            _partition(root, "segments", run_date, runs, FULL_SEGMENT_COLUMNS, ("doc_id", doc_ids))
        ),
        "doc_id",
        "ordinal",
    )
    segment_ids = {t[2] for t in listed}
    pairs_of = _grouped(
        _rows(
            _partition(
                root, "sentence_pairs", run_date, runs, PAIR_COLUMNS, ("segment_id", segment_ids)
            )
        ),
        "segment_id",
        "sentence_index",
    )
    segment_of = {s["segment_id"]: s for doc in by_doc.values() for s in doc}
    rows = []
    for doc_id, ordinal, segment_id, _ in listed:
        s = segment_of[segment_id]
        key = (titles.get(doc_id, doc_id), doc_id, ordinal)
        tweet = _tweet_row(s, pairs_of[segment_id], titles)
        context = _context(s, by_doc[doc_id], titles, paths)
        row_html = str(macros.tweet_row(tweet, source)).strip()  # type: ignore[attr-defined]
        rows.append((key, row_html, str(macros.context(context)).strip()))  # type: ignore[attr-defined]
    return rows


def save_run_part(root: Path, run_date: date, run_id: str) -> Path:
    """Count the committed run `run_id` (its own rows only) and keep its part of the day's
    report under `aggregates/`, atomically. Returns the path written."""
    path = datasets.aggregate_path(root, run_date, run_id)
    text = json.dumps(_part_json(count_runs(root, run_date, {run_id})), ensure_ascii=False)
    tmp = datasets.temporary_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    return path


def load_run_part(root: Path, run_date: date, run_id: str) -> RunPart | None:
    """The kept part of the run `run_id`; None when there is none (a run of an older
    version, one whose files were rewritten since) or it cannot be read."""
    path = datasets.aggregate_path(root, run_date, run_id)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("version") != PART_VERSION:
            return None
        return _part_from_json(raw)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # counted again from the run's rows: slower, the same report


PART_VERSION = f"2/{PIPELINE_VERSION}"


def _part_json(part: RunPart) -> dict[str, Any]:
    day = part.day
    return {
        "version": PART_VERSION,
        "source": part.source,
        "langs": dict(part.langs),
        "documents": part.documents,
        "missed": part.missed,
        "rejects": part.rejects,
        "titles": part.titles,
        "segments": day.segments,
        "tweets": day.tweets,
        "kind_lang": [[k, lang, n] for (k, lang), n in day.kind_lang.items()],
        "probabilities": dict(day.probabilities),
        "source_tweets": day.source_tweets,
        "statuses": dict(day.statuses),
        "scores": dict(day.scores),
        "by_engine": [[e, st, n] for (e, st), n in day.by_engine.items()],
        "listed": part.listed,
    }


def _part_from_json(raw: dict[str, Any]) -> RunPart:
    day = Day(
        segments=raw["segments"],
        tweets=raw["tweets"],
        kind_lang=Counter({(k, lang): n for k, lang, n in raw["kind_lang"]}),
        probabilities=defaultdict(list, raw["probabilities"]),
        source_tweets=[(d, o, s, h) for d, o, s, h in raw["source_tweets"]],
        statuses=Counter(raw["statuses"]),
        scores=defaultdict(list, raw["scores"]),
        by_engine=Counter({(e, st): n for e, st, n in raw["by_engine"]}),
    )
    return RunPart(
        source=raw["source"],
        langs=Counter(raw["langs"]),
        documents=raw["documents"],
        missed=[(p, n) for p, n in raw["missed"]],
        rejects=raw["rejects"],
        day=day,
        titles=raw["titles"],
        listed=[((k[0], k[1], k[2]), str(t), str(c)) for k, t, c in raw["listed"]],
    )


def _kind_lang(key: tuple[str, str]) -> tuple[str, str]:
    return (key[0], key[1] or "")


def _merge(parts: Sequence[RunPart], source: str) -> RunPart:
    """The day: its runs' parts added up, the first LISTED_TWEETS of their listed tweets."""
    day = Day()
    titles: dict[str, str] = {}
    for part in parts:
        titles.update(part.titles)
        d = part.day
        day.segments += d.segments
        day.tweets += d.tweets
        day.kind_lang.update(d.kind_lang)
        for group, values in d.probabilities.items():
            day.probabilities[group].extend(values)
        day.source_tweets.extend(d.source_tweets)
        day.statuses.update(d.statuses)
        for engine, values in d.scores.items():
            day.scores[engine].extend(values)
        day.by_engine.update(d.by_engine)
    day.source_tweets.sort(key=lambda t: (titles.get(t[0], t[0]), t[0], t[1]))
    day.kind_lang = Counter(dict(sorted(day.kind_lang.items(), key=lambda kv: _kind_lang(kv[0]))))
    listed = sorted((row for part in parts for row in part.listed), key=lambda r: r[0])
    return RunPart(
        source=source,
        langs=sum((p.langs for p in parts), Counter()),
        documents=sum(p.documents for p in parts),
        missed=[m for p in parts for m in p.missed],
        rejects=[r for p in parts for r in p.rejects],
        day=day,
        titles=titles,
        listed=listed[:LISTED_TWEETS],
    )


def build(root: Path, run_date: date, *, from_rows: bool = False) -> Report:
    """The report of `run_date` from its runs' parts (each kept at its run's commit, else
    counted from its rows), or (`from_rows`) counted from the day's rows at once: counts and
    charts over every row; the first `LISTED_TWEETS` source-language tweets (by article
    title) listed with their contexts."""
    runs = _runs(root, run_date)
    if not runs:
        raise BilingualError(f"{root}: no committed run on {run_date}; see `bilingual report -h`")
    from markupsafe import Markup  # Jinja's, loaded with it (start-up time)

    run_ids = [r["run_id"] for r in runs]
    if from_rows:
        day = count_runs(root, run_date, set(run_ids))
        day.listed = day.listed[:LISTED_TWEETS]
        source = day.source
    else:
        parts = [
            load_run_part(root, run_date, i) or count_runs(root, run_date, {i}) for i in run_ids
        ]
        source = _most_common(sum((p.langs for p in parts), Counter()))
        parts = [
            p if p.source == source else count_runs(root, run_date, {i}, source)
            for i, p in zip(run_ids, parts, strict=True)
        ]
        day = _merge(parts, source)
    totals = (
        ("documents", day.documents),
        ("segments", day.day.segments),
        ("tweets", day.day.tweets),
        (f"tweets in {source}", len(day.day.source_tweets)),
        *((f"sentences {status}", day.day.statuses[status]) for status in sorted(day.day.statuses)),
        ("rejected inputs", len(day.rejects)),
        ("tweet credits not read as tweets", sum(n for _, n in day.missed)),
    )
    return Report(
        run_date=run_date,
        out=str(root),
        runs=tuple(runs),
        totals=totals,
        charts=_charts(day.day, day.titles, source),
        tweets=tuple(Markup(t) for _, t, _ in day.listed),  # rendered at the runs' commits
        tweets_total=len(day.day.source_tweets),
        contexts=tuple(Markup(c) for _, _, c in day.listed),
        rejects=tuple(sorted(day.rejects, key=lambda r: r["source_path"])),
        credits_missed=tuple(sorted(day.missed)),
        source_lang=source,
    )


def _top(counter: Counter[str], limit: int = TOP) -> tuple[list[tuple[str, int]], str]:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    note = f"top {limit} of {len(items)}" if len(items) > limit else ""
    return items[:limit], note


def _charts(day: Day, titles: Mapping[str, str], source: str) -> tuple[Chart, ...]:
    # segments by kind and language: the most frequent languages, the rest as "other"
    lang_counts: Counter[str] = Counter()
    for (_, lang), n in day.kind_lang.items():
        lang_counts[lang] += n
    shown = [lang for lang, _ in lang_counts.most_common(TOP_LANGUAGES)]
    kinds = [k for k in SEGMENT_KINDS if any(kind == k for kind, _ in day.kind_lang)]
    by_kind_lang: Counter[tuple[str, str]] = Counter()
    for (kind, lang), n in day.kind_lang.items():
        by_kind_lang[(kind, lang if lang in shown else "other")] += n
    series = {
        lang: [by_kind_lang[(k, lang)] for k in kinds]
        for lang in [*shown, *(["other"] if len(lang_counts) > len(shown) else [])]
    }
    tweets = day.source_tweets
    per_article, article_note = _top(Counter(_short(titles[t[0]]) for t in tweets))
    per_author, author_note = _top(Counter(f"@{t[3]}" if t[3] else "(no handle)" for t in tweets))
    probabilities = {
        source: day.probabilities[source],
        "other languages": day.probabilities["other languages"],
    }
    engines = sorted({e for e, _ in day.by_engine})
    statuses = sorted({st for _, st in day.by_engine})
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
            report_charts.histogram(dict(day.scores), "score"),
        ),
        Chart(
            "Engines used",
            f"sentences in {source} by engine and status",
            report_charts.stacked_bars(
                engines,
                {st: [day.by_engine[(e, st)] for e in engines] for st in statuses},
                "sentences",
            ),
        ),
    )


# --- rendering --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # jinja2: only when a report is written
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(report: Report) -> str:
    env = _environment()
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
    tmp = datasets.temporary_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)  # a full disk leaves no half report behind
        raise BilingualError(f"{path}: cannot write the report ({exc.strerror})") from None
    return path
