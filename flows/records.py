"""The typed records that flow between stages. Small, frozen, and free of Prefect.

Each record a dataset stores has its Arrow schema right after it (built on first use, so that
importing the records does not import pyarrow), and `row_of` builds a row from the record's
own fields by column name: a column added to a record and its schema needs nothing else."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from flows import PIPELINE_VERSION, languages

if TYPE_CHECKING:
    import pyarrow as pa

SEGMENT_KINDS = ("title", "subtitle", "heading", "paragraph", "tweet", "boilerplate")
PAIR_STATUSES = ("translated", "pending", "failed", "copied")


@dataclass(frozen=True)
class Span:
    """Half-open character range `[start, end)` into the normalised document text."""

    start: int
    end: int


@dataclass(frozen=True)
class Embed:
    """A tweet embedded in an HTML page, as its embed markup gives it: exact text, author,
    handle, date as written, status URL and id, and Twitter's own `lang` attribute (evidence
    beside the detector's decision, never the decision); `start`/`end` locate its text in
    the article's normalised text (None: not found there)."""

    text: str
    author_name: str | None = None
    author_handle: str | None = None
    date_text: str | None = None
    url: str | None = None
    tweet_id: str | None = None
    lang: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Article:
    """One ingested input (a file, or one record of a JSONL/JSON/CSV/Parquet file): normalised
    text and where it came from. `source_path` names the input: the file, or for a record
    `<file>#<row>` (the key a re-run recognises it by); `source_row` is that row (JSONL: its
    line; JSON, CSV, Parquet: its record number, from 1), `source_id` and `source_url` the
    record's own id and URL when it has them."""

    doc_id: str
    source_path: str
    text: str
    content_sha256: str
    encoding: str
    encoding_confidence: float = 1.0  # 1.0 unless the encoding was guessed (see ingest.decode)
    source_row: int | None = None
    source_id: str | None = None
    source_url: str | None = None
    embeds: tuple[Embed, ...] = ()  # an HTML page's embedded tweets

    @property
    def source_file(self) -> str:
        """The file the article was read from."""
        return file_of(self.source_path, self.source_row)


@dataclass(frozen=True)
class Reject:
    """An input that could not become a document, with a machine-readable reason code; a
    record's reject names it as an `Article` does (`<file>#<row>`, `source_row`)."""

    source_path: str
    reason_code: str
    message: str
    source_row: int | None = None

    @property
    def source_file(self) -> str:
        """The file the input was read from."""
        return file_of(self.source_path, self.source_row)


def record_path(file: str, row: int) -> str:
    """The `source_path` of the record at `row` of `file`."""
    return f"{file}#{row}"


def file_of(source_path: str, row: int | None) -> str:
    """The file of an input's `source_path` (itself for a whole file)."""
    return source_path if row is None else source_path.removesuffix(f"#{row}")


@cache
def rejects_schema() -> pa.Schema:
    """`rejects`: a `Reject` and the run that found it."""
    # pyarrow: start-up of commands that read no dataset
    import pyarrow as pa

    return pa.schema(
        [
            ("source_path", pa.string()),
            ("reason_code", pa.string()),
            ("message", pa.string()),
            ("source_row", pa.int64()),
            ("run_id", pa.string()),
        ]
    )


@dataclass(frozen=True)
class LangDecision:
    """A language decision: top language (ISO 639-1, or `und`), its probability, the
    candidate list and, for `und` or an overridden decision, the reason."""

    lang: str
    prob: float
    candidates: tuple[tuple[str, float], ...] = ()
    reason: str | None = None


