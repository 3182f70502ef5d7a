"""The typed records that flow between stages. Small, frozen, and free of Prefect."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SEGMENT_KINDS = ("title", "subtitle", "heading", "paragraph", "tweet", "boilerplate")
PAIR_STATUSES = ("translated", "pending", "failed", "copied")


@dataclass(frozen=True)
class Span:
    """Half-open character range `[start, end)` into the normalised document text."""

    start: int
    end: int


@dataclass(frozen=True)
class Article:
    """One ingested input file: normalised text and where it came from."""

    doc_id: str
    source_path: str
    text: str
    content_sha256: str
    encoding: str
    encoding_confidence: float = 1.0  # 1.0 unless the encoding was guessed (see ingest.decode)


@dataclass(frozen=True)
class Reject:
    """An input that could not become a document, with a machine-readable reason code."""

    source_path: str
    reason_code: str
    message: str


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

    @property
    def segment_id(self) -> str:
        return f"{self.doc_id}:{self.ordinal:04d}"


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


@dataclass(frozen=True)
class ProcessedDocument:
    """An article after segmentation and detection."""

    article: Article
    segments: tuple[Segment, ...]
    lang: LangDecision = field(default=UNDETERMINED)

    @property
    def title(self) -> str | None:
        return next((s.text for s in self.segments if s.kind == "title"), None)
