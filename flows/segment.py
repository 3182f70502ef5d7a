"""Segment stage: an article's lines → typed segments in document order, each with spans
into the normalised text. Embedded tweets are found from their attribution line
(`— Display Name (@handle) Month D, YYYY`), which becomes metadata, never tweet text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from flows import attribution, entities, tweet_extent
from flows.detect import detect
from flows.records import Article, Segment, Sentence, Span
from flows.sentences import split_spans
from flows.tweet_extent import TWEET_MAX_CHARS, has_words, hashtags_only, tweet_length

BOILERPLATE_RE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"related (content|articles?|stories|posts)",
        r"(leave|post|add) a comment:?",
        r"join the discussion!?( leave a comment\.?)?",
        r"comments? are closed\.?",
        r"\d[\d,.]*k?\s+(shares?|comments?|likes?|views?)",
        r"(share|tweet|email|print)( this)?( article| story| post)?:?",
        r"(follow|like) us on (twitter|facebook|instagram)[!.]?.*",
        r"(sign up|subscribe) (for|to) .*newsletter.*",
        r"(advertisement|sponsored content|read more:?|click here.*|skip to content)",
        r"\[?(image|photo|video) (via|credit|courtesy)[^\]]*\]?",
        r"(comparte|compartir) (esta|la) (nota|noticia|publicación)[!.:]?",
        r"(deja|escribe) (un|tu) comentario:?.*",
        r"(síguenos|siguenos) en .*",
        r"(publicidad|lee también:?|te puede interesar:?)",
        r"(contenido|noticias|artículos) relacionad[oa]s",
        r"los comentarios están cerrados\.?",
        r".*\bprivacy policy\b.*\bterms of (use|service)\b.*",
        r"(you (may|can) )?(opt|unsubscribe) out at any ?time\.?",
        r"completing this poll grants you access\b.*",
        r"email \*|name \*",
        r"comments this field is for validation purposes.*",
        r"(this|el) (article|artículo) (was|fue) (originally )?(published|publicado).*",
    )
]
HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 10


REPORTING_RE = re.compile(
    r"\b(tweeted|tweets|wrote|writes|said|says|told|reports?|reported|according to|posted|"
    r"tuiteó|escribió|dijo|publicó|afirmó|señaló)\b",
    re.IGNORECASE,
)


# An article quoting the tweet: a line opening or closing a quotation.
QUOTED_RE = re.compile(r"^[“«]|[”»][.,!?]?$")


@dataclass(frozen=True)
class Line:
    """A non-blank line with its document offsets; `block` counts the blank lines before it,
    so two lines with the same `block` have no blank line between them."""

    start: int
    end: int
    text: str
    block: int


@dataclass(frozen=True)
class Found:
    """An attribution found on line `line`. `text_start`/`text_end` bound the tweet text on
    that same line (empty when `text_start == text_end`); `rest_start` is where article text
    resumes after the date on that line, if it does."""

    line: int
    text_start: int
    text_end: int
    rest_start: int | None
    name: str | None
    handle: str
    posted_on: date | None
    date_unreadable: bool
    date_line: int | None  # the line holding the date, when it stands on its own


def lines_of(text: str) -> list[Line]:
    """The non-blank lines of `text` with their document offsets, blanks trimmed."""
    out: list[Line] = []
    pos, block = 0, 0
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Line(s, e, text[s:e], block))
        elif out:
            block += 1
        pos += len(raw) + 1
    return out


def find_attribution(lines: list[Line], i: int) -> Found | None:
    """The tweet attribution on line `i`, if there is one."""
    line = lines[i]
    att = attribution.find(line.text)
    if att is None:
        return None
    posted_on, unreadable, date_line = att.posted_on, att.date_unreadable, None
    if att.date_written is None and i + 1 < len(lines):
        written = attribution.date_line(lines[i + 1].text)
        if written:
            posted_on = attribution.parse_date(written)
            unreadable, date_line = posted_on is None, i + 1
    rest_start = None if att.rest is None else line.start + att.rest
    pre = line.text[: att.start].rstrip()
    return Found(
        line=i,
        text_start=line.start + _tweet_start(pre, run_in=rest_start is not None),
        text_end=line.start + len(pre),
        rest_start=rest_start,
        name=att.name,
        handle=att.handle,
        posted_on=posted_on,
        date_unreadable=unreadable,
        date_line=date_line,
    )


def _tweet_start(pre: str, *, run_in: bool) -> int:
    """Where the tweet begins in the text before its attribution: the longest tail of whole
    sentences that fits in a tweet. When article text also follows the attribution on the
    same line (a tweet run into an article paragraph), leading sentences that read as
    article prose (reported speech, quotation) are left out too."""
    starts = [start for start, _ in split_spans(pre)]
    for n, start in enumerate(starts):
        if tweet_length(pre[start:]) > TWEET_MAX_CHARS:
            continue
        sentence = pre[start : starts[n + 1]] if n + 1 < len(starts) else ""
        if run_in and sentence and (REPORTING_RE.search(sentence) or QUOTED_RE.search(sentence)):
            continue
        return start
    return len(pre) if starts else 0


# One pattern for all of them: a line is tried once, not once per pattern.
_BOILERPLATE_ANY = re.compile("|".join(f"(?:{p.pattern})" for p in BOILERPLATE_RE), re.IGNORECASE)


def is_boilerplate(text: str) -> bool:
    return _BOILERPLATE_ANY.fullmatch(text.strip()) is not None


def looks_like_heading(text: str) -> bool:
    words = text.split()
    return (
        len(text) <= HEADING_MAX_CHARS
        and 0 < len(words) <= HEADING_MAX_WORDS
        and text[0].isupper()
        and text[-1] not in '.!?:;,…"”’)'
        and not entities.entity_spans(text)
    )


# Paragraphs separated by blank lines: at least this share of lines is followed by a blank.
BLOCK_STYLE_SHARE = 0.3
# Enough text to judge an article's language by, without the lines next to its attributions.
ARTICLE_LANG_MIN_CHARS = 80
# A line's language counts against the article's only when langdetect is this sure of it.
LINE_LANG_SURE = 0.9


# Paragraphs separated by blank lines: at least this share of lines is followed by a blank.
BLOCK_STYLE_SHARE = 0.3
# Enough text to judge an article's language by, without the lines next to its attributions.
ARTICLE_LANG_MIN_CHARS = 80
# A line's language counts against the article's only when langdetect is this sure of it.
LINE_LANG_SURE = 0.9


class Layout:
    """The lines of one article, its attributions, and which lines are already spoken for."""

    def __init__(self, doc: str) -> None:
        self.doc = doc
        self.lines = lines_of(doc)
        self.taken: set[int] = set()
        self.attributions = {
            i: a for i in range(len(self.lines)) if (a := find_attribution(self.lines, i))
        }
        self.date_lines = {
            a.date_line for a in self.attributions.values() if a.date_line is not None
        }
        # lines per paragraph, a date line not counted (it belongs to its attribution)
        self.block_sizes = Counter(
            ln.block for j, ln in enumerate(self.lines) if j not in self.date_lines
        )
        self.blocked = len(self.lines) > 2 and len(self.block_sizes) >= BLOCK_STYLE_SHARE * len(
            self.lines
        )
        self._article_lang: str | None = None
        self._line_langs: dict[int, str] = {}

    def free(self, i: int) -> bool:
        return (
            0 < i < len(self.lines)  # the first line is the title, never tweet text
            and i not in self.taken
            and i not in self.attributions
            and i not in self.date_lines
            and not is_boilerplate(self.lines[i].text)
        )

    def text(self, spans: list[Span]) -> str:
        return " ".join(self.doc[s.start : s.end] for s in spans)

    @property
    def article_lang(self) -> str:
        """The language of the article's own text: the lines next to an attribution (maybe
        tweet text) are left out while enough text remains without them."""
        if self._article_lang is None:
            marks = set(self.attributions) | self.date_lines
            near = {j for i in marks for j in (i - 1, i, i + 1)}
            body = [ln.text for i, ln in enumerate(self.lines) if i not in near]
            if sum(len(t) for t in body) < ARTICLE_LANG_MIN_CHARS:
                body = [ln.text for i, ln in enumerate(self.lines) if i not in marks]
            self._article_lang = detect("\n".join(body), second_opinion=False).lang
        return self._article_lang

    def line_lang(self, i: int) -> str:
        if i not in self._line_langs:
            decision = detect(self.lines[i].text, second_opinion=False)
            sure = decision.prob >= LINE_LANG_SURE or decision.reason == "words"
            self._line_langs[i] = decision.lang if sure else "und"
        return self._line_langs[i]

    def view(self, i: int, position: str, nearer: int) -> tweet_extent.LineView:
        """Line `i` as the extent model sees it; `nearer` is the line next to it on the
        attribution's side."""
        block = self.lines[nearer].block
        alone = nearer in self.attributions and self.block_sizes[block] == 1
        return tweet_extent.LineView(
            text=self.lines[i].text,
            lang=self.line_lang(i),
            article_lang=self.article_lang,
            nearer_lang=self.line_lang(nearer) if nearer not in self.attributions else "und",
            position=position,
            across_blank=self.lines[i].block != block,
            alone=alone,
            same_block=self.blocked and self.lines[i].block == block,
        )

    def above(self, att: Found, head: list[Span]) -> list[Span]:
        """Tweet text on the lines above the attribution, nearest first, while the model
        favours the tweet and the text still fits in a tweet."""
        if att.rest_start is not None or att.text_start > self.lines[att.line].start:
            return []  # article text opens the attribution's line: nothing above is tweet
        words = has_words(self.text(head))
        taken: list[Span] = []
        i = att.line - 1
        while self.free(i):
            line = self.lines[i]
            if tweet_length(f"{line.text} {self.text(taken + head)}") > TWEET_MAX_CHARS:
                break
            if taken:
                position = "above_further"
            else:
                position = "above_first_after_words" if words else "above_first"
            if tweet_extent.log_odds(self.view(i, position, i + 1)) <= 0:
                break
            taken.insert(0, Span(line.start, line.end))
            i -= 1
        return taken

    def below(self, att: Found, so_far: list[Span]) -> list[Span]:
        """The line after the attribution (and its date line) when the model takes it for
        tweet text: the text was split around the attribution, or the attribution came
        first."""
        nearer = att.date_line if att.date_line is not None else att.line
        i = nearer + 1
        if att.rest_start is not None or not self.free(i):
            return []
        line = self.lines[i]
        if (
            i + 1 in self.attributions
            and self.attributions[i + 1].text_start == self.lines[i + 1].start
            and self.lines[i + 1].block == line.block
        ):
            return []  # the line stands right above the next attribution: its text
        if tweet_length(f"{self.text(so_far)} {line.text}") > TWEET_MAX_CHARS:
            return []
        position = below_position(self.text(so_far))
        if tweet_extent.log_odds(self.view(i, position, nearer)) <= 0:
            return []
        return [Span(line.start, line.end)]

    def tweet_spans(self, att: Found) -> list[Span]:
        head = [Span(att.text_start, att.text_end)] if att.text_end > att.text_start else []
        above = self.above(att, head)
        return above + head + self.below(att, above + head)


