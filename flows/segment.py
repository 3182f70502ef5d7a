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
_ES_ABBREVIATED = "ene feb mar abr may jun jul ago sep oct nov dic"
MONTHS = {
    **{
        m: i
        for names in (_EN_MONTHS, _EN_ABBREVIATED, _ES_MONTHS, _ES_ABBREVIATED)
        for i, m in enumerate(names.split(), 1)
    },
    "sept": 9,
    "setiembre": 9,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_PATTERN = (
    rf"(?:(?P<mon>{_MONTH})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})"
    rf"|(?P<day2>\d{{1,2}})\s+de\s+(?P<mon2>{_MONTH})\s+(?:de|del)\s+(?P<year2>\d{{4}})"
    rf"|(?P<day3>\d{{1,2}})\.?\s+(?P<mon3>{_MONTH})\.?,?\s+(?P<year3>\d{{4}}))"
)
DATE_RE = re.compile(rf"^\s*{DATE_PATTERN}\s*$", re.IGNORECASE)
# `— Name (@handle) Date`. The dash may touch the text before it (`…/xyz— Name`) and be
# written `--`; the name may hold emoji, `????` or a `#`; the date may stand on the next line.
# With a date, article text may follow on the same line (a tweet run into the article).
_NAME_HANDLE = r"(?P<name>(?:[^—–―()\n]|\([^@()\n]*\)){0,80}?)\s*\(\s*@(?P<handle>\w{1,15})\s*\)"
ATTRIBUTION_RE = re.compile(
    rf"(?:[—–―]|(?:^|(?<=\s))--?)\s*{_NAME_HANDLE}\s*"
    rf"(?:{DATE_PATTERN}(?P<rest>\s.*)?|)\s*$",
    re.IGNORECASE,
)
# A line that is nothing but `Name (@handle) Date`, without the dash.
BARE_ATTRIBUTION_RE = re.compile(rf"^\s*{_NAME_HANDLE}\s+{DATE_PATTERN}\s*$", re.IGNORECASE)
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
class Attribution:
    """A tweet attribution found on line `line`. `text_start`/`text_end` bound the tweet
    text on that same line (empty when `text_start == text_end`); `rest_start` is where
    article text resumes after the date on that line, if it does."""

    line: int
    text_start: int
    text_end: int
    rest_start: int | None
    name: str | None
    handle: str
    posted_on: date | None
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


def parse_date(match: re.Match[str]) -> date | None:
    mon = match.group("mon") or match.group("mon2") or match.group("mon3")
    day = match.group("day") or match.group("day2") or match.group("day3")
    year = match.group("year") or match.group("year2") or match.group("year3")
    if not (mon and day and year):
        return None
    try:
        return date(int(year), MONTHS[mon.lower()], int(day))
    except ValueError:
        return None


def find_attribution(lines: list[Line], i: int) -> Attribution | None:
    """The tweet attribution on line `i`, if there is one."""
    line = lines[i]
    m = ATTRIBUTION_RE.search(line.text) or BARE_ATTRIBUTION_RE.match(line.text)
    if m is None:
        return None
    posted_on = parse_date(m)
    date_line = None
    if posted_on is None and i + 1 < len(lines):
        dm = DATE_RE.match(lines[i + 1].text)
        if dm:
            posted_on, date_line = parse_date(dm), i + 1
    rest = m.groupdict().get("rest")
    rest_start = None
    if rest and rest.strip():
        rest_start = line.start + m.start("rest") + (len(rest) - len(rest.lstrip()))
    pre = line.text[: m.start()].rstrip()
    text_start = line.start + _tweet_start(pre, run_in=rest_start is not None)
    return Attribution(
        line=i,
        text_start=text_start,
        text_end=line.start + len(pre),
        rest_start=rest_start,
        name=m.group("name").strip() or None,
        handle=m.group("handle"),
        posted_on=posted_on,
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


def tweet_length(text: str) -> int:
    """Length as Twitter counts it: a link weighs 23 characters, a media link nothing."""
    return len(entities.URL_RE.sub("x" * TCO_LENGTH, MEDIA_LINK_RE.sub("", text)).strip())


def ends_with_link(text: str) -> bool:
    found = list(entities.URL_RE.finditer(text))
    return bool(found) and not text[found[-1].end() :].strip()


def has_words(text: str) -> bool:
    """True when `text` has letters outside links, @handles, #hashtags and emoji."""
    bare = text
    for start, end in reversed(entities.entity_spans(text)):
        bare = bare[:start] + " " + bare[end:]
    return any(c.isalpha() for c in bare)


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


def is_tweety(text: str) -> bool:
    """Carries the marks of tweet text: a link at its end, a @handle or a #hashtag."""
    return ends_with_link(text) or bool(entities.mentions(text) or entities.hashtags(text))


class _Layout:
    """The lines of one article and which of them are already spoken for."""

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

    def fits(self, spans: list[Span], line: Line) -> bool:
        return tweet_length(f"{line.text} {self.text(spans)}") <= TWEET_MAX_CHARS

    def above(self, att: Attribution, head: list[Span]) -> list[Span]:
        """Tweet text on the lines above the attribution: the whole block above when a blank
        line separates it from the attribution, else line by line, upwards, while the text
        still fits in a tweet and no line reads as article text (one ending with `:`, one
        reporting speech, one naming the tweet's author)."""
        own = self.lines[att.line]
        i = att.line - 1
        if not self.free(i):
            return []
        if self.lines[i].block != own.block:  # a paragraph of its own above the attribution
            if head:
                return []
            block = [j for j in range(i, -1, -1) if self.lines[j].block == self.lines[i].block]
            taken: list[Span] = []
            for j in block:
                if not self.free(j) or not self.fits(taken, self.lines[j]):
                    break
                taken.insert(0, Span(self.lines[j].start, self.lines[j].end))
            return taken
        author_words = {w for w in re.findall(r"[^\W\d_]{4,}", att.name or "")}
        taken = []
        while self.free(i) and self.lines[i].block == own.block:
            line = self.lines[i]
            if not self.fits(head + taken, line) or line.text.endswith(":"):
                break
            head_has_words = bool(head) and has_words(self.text(head))
            # Beyond the first line (or above a tweet that already has words), a line must
            # not read as article prose about the tweet.
            prose = (
                REPORTING_RE.search(line.text)
                or author_words & set(re.findall(r"\w+", line.text))
                or QUOTED_RE.search(line.text)
            )
            if (taken or head_has_words) and prose:
                break
            if head_has_words and not taken and not is_tweety(line.text):
                break
            taken.insert(0, Span(line.start, line.end))
            if not head and ends_with_link(line.text):
                break  # the tweet's closing link: what stands above is the article's
            i -= 1
        return taken

    def below(self, att: Attribution, so_far: list[Span]) -> list[Span]:
        """The line after the attribution (and its date line) when it is tweet text ending
        with the tweet's link: the text was split around the attribution, or the
        attribution came first."""
        i = (att.date_line if att.date_line is not None else att.line) + 1
        if att.rest_start is not None or not self.free(i) or ends_with_link(self.text(so_far)):
            return []
        line = self.lines[i]
        if not ends_with_link(line.text) or not self.fits(so_far, line):
            return []
        return [Span(line.start, line.end)]

    def tweet_spans(self, att: Attribution) -> list[Span]:
        head = [Span(att.text_start, att.text_end)] if att.text_end > att.text_start else []
        above = self.above(att, head)
        if head and has_words(self.text(head)):
            return above + head + self.below(att, above + head)
        # No words next to the attribution: the text is above, below, or split around it.
        below = self.below(att, head)
        if above and (is_tweety(self.text(above)) or not below):
            return above + head + self.below(att, above + head)
        return head + below


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
    layout = _Layout(doc)
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
            note=None if spans else "tweet_text_missing",
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


def _trim_end(doc: str, start: int, end: int) -> int:
    while end > start and doc[end - 1].isspace():
        end -= 1
    return end


# Bump when a change to the code above changes segments (a change to the constants changes
# the signature by itself).
RULES_VERSION = "2"


def signature() -> str:
    """What made every segment and sentence: these rules, the sentence splitter's, and
    their constants."""
    from flows import sentences
    from flows.signature import rules_digest

    digest = rules_digest(
        {**globals(), **{f"SENTENCES_{k}": v for k, v in vars(sentences).items()}}
    )
    return f"segment:rules.{RULES_VERSION}.{digest}"
