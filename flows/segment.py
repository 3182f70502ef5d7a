"""Segment stage: an article's lines → typed segments in document order, each with spans
into the normalised text. Embedded tweets are found from their attribution line
(`— Display Name (@handle) Month D, YYYY`), which becomes metadata, never tweet text."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from flows import entities
from flows.records import Article, Segment, Sentence, Span
from flows.sentences import split_spans

_EN_MONTHS = "january february march april may june july august september october november december"
_EN_ABBREVIATED = "jan feb mar apr may jun jul aug sep oct nov dec"
_ES_MONTHS = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
)
MONTHS = {
    **{
        m: i
        for names in (_EN_MONTHS, _EN_ABBREVIATED, _ES_MONTHS)
        for i, m in enumerate(names.split(), 1)
    },
    "sept": 9,
    "setiembre": 9,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_PATTERN = (
    rf"(?:(?P<mon>{_MONTH})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})"
    rf"|(?P<day2>\d{{1,2}})\s+de\s+(?P<mon2>{_MONTH})\s+(?:de|del)\s+(?P<year2>\d{{4}}))"
)
DATE_RE = re.compile(rf"^\s*{DATE_PATTERN}\s*$", re.IGNORECASE)
# The dash may touch the text before it (`…pic.twitter.com/xyz— Name`); the name may hold
# emoji, `????` or a `#`; the date may be missing (it then stands on the next line).
ATTRIBUTION_RE = re.compile(
    rf"(?:^|(?<=\s)|(?<=\S))[—–―]\s*(?P<name>[^—–―()\n]{{0,80}}?)\s*\(\s*@(?P<handle>\w{{1,15}})\s*\)"
    rf"\s*(?:{DATE_PATTERN})?\s*$",
    re.IGNORECASE,
)
TWEET_MAX_CHARS = 280
TCO_LENGTH = 23  # Twitter counts a link as 23 characters, and attached media not at all
MEDIA_LINK_RE = re.compile(r"\bpic\.twitter\.com/\w+")

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
    )
]
HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 10


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Attribution:
    line: int
    text_end: int  # where the tweet text on the attribution's own line ends (document offset)
    name: str | None
    handle: str
    posted_on: date | None
    date_line: int | None  # the line holding the date, when it stands on its own


def lines_of(text: str) -> list[Line]:
    """The non-blank lines of `text` with their document offsets, blanks trimmed."""
    out: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Line(s, e, text[s:e]))
        pos += len(raw) + 1
    return out


def parse_date(match: re.Match[str]) -> date | None:
    mon = match.group("mon") or match.group("mon2")
    day = match.group("day") or match.group("day2")
    year = match.group("year") or match.group("year2")
    if not (mon and day and year):
        return None
    try:
        return date(int(year), MONTHS[mon.lower()], int(day))
    except ValueError:
        return None


def find_attribution(lines: list[Line], i: int) -> Attribution | None:
    """The tweet attribution ending line `i`, if there is one."""
    line = lines[i]
    m = ATTRIBUTION_RE.search(line.text)
    if m is None:
        return None
    posted_on = parse_date(m)
    date_line = None
    if posted_on is None and i + 1 < len(lines):
        dm = DATE_RE.match(lines[i + 1].text)
        if dm:
            posted_on, date_line = parse_date(dm), i + 1
    pre = line.text[: m.start()].rstrip()
    name = m.group("name").strip() or None
    return Attribution(i, line.start + len(pre), name, m.group("handle"), posted_on, date_line)


def tweet_length(text: str) -> int:
    """Length as Twitter counts it: a link weighs 23 characters, a media link nothing."""
    return len(entities.URL_RE.sub("x" * TCO_LENGTH, MEDIA_LINK_RE.sub("", text)))


def ends_with_link(text: str) -> bool:
    found = list(entities.URL_RE.finditer(text))
    return bool(found) and not text[found[-1].end() :].strip()


def is_boilerplate(text: str) -> bool:
    return any(p.fullmatch(text.strip()) for p in BOILERPLATE_RE)


def looks_like_heading(text: str) -> bool:
    words = text.split()
    return (
        len(text) <= HEADING_MAX_CHARS
        and 0 < len(words) <= HEADING_MAX_WORDS
        and text[0].isupper()
        and text[-1] not in '.!?:;,…"”’)'
        and not entities.entity_spans(text)
    )


def could_be_tweet_text(text: str) -> bool:
    return tweet_length(text) <= TWEET_MAX_CHARS and not is_boilerplate(text)


def is_tweety(text: str) -> bool:
    """Carries the marks of tweet text: a link at its end, a @handle or a #hashtag."""
    return ends_with_link(text) or bool(entities.mentions(text) or entities.hashtags(text))