def below_position(so_far: str) -> str:
    """How the line below an attribution stands: after tweet text with words, after a
    hashtag-only line (a tweet split around its attribution), or after nothing."""
    if has_words(so_far):
        return "below"
    return "below_after_hashtags" if hashtags_only(so_far) else "below_split"


def _kind_of_line(lines: list[Line], i: int) -> str:
    text = lines[i].text
    if i == 0:
        return "title"
    if is_boilerplate(text):
        return "boilerplate"
    if (
        i == 1
        and lines[1].block == lines[0].block
        and len(split_spans(text)) == 1
        and len(text) <= 250
    ):
        return "subtitle"
    if i + 1 < len(lines) and looks_like_heading(text):
        return "heading"
    return "paragraph"


def _sentences(doc: str, spans: tuple[Span, ...], tweet: bool) -> tuple[Sentence, ...]:
    found = [
        se
        for span in spans
        for se in split_spans(doc[span.start : span.end], span.start, tweet=tweet)
    ]
    return tuple(Sentence(i, doc[s:e], s, e) for i, (s, e) in enumerate(found))


def _segment(doc_id: str, doc: str, kind: str, spans: list[Span], **meta: object) -> Segment:
    spans_t = tuple(spans)
    text = "\n".join(doc[s.start : s.end] for s in spans_t)
    return Segment(
        doc_id=doc_id,
        ordinal=0,
        kind=kind,
        text=text,
        spans=spans_t,
        sentences=_sentences(doc, spans_t, tweet=kind == "tweet"),
        hashtags=entities.hashtags(text),
        mentions=entities.mentions(text),
        urls=entities.urls(text),
        **meta,  # type: ignore[arg-type]
    )


