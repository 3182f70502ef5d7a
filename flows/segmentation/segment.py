"""Segment stage: an article's text → typed segments in document order, each with spans
into the normalised text. Embedded tweets are found from their attribution
(`— Display Name (@handle) Month D, YYYY`, or a widget card), wherever it stands in a line;
it becomes metadata, never tweet text."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import chain

from flows.language.detection import detect
from flows.records import Article, Segment, Sentence, Span
from flows.segmentation import attribution, text_units, tweet_edge, tweet_extent, tweet_register
from flows.segmentation.tweet_extent import (
    TWEET_MAX_CHARS,
    ends_with_link,
    has_words,
    hashtags_only,
    tweet_length,
)
from flows.signature import rules_digest
from flows.text import entities, sentences
from flows.text.sentences import split_spans

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
        r"ver más|see more|view this post on instagram",
    )
]
HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 10


@dataclass(frozen=True)
class Line:
    """A non-blank line with its document offsets; `block` counts the blank lines before it,
    so two lines with the same `block` have no blank line between them."""

    start: int
    end: int
    text: str
    block: int


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
# Enough text to judge an article's language by, without the units next to its attributions.
ARTICLE_LANG_MIN_CHARS = 80
# A unit's language counts against the article's only when langdetect is this sure of it.
LINE_LANG_SURE = 0.9

# Longer than any tweet, long links counted as Twitter counts them (23 characters) included.
READ_AT_MOST = 3 * TWEET_MAX_CHARS

# Decides whether unit `i`, as the extent model sees it, is tweet text. The segmenter asks the
# model; `benchmarks/fit_extent.py` asks the truth, and so sees every unit the segmenter weighs.
Decide = Callable[[int, tweet_extent.LineView], bool]


def by_model(_: int, view: tweet_extent.LineView) -> bool:
    return tweet_extent.takes(view)


class Layout:
    """The units of one article (`text_units`), its attributions, and which units are
    already spoken for. Attribution `k` stands before unit `positions[k]`."""

    def __init__(self, doc: str) -> None:
        self.doc = doc
        self.lines = lines_of(doc)
        self.where = text_units.Lines(doc)
        self.attributions = attribution.find_all(doc)
        spans = [(a.start, a.end) for a in self.attributions]
        holding = {self.where.line(p) for a in self.attributions for p in (a.start, a.end)}
        self.units = text_units.units_of(doc, spans, holding, self.where)
        self._place_attributions()
        self.title_line = self.where.line(self.lines[0].start) if self.lines else -1
        self.taken: set[int] = set()
        self.blocked = len(self.lines) > 2 and (
            self.lines[-1].block + 1 >= BLOCK_STYLE_SHARE * len(self.lines)
        )
        # A body on one line with its blocks joined by spaces: a space says nothing there.
        glued = sum(u.join == "glued" for u in self.units)
        self.flat = len(self.lines) <= 3 and glued < max(1, len(self.attributions))
        self.style = "glued" if self.flat or glued >= max(1, len(self.attributions)) else "lines"
        self._article_lang: str | None = None
        self._unit_langs: dict[int, str] = {}

    def _place_attributions(self) -> None:
        """Where each attribution stands among the units."""
        starts = [u.start for u in self.units]
        self.positions = [bisect_left(starts, a.end) for a in self.attributions]
        self.stops = set(self.positions)  # no tweet reaches across another attribution

    def free(self, i: int) -> bool:
        return (
            0 <= i < len(self.units)
            and self.units[i].line != self.title_line  # the title is never tweet text
            and i not in self.taken
            and not is_boilerplate(self.text_of(i))
        )

    def text_of(self, i: int) -> str:
        return self.doc[self.units[i].start : self.units[i].end]

    def text(self, units: list[int]) -> str:
        return " ".join(self.text_of(i) for i in units)

    @property
    def article_lang(self) -> str:
        """The language of the article's own text: the units that may be tweet text (on the
        lines around an attribution, else next to it) are left out while enough text remains
        without them."""
        if self._article_lang is None:
            rank = {self.where.line(ln.start): n for n, ln in enumerate(self.lines)}
            ranks = [rank.get(self.where.line(a.start), -9) for a in self.attributions]
            lines = {r + d for r in ranks for d in (-1, 0, 1)}
            next_to = {j for p in self.positions for j in (p - 2, p - 1, p, p + 1)}
            body = ""
            for near in (lambda i: rank[self.units[i].line] in lines, next_to.__contains__):
                body = "\n".join(self.text_of(i) for i in range(len(self.units)) if not near(i))
                if len(body) >= ARTICLE_LANG_MIN_CHARS:
                    break
            else:
                body = "\n".join(self.text_of(i) for i in range(len(self.units)))
            self._article_lang = detect(body, second_opinion=False).lang
        return self._article_lang

    def unit_lang(self, i: int) -> str:
        if i not in self._unit_langs:
            self._unit_langs[i] = self.lang_of(self.text_of(i))
        return self._unit_langs[i]

    def lang_of(self, text: str) -> str:
        """The language of `text` when the quick detector is sure of it, else "und"; the
        article's for an empty text."""
        if not text:
            return self.article_lang
        decision = detect(text, second_opinion=False)
        sure = decision.prob >= LINE_LANG_SURE or decision.reason == "words"
        return decision.lang if sure else "und"

    def view(
        self, i: int, position: str, k: int, nearer: int | None, tweet_above: int | None = None
    ) -> tweet_extent.LineView:
        """Unit `i` as the extent model sees it, weighed for attribution `k`; `nearer` is the
        unit next to it on the attribution's side (None: the attribution itself), else
        `tweet_above`, the tweet's last unit above the attribution, gives the language the
        tweet was written in."""
        att, unit = self.attributions[k], self.units[i]
        if nearer is None:
            near_start, near_end = att.start, att.end
        else:
            near_start, near_end = self.units[nearer].start, self.units[nearer].end
        above = unit.start < near_start
        if above:
            join = text_units.join_between(self.doc, unit.end, near_start)
        else:
            join = text_units.join_between(self.doc, near_end, unit.start)
        alone = nearer is None and self._alone(k)
        source = nearer if nearer is not None else tweet_above

        def langs() -> tuple[str, str, str]:
            nearer_lang = "und" if source is None else self.unit_lang(source)
            return self.unit_lang(i), self.article_lang, nearer_lang

        return tweet_extent.LineView(
            text=self.text_of(i),
            lang="und",
            article_lang="und",
            nearer_lang="und",
            langs=langs,
            position=position,
            join="flat" if join == "space" and self.flat else join,
            alone=alone,
            same_block=self.blocked and unit.block == self.where.block(near_start),
            edge=self._edge(i, above),
            reaches_other=self._reaches_other(i, above),
            after_link=not above and nearer is not None and ends_with_link(self.text_of(nearer)),
            after_label=above and i > 0 and self._is_label(i - 1),
            style=self.style,
        )

    def _is_label(self, i: int) -> bool:
        """Unit `i` is a label a page puts before an embed (`Ver más`)."""
        return self.text_of(i) in text_units.EMBED_LABELS

    def _edge(self, i: int, above: bool) -> bool:
        """The unit's far side (away from the attribution) is a glued block boundary or another
        attribution, not a plain sentence end (line breaks have features of their own)."""
        far = i if above else i + 1
        return far in self.stops or (far < len(self.units) and self.units[far].join == "glued")

    def _reaches_other(self, i: int, above: bool) -> bool:
        """Between unit `i` and the next attribution on its far side there is no line break and
        no more text than a tweet holds: it may be that attribution's tweet."""
        n = bisect_right(self.positions, i)
        if above:
            if n == 0:
                return False
            run = range(i, self.positions[n - 1] - 1, -1)  # from `i` back to the attribution
            breaks: Iterable[str] = (self.units[j].join for j in run)
        else:
            if n == len(self.positions):
                return False
            run = range(i, self.positions[n])
            last = self.units[run[-1]].end
            after = text_units.join_between(self.doc, last, self.attributions[n].start)
            breaks = chain((self.units[j].join for j in run[1:]), [after])
        if any(join in ("newline", "blank") for join in breaks):
            return False
        length = 0
        for j in run:  # a long stretch is not measured to its end
            length += self.units[j].end - self.units[j].start + 1
            if length > READ_AT_MOST:
                return False
        return tweet_length(self.text(sorted(run))) <= TWEET_MAX_CHARS

    def _alone(self, k: int) -> bool:
        """Attribution `k` is a paragraph of its own: blank lines (or the ends) around it."""
        att, p = self.attributions[k], self.positions[k]
        before = p == 0 or (
            self.units[p - 1].end <= att.start
            and (text_units.join_between(self.doc, self.units[p - 1].end, att.start) == "blank")
        )
        after = p >= len(self.units) or (
            text_units.join_between(self.doc, att.end, self.units[p].start) == "blank"
        )
        return before and after

    def above(self, k: int, decide: Decide) -> list[int]:
        """Tweet text before attribution `k`, nearest unit first, while `decide` takes it and
        the text still fits in a tweet."""
        taken: list[int] = []
        i = self.positions[k] - 1
        if k > 0 and self.positions[k - 1] == self.positions[k]:
            return []  # another attribution stands between: its text, or none
        while self.free(i) and (not taken or i + 1 not in self.stops):
            if taken and tweet_length(self.text([i, *taken])) > TWEET_MAX_CHARS:
                break  # the unit next to the attribution is weighed whatever its length
            position = "above_further" if taken else "above_first"
            if not decide(i, self.view(i, position, k, taken[0] if taken else None)):
                break
            taken.insert(0, i)
            i -= 1
        return taken

    def below(self, k: int, so_far: list[int], decide: Decide) -> list[int]:
        """Tweet text after attribution `k`: the text was split around the attribution, the
        attribution came first, or the tweet carries on after it."""
        taken: list[int] = []
        i = self.positions[k]
        if k + 1 < len(self.positions) and self.positions[k + 1] == i:
            return []
        while self.free(i) and (not taken or i not in self.stops):
            if i + 1 in self.stops and self._leads_into(i):
                break  # the unit stands right before the next attribution: its text
            if tweet_length(self.text([*so_far, *taken, i])) > TWEET_MAX_CHARS:
                break
            position = "below_further" if taken else below_position(self.text(so_far))
            nearer, above = (taken[-1], None) if taken else (None, so_far[-1] if so_far else None)
            if not decide(i, self.view(i, position, k, nearer, above)):
                break
            taken.append(i)
            i += 1
        return taken

    def _leads_into(self, i: int) -> bool:
        k = self.positions.index(i + 1)
        att = self.attributions[k]
        return not att.card and self.units[i].block == self.where.block(att.start)

    def tweet_units(self, k: int, decide: Decide = by_model) -> tuple[list[int], list[int]]:
        """The units of attribution `k`'s tweet text: before it, after it."""
        if self.attributions[k].card:
            return [], []
        above = self.above(k, decide)
        if self.style == "glued" and decide is by_model:
            above = self._refine(above, self.positions[k] - 1 - len(above), far_first=True)
        self.taken.update(above)
        below = self.below(k, above, decide)
        if self.style == "glued" and decide is by_model:
            below = self._refine(below, self.positions[k] + len(below), far_first=False)
        self.taken.update(below)
        return above, below

    def _refine(self, taken: list[int], rejected: int, far_first: bool) -> list[int]:
        """In a glued body a tweet's edge may fall inside a unit, where no sentence ends
        (`…se manifiesta Includes a 90-day…`, `…evolución.que rápido…`): the outermost unit
        taken, or else the first unit refused, is cut where the edge model (`tweet_edge`) finds
        the edge. The units are split in place."""
        if taken:
            outer = taken[0] if far_first else taken[-1]
            at = self._tweet_edge(outer, far_first, taken=True)
            if at is not None:
                self._split(outer, at)
                # the far part is the new unit before `outer` (above) or after it (below)
                taken = [i + 1 for i in taken] if far_first else taken
        elif 0 <= rejected < len(self.units) and self.free(rejected):
            at = self._tweet_edge(rejected, far_first, taken=False)
            if at is not None:
                self._split(rejected, at)
                taken = [rejected + 1] if far_first else [rejected]
        return taken

    def _tweet_edge(self, i: int, far_first: bool, taken: bool) -> int | None:
        """Where in unit `i` a tweet would end and prose begin (`far_first`: the prose comes
        first; `taken`: the walk took the unit), if the edge model finds such a place."""
        unit = self.units[i]
        cut = tweet_edge.best_cut(
            self.doc, unit.start, unit.end, far_first, taken, READ_AT_MOST, self.lang_of
        )
        return None if cut is None else cut.end

    def _split(self, i: int, at: int) -> None:
        """Unit `i` becomes two at offset `at` (a soft cut: whitespace from `at` on)."""
        unit = self.units[i]
        start = at
        while start < unit.end and self.doc[start].isspace():
            start += 1
        first = replace(unit, end=at)
        second = replace(unit, start=start, join="space")
        self.units[i : i + 1] = [first, second]
        self.taken = {j + 1 if j > i else j for j in self.taken}
        # An attribution after the unit now stands one unit further (units never straddle an
        # attribution); placing them all again would read every unit at each split.
        self.positions = [p + 1 if p > i else p for p in self.positions]
        self.stops = set(self.positions)
        self._unit_langs = {j + 1 if j > i else j: v for j, v in self._unit_langs.items()}
        self._unit_langs.pop(i, None)
        self._unit_langs.pop(i + 1, None)

    def spans(self, units: list[int]) -> list[Span]:
        """One span per run of units on the same line, from the first unit's start to the
        last one's end."""
        out: list[Span] = []
        for i in units:
            unit = self.units[i]
            if out and self.where.line(out[-1].end) == unit.line:
                out[-1] = Span(out[-1].start, unit.end)
            else:
                out.append(Span(unit.start, unit.end))
        return out