UNDETERMINED = LangDecision("und", 0.0, (), "empty")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a segment; `start`/`end` index the normalised document."""

    index: int
    text: str
    start: int
    end: int
    lang: LangDecision = UNDETERMINED


@dataclass(frozen=True)
class Segment:
    """A typed piece of an article in document order. A tweet's attribution line is
    metadata (author, handle, date), never part of `text`."""

    doc_id: str
    ordinal: int
    kind: str
    text: str
    spans: tuple[Span, ...]
    sentences: tuple[Sentence, ...] = ()
    lang: LangDecision = UNDETERMINED
    author_name: str | None = None
    author_handle: str | None = None
    posted_on: date | None = None
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    note: str | None = None
    embed_lang: str | None = None  # an HTML embed's own `lang` attribute (evidence only)
    tweet_url: str | None = None  # a tweet's status URL, when its embed gives it

    @property
    def segment_id(self) -> str:
        return f"{self.doc_id}:{self.ordinal:04d}"


@cache
def segments_schema() -> pa.Schema:
    """`segments`: a `Segment`, its language decision spelled out (`lang`, `lang_prob`,
    `lang_reason`, `lang_candidates`; an HTML embed's own `lang` apart, `embed_lang`) and the
    run that wrote it. Its sentences are in
    `sentence_pairs`."""
    # pyarrow: start-up of commands that read no dataset
    import pyarrow as pa

    strings = pa.list_(pa.string())
    return pa.schema(
        [
            ("doc_id", pa.string()),
            ("segment_id", pa.string()),
            ("ordinal", pa.int32()),
            ("kind", pa.string()),
            ("text", pa.string()),
            ("spans", pa.list_(pa.struct([("start", pa.int32()), ("end", pa.int32())]))),
            ("lang", pa.string()),
            ("lang_prob", pa.float64()),
            ("lang_reason", pa.string()),
            (
                "lang_candidates",
                pa.list_(pa.struct([("lang", pa.string()), ("prob", pa.float64())])),
            ),
            ("author_name", pa.string()),
            ("author_handle", pa.string()),
            ("posted_on", pa.date32()),
            ("hashtags", strings),
            ("mentions", strings),
            ("urls", strings),
            ("note", pa.string()),
            ("embed_lang", pa.string()),
            ("tweet_url", pa.string()),
            ("run_id", pa.string()),
        ]
    )


@dataclass(frozen=True)
class Translation:
    """An engine's output for one sentence; `score` is engine-specific (see each engine)."""

    text: str
    score: float | None = None


@dataclass(frozen=True)
class SentencePair:
    """One source sentence aligned with its translation (or carried over unchanged)."""

    doc_id: str
    segment_id: str
    sentence_index: int
    src_lang: str
    src_lang_prob: float
    src_text: str
    src_start: int
    src_end: int
    tgt_lang: str
    tgt_text: str | None
    status: str
    engine: str | None
    model_id: str | None
    score: float | None
    from_cache: bool = False
    engine_signature: str | None = None


@cache
def sentence_pairs_schema() -> pa.Schema:
    """`sentence_pairs`: a `SentencePair` and the run that wrote it."""
    # pyarrow: start-up of commands that read no dataset
    import pyarrow as pa

    return pa.schema(
        [
            ("doc_id", pa.string()),
            ("segment_id", pa.string()),
            ("sentence_index", pa.int32()),
            ("src_lang", pa.string()),
            ("src_lang_prob", pa.float64()),
            ("src_text", pa.string()),
            ("src_start", pa.int32()),
            ("src_end", pa.int32()),
            ("tgt_lang", pa.string()),
            ("tgt_text", pa.string()),
            ("status", pa.string()),
            ("engine", pa.string()),
            ("model_id", pa.string()),
            ("score", pa.float64()),
            ("from_cache", pa.bool_()),
            ("engine_signature", pa.string()),
            ("run_id", pa.string()),
        ]
    )


@dataclass(frozen=True)
class ProcessedDocument:
    """An article after segmentation and detection."""

    article: Article
    segments: tuple[Segment, ...]
    lang: LangDecision = field(default=UNDETERMINED)

    @property
    def title(self) -> str | None:
        return next((s.text for s in self.segments if s.kind == "title"), None)


@cache
def documents_schema() -> pa.Schema:
    """`documents`: a `ProcessedDocument`'s article (where it came from: `source_path`, and for
    a record its file, row, id and URL), title, language and counts, among them
    `n_credits_missed`: text that reads like a tweet's credit but did not become a tweet."""
    # pyarrow: start-up of commands that read no dataset
    import pyarrow as pa

    return pa.schema(
        [
            ("doc_id", pa.string()),
            ("source_path", pa.string()),
            ("source_file", pa.string()),
            ("source_row", pa.int64()),
            ("source_id", pa.string()),
            ("source_url", pa.string()),
            ("title", pa.string()),
            ("content_sha256", pa.string()),
            ("encoding", pa.string()),
            ("encoding_confidence", pa.float64()),
            ("lang", pa.string()),
            ("lang_prob", pa.float64()),
            ("n_chars", pa.int32()),
            ("n_segments", pa.int32()),
            ("n_tweets", pa.int32()),
            ("n_spanish_tweets", pa.int32()),
            ("n_credits_missed", pa.int32()),
            ("run_id", pa.string()),
        ]
    )


def row_of(schema: pa.Schema, *records: object, **derived: Any) -> dict[str, Any]:
    """A row of `schema`: each column from `derived` when given, else from the first of
    `records` with an attribute of that name (records as dicts, tuples as lists). A column
    nothing provides is an error, never a silent null."""
    plan = _row_plan(tuple(schema.names), tuple(map(type, records)), frozenset(derived))
    return {
        name: derived[name] if source is None else _plain(getattr(records[source], name))
        for name, source in plan
    }


@cache
def _row_plan(
    names: tuple[str, ...], types: tuple[type, ...], derived: frozenset[str]
) -> tuple[tuple[str, int | None], ...]:
    """Each column of a row with the index of the record it comes from (None: derived).
    Worked out once per schema and record types: a run builds millions of rows."""
    plan: list[tuple[str, int | None]] = []
    for name in names:
        if name in derived:
            plan.append((name, None))
            continue
        source = next((i for i, t in enumerate(types) if _has_field(t, name)), None)
        if source is None:
            raise KeyError(f"no value for column {name!r}")
        plan.append((name, source))
    return tuple(plan)


def _has_field(record_type: type, name: str) -> bool:
    if is_dataclass(record_type):
        return name in _field_names(record_type) or hasattr(record_type, name)
    return hasattr(record_type, name)


@cache
def _field_names(record_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record_type))


_SCALARS = frozenset({str, int, float, bool, type(None), date})


def _plain(value: Any) -> Any:
    """`value` as Arrow takes it: records as dicts, tuples as lists, all the way down."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return [_plain(v) for v in value]
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    if is_dataclass(kind):
        return {name: _plain(getattr(value, name)) for name in _field_names(kind)}
    return value


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
    # pyarrow: start-up of commands that read no dataset
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