def segment(article: Article) -> tuple[Segment, ...]:
    """Typed segments of `article` in document order, numbered from 0."""
    doc = article.text
    layout = Layout(doc)
    lines = layout.lines
    found: list[tuple[int, Segment]] = []  # (anchor offset, segment)
    partial: dict[int, list[Span]] = {}  # article text sharing a line with an attribution
    for i, att in layout.attributions.items():
        spans = layout.tweet_spans(att)
        layout.taken.add(i)
        for span in spans:
            layout.taken.update(j for j, ln in enumerate(lines) if ln.start <= span.start < ln.end)
        line = lines[i]
        if att.text_start > line.start:
            partial.setdefault(i, []).append(
                Span(line.start, _trim_end(doc, line.start, att.text_start))
            )
        if att.rest_start is not None:
            partial.setdefault(i, []).append(Span(att.rest_start, line.end))
        tweet = _segment(
            article.doc_id,
            doc,
            "tweet",
            spans,
            author_name=att.name,
            author_handle=att.handle,
            posted_on=att.posted_on,
            note=_note(spans, att),
        )
        # A tweet whose text was lost stays in document order at its attribution line.
        found.append((spans[0].start if spans else line.start, tweet))
    for i, line in enumerate(lines):
        if i in layout.date_lines:
            continue
        for span in partial.get(i, []):
            found.append((span.start, _segment(article.doc_id, doc, "paragraph", [span])))
        if i not in layout.taken:
            kind = _kind_of_line(lines, i)
            whole_line = [Span(line.start, line.end)]
            found.append((line.start, _segment(article.doc_id, doc, kind, whole_line)))
    found.sort(key=lambda pair: pair[0])
    return tuple(replace(seg, ordinal=n) for n, (_, seg) in enumerate(found))


def _note(spans: list[Span], att: Found) -> str | None:
    """What a reader should know of a tweet: its text was lost, its date could not be read."""
    notes = [
        *(["tweet_text_missing"] if not spans else []),
        *(["date_unreadable"] if att.date_unreadable else []),
    ]
    return ",".join(notes) or None


def _trim_end(doc: str, start: int, end: int) -> int:
    while end > start and doc[end - 1].isspace():
        end -= 1
    return end


# Bump when a change to the code above changes segments (a change to the constants changes
# the signature by itself).
RULES_VERSION = "4"


def signature() -> str:
    """What made every segment and sentence: these rules, the attribution patterns, the
    tweet-extent model's weights, the sentence splitter's rules, and their constants."""
    from flows import sentences
    from flows.signature import rules_digest

    digest = rules_digest(
        {
            **globals(),
            **{f"ATTRIBUTION_{k}": v for k, v in vars(attribution).items()},
            **{f"EXTENT_{k}": v for k, v in vars(tweet_extent).items()},
            **{f"SENTENCES_{k}": v for k, v in vars(sentences).items()},
        }
    )
    return f"segment:rules.{RULES_VERSION}.{digest}"