def below_position(so_far: str) -> str:
    """How the first unit below an attribution stands: after tweet text with words, after a
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
    found: list[tuple[int, Segment]] = []  # (anchor offset, segment)
    for k, att in enumerate(layout.attributions):
        if att.card and att.text_start is not None and att.text_end is not None:
            spans = [Span(att.text_start, att.text_end)] if att.text_end > att.text_start else []
        else:
            above, below = layout.tweet_units(k)
            spans = layout.spans(above) + layout.spans(below)
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
        # A tweet whose text was lost stays in document order at its attribution.
        found.append((spans[0].start if spans else att.start, tweet))
    whole_lines = {(ln.start, ln.end): n for n, ln in enumerate(layout.lines)}
    for run in _runs(layout):
        first, last = layout.units[run[0]], layout.units[run[-1]]
        n = whole_lines.get((first.start, last.end))
        kind = _kind_of_part(layout, run) if n is None else _kind_of_line(layout.lines, n)
        found.append(
            (first.start, _segment(article.doc_id, doc, kind, [Span(first.start, last.end)]))
        )
    found.sort(key=lambda pair: pair[0])
    return tuple(replace(seg, ordinal=n) for n, (_, seg) in enumerate(found))


def _runs(layout: Layout) -> list[list[int]]:
    """The article's own text: runs of units no tweet took, each within one line and one
    block of the page (a glued join or an attribution ends a run)."""
    runs: list[list[int]] = []
    for i, unit in enumerate(layout.units):
        if i in layout.taken:
            continue
        if runs and runs[-1][-1] == i - 1 and unit.join == "space" and i not in layout.stops:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _kind_of_part(layout: Layout, run: list[int]) -> str:
    """The kind of part of a line (the rest shares it with a tweet or another block)."""
    if layout.units[run[0]].line == layout.title_line:
        return "title"
    text = layout.doc[layout.units[run[0]].start : layout.units[run[-1]].end]
    return "boilerplate" if is_boilerplate(text) else "paragraph"


def _note(spans: list[Span], att: attribution.Attribution) -> str | None:
    """What a reader should know of a tweet: its text was lost, its date could not be read."""
    notes = [
        *(["tweet_text_missing"] if not spans else []),
        *(["date_unreadable"] if att.date_unreadable else []),
    ]
    return ",".join(notes) or None


# Bump when a change to the code above changes segments (a change to the constants changes
# the signature by itself).
RULES_VERSION = "6"


def signature() -> str:
    """What made every segment and sentence: these rules, the attribution patterns, the
    tweet-extent and tweet-edge models' weights, the sentence splitter's rules, and their
    constants."""
    digest = rules_digest(
        {
            **globals(),
            **{f"ATTRIBUTION_{k}": v for k, v in vars(attribution).items()},
            **{f"UNITS_{k}": v for k, v in vars(text_units).items()},
            **{f"EXTENT_{k}": v for k, v in vars(tweet_extent).items()},
            **{f"EDGE_{k}": v for k, v in vars(tweet_edge).items()},
            **{f"SENTENCES_{k}": v for k, v in vars(sentences).items()},
        }
    )
    return f"segment:rules.{RULES_VERSION}.{digest}+register.{tweet_register.digest()}"
