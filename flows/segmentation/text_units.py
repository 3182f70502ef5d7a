"""The units the segmenter weighs around a tweet attribution: text cut at every boundary it
gives, not only at line breaks. Scrapers glue a page's blocks together (`…Público.Respecto`,
`…/UNJfBE4b0z— Metrobús`, `April 7, 2022El secretario`) or put a whole body on one line; the
units come out the same whatever the whitespace, and each says how it is joined to the text
before it, so that the extent model can weigh a blank line, a line break, a glued join and a
plain sentence end differently. Units are spans into the text, which is never rewritten."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from flows.text.sentences import split_spans, strip_span

# How a unit follows the text before it: across a blank line, a line break, nothing at all
# (a block boundary the scraper removed), or a space (a sentence end, or a spaced body).
JOINS = ("blank", "newline", "glued", "space")

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
# A sentence end glued to the next block: `Público.Respecto`, `said.”The`, `granizo.¿Qué`,
# `Garrett).#Calvario`, `blame.”watching`, `sabeu ??Como`, `Como dices?1 sack`. Before a
# period, two word characters (or a word and a bracket), so that initials (`J.K.Rowling`) stay
# whole.
GLUED_END_RE = re.compile(
    rf"(?:(?<=\w[\w)”’\"»])\.+|[!?…]+)"
    rf"(?:[”’»)]*(?=[\"'“‘«¿¡(]?(?:[@#]\w|[{_UPPER}]))|[”’»)]+(?=[^\W\d_]))"
    r"|(?<=\w)[!?…]+(?=\d)"
)
# Blocks glued without a sentence end: an opening quotation mark after a word (`CONOSE“The`),
# a capitalised word after a closing bracket or mark (`bien hoy :)Un café`, `lado*The`), or
# after an all-lower-case word (`xxAcabei de falar`, `de jogoSi bien`; not `YouTube`, `iPhone`,
# `McDonald`, `macOS`), a @handle glued after a word (`de menos@GorkaGarcia11`; not an e-mail
# address), a @handle or a capital glued after a colon (`Tuesday:@jordi`, `Flip 3:Galaxy Z`).
GLUED_BLOCK_RE = re.compile(
    rf"(?<=[^\W_])(?=[“«][^\W\d_])|(?<=[)*])(?=[{_UPPER}])"
    rf"|(?<![\w@#/.\-])[a-zß-ÿ]{{2,}}(?=[{_UPPER}](?:[a-zß-ÿ]|\b))"
    rf"|(?<=[^\W\d_]{{2}})(?=@\w{{1,15}}(?![\w.@]))|(?<=\w:)(?=[@#]\w|[{_UPPER}])"
)
# The end of a media or short link, when the next text touches it: their ids have 10 characters
# (`pic.twitter.com/RLgXc9Jr63— CONAGUA`, `t.co/0gVzPBQge0You’ll`).
LINK_END_RE = re.compile(r"(?:pic\.twitter\.com|(?<![A-Za-z.])t\.co)/[A-Za-z0-9]{10}(?=\S)")
# The end of any link followed by a new sentence: a link ends a tweet's text far more often
# than it sits inside a sentence.
LINK_THEN_SENTENCE_RE = re.compile(
    rf"(?:https?://|pic\.twitter\.com/|t\.co/)\S+(?=\s+[\"“¿¡]?[{_UPPER}])"
)
# A link ending in an id and a slash, with the next block glued to it
# (`instagram.com/p/l7c15mOYdH/No tiene`, `…/l4bkTYlKCH/#Feliz`).
LINK_ID_END_RE = re.compile(rf"https?://\S+?/[\w-]*\d[\w-]*/(?=[@#]\w|[{_UPPER}][a-zß-ÿ])")
# Labels a page puts before an embed, glued to the text on both sides (`granizo.Ver másEsta…`).
EMBED_LABELS = ("Ver más", "See more", "View this post on Instagram")
EMBED_LABEL_RE = re.compile(rf"(?:{'|'.join(EMBED_LABELS)})(?=[\"“¿¡@#{_UPPER}])")


# Where a block may end inside a unit of a glued body although no sentence ends there: a
# capitalised word after a word (`…se manifiesta Includes a 90-day…`), or a sentence end
# before a word in lower case (`"Welcome Jose". what´s your…`).
SOFT_CUT_RE = re.compile(
    rf"(?<=[^\s.!?…:;,(\[“«¿¡-])\s+(?=[{_UPPER}][a-zß-ÿ])|(?<=[.!?…])\s+(?=[a-zß-ÿ])"
)


@dataclass(frozen=True)
class Unit:
    """A piece of text between boundaries: `[start, end)` into the document, no blanks around
    it. `line` is its physical line (0 = the title's), `block` the number of blank lines before
    it, `join` how it follows the text before it (one of `JOINS`)."""

    start: int
    end: int
    line: int
    block: int
    join: str


def join_between(doc: str, end: int, start: int) -> str:
    """How text starting at `start` follows text ending at `end` (-1: nothing before it)."""
    if end < 0:
        return "blank"
    gap = doc[end:start]
    newlines = gap.count("\n")
    if newlines >= 2:
        return "blank"
    if newlines:
        return "newline"
    return "space" if gap else "glued"


class Lines:
    """Where the document's physical lines start and how many blank lines come before each
    offset, for lookups by offset."""

    def __init__(self, doc: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", doc)]
        blank_runs = re.finditer(r"\S[^\S\n]*\n(?:[^\S\n]*\n)+", doc)
        self.blank_ends = [m.end() for m in blank_runs]

    def line(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def block(self, offset: int) -> int:
        return bisect_right(self.blank_ends, offset)


def units_of(
    doc: str, excluded: Sequence[tuple[int, int]], split_lines: set[int], lines: Lines
) -> list[Unit]:
    """The units of `doc` outside the `excluded` spans (attributions, cards), in document
    order. Lines in `split_lines` (those holding an attribution) and the lines next to them are
    cut at glued block joins, at link ends and around embed labels; lines in `split_lines` also
    at sentence ends. Other lines are units whole: no tweet is weighed there."""
    out: list[Unit] = []
    previous_end, k = -1, 0
    for start, end in _pieces(doc, excluded, split_lines, lines):
        while k < len(excluded) and excluded[k][1] <= start:
            previous_end = max(previous_end, excluded[k][1])
            k += 1
        join = join_between(doc, previous_end, start)
        out.append(Unit(start, end, lines.line(start), lines.block(start), join))
        previous_end = end
    return out


def _pieces(
    doc: str, excluded: Sequence[tuple[int, int]], split_lines: set[int], lines: Lines
) -> Iterator[tuple[int, int]]:
    pos = 0
    for ex_start, ex_end in [*excluded, (len(doc), len(doc))]:
        yield from _cut(doc, pos, ex_start, split_lines, lines)
        pos = max(pos, ex_end)


def _cut(
    doc: str, start: int, end: int, split_lines: set[int], lines: Lines
) -> Iterator[tuple[int, int]]:
    """The units of `doc[start:end]`, a stretch with no attribution in it."""
    for m in re.finditer(r"[^\n]+", doc[start:end]):
        a, b = start + m.start(), start + m.end()
        line = lines.line(a)
        if not {line - 1, line, line + 1} & split_lines:  # far from any attribution: whole
            a, b = strip_span(doc, a, b)
            if b > a:
                yield a, b
            continue
        quotes = [q.start() for q in re.finditer('"', doc[a:b])]
        cuts = sorted(
            {
                *(
                    _after_closing_quote(doc, x.end(), a, quotes)
                    for x in GLUED_END_RE.finditer(doc, a, b)
                ),
                *(x.end() for x in GLUED_BLOCK_RE.finditer(doc, a, b)),
                *(x.end() for x in LINK_END_RE.finditer(doc, a, b)),
                *(x.end() for x in LINK_THEN_SENTENCE_RE.finditer(doc, a, b)),
                *(x.end() for x in LINK_ID_END_RE.finditer(doc, a, b)),
                *(p for x in EMBED_LABEL_RE.finditer(doc, a, b) for p in (x.start(), x.end())),
            }
        )
        split = line in split_lines
        for s, e in zip([a, *cuts], [*cuts, b], strict=True):
            if split:
                yield from split_spans(doc[s:e], s)
            else:
                s, e = strip_span(doc, s, e)
                if e > s:
                    yield s, e


def _after_closing_quote(doc: str, cut: int, line_start: int, quotes: list[int]) -> int:
    """A straight quote right after a glued sentence end closes a quotation when the line has
    opened one (an odd number of them before it, `quotes` being their offsets in the line):
    it stays with the sentence it closes."""
    if doc.startswith('"', cut) and bisect_left(quotes, cut - line_start) % 2 == 1:
        return cut + 1
    return cut