def tweet_spans(doc: str, lines: list[Line], att: Attribution, taken: set[int]) -> list[Span]:
    """The spans of a tweet's text around its attribution line `att.line`:
    - the text before the dash on the attribution's own line;
    - the line above, when it can be tweet text (and, if the attribution's line already holds
      text, carries tweet marks itself);
    - the line below, when the text so far is not a complete tweet (it does not end with the
      tweet's link) and the line below is tweet text ending with a link, as in a tweet whose
      scraped text was split around its attribution."""
    own = lines[att.line]
    spans = [Span(own.start, att.text_end)] if att.text_end > own.start else []
    head = doc[own.start : att.text_end]
    above = att.line - 1
    if above >= 0 and above not in taken:
        candidate = lines[above].text
        head_is_links_only = not entities.URL_RE.sub("", head).strip()
        if could_be_tweet_text(f"{candidate} {head}") and (
            head_is_links_only or is_tweety(candidate)
        ):
            spans.insert(0, Span(lines[above].start, lines[above].end))
    below = (att.date_line if att.date_line is not None else att.line) + 1
    so_far = " ".join(doc[s.start : s.end] for s in spans)
    if (
        not ends_with_link(so_far)
        and below < len(lines)
        and find_attribution(lines, below) is None
        and could_be_tweet_text(f"{so_far} {lines[below].text}")
        and ends_with_link(lines[below].text)
    ):
        spans.append(Span(lines[below].start, lines[below].end))
    return spans


def _kind_of_line(lines: list[Line], i: int) -> str:
    text = lines[i].text
    if i == 0:
        return "title"
    if is_boilerplate(text):
        return "boilerplate"
    if i == 1 and len(split_spans(text)) == 1 and len(text) <= 250:
        return "subtitle"
    if i + 1 < len(lines) and looks_like_heading(text):
        return "heading"
    return "paragraph"


def _sentences(doc: str, spans: tuple[Span, ...]) -> tuple[Sentence, ...]:
    found = [se for span in spans for se in split_spans(doc[span.start : span.end], span.start)]
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
        sentences=_sentences(doc, spans_t),
        hashtags=entities.hashtags(text),
        mentions=entities.mentions(text),
        urls=entities.urls(text),
        **meta,  # type: ignore[arg-type]
    )


def segment(article: Article) -> tuple[Segment, ...]:
    """Typed segments of `article` in document order, numbered from 0."""
    doc = article.text
    lines = lines_of(doc)
    taken: set[int] = set()
    found: list[tuple[int, Segment]] = []  # (anchor offset, segment)
    for i in range(len(lines)):
        att = find_attribution(lines, i)
        if att is None:
            continue
        spans = tweet_spans(doc, lines, att, taken)
        taken.add(i)
        if att.date_line is not None:
            taken.add(att.date_line)
        for span in spans:
            taken.update(j for j, ln in enumerate(lines) if ln.start <= span.start < ln.end)
        tweet = _segment(
            article.doc_id,
            doc,
            "tweet",
            spans,
            author_name=att.name,
            author_handle=att.handle,
            posted_on=att.posted_on,
            note=None if spans else "tweet_text_missing",
        )
        # A tweet whose text was lost stays in document order at its attribution line.
        found.append((spans[0].start if spans else lines[i].start, tweet))
    for i, line in enumerate(lines):
        if i not in taken:
            kind = _kind_of_line(lines, i)
            found.append(
                (line.start, _segment(article.doc_id, doc, kind, [Span(line.start, line.end)]))
            )
    found.sort(key=lambda pair: pair[0])
    return tuple(replace(seg, ordinal=n) for n, (_, seg) in enumerate(found))
