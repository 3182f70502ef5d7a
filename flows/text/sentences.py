"""Offline sentence splitting for English and Spanish that keeps character offsets."""

from __future__ import annotations

import re

# Abbreviations (lower-cased, without the final period) after which a period ends no sentence.
ABBREVIATIONS = frozenset(
    (
        "mr mrs ms dr prof sr sra srta dra lic ing gen col lt sgt capt gov sen rep rev st jr "
        "núm vol pp ed eds etc vs approx dept univ inc ltd corp co est fig "
        "jan feb mar apr jun jul aug sep sept oct nov dec ene abr ago dic "
        "u.s u.k u.n e.u ee.uu d.c a.m p.m i.e e.g et al"
    ).split()
)
BOUNDARY_RE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+)")
# What may open a sentence after a boundary: capital, digit, quote, opening mark, @ or #
# (`@_user` too).
OPENER_RE = re.compile(r"\s+([\"'“‘«(\[¿¡]*(?:[@#]+\w|[^\W\d_])|\d|[\"'“‘«¿¡])")


# In tweets, a hyphen stuck to a capitalised word, or a bar, often separates the same message
# in two languages (`… bridge #RGV -Militares colocan …`). Dashes in prose (`Iraqis — Iraqis`,
# `Hidalgo – Reynosa`) are not boundaries.
TWEET_SEPARATOR_RE = re.compile(r"(?<=\s)(?:-(?=[\"'“¿¡]?[A-ZÁÉÍÓÚÑ])|\|(?=\s))")


def split_spans(text: str, offset: int = 0, *, tweet: bool = False) -> list[tuple[int, int]]:
    """`[(start, end), …]` of the sentences in `text`, shifted by `offset`, no surrounding
    blanks. Lines are always separate sentences; with `tweet`, so are the parts around a
    separating dash or bar."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        for s, e in _split_line(line):
            cuts = [m.start() for m in TWEET_SEPARATOR_RE.finditer(line, s, e)] if tweet else []
            for a, b in zip([s, *cuts], [*cuts, e], strict=True):
                a, b = strip_span(line, a, b)
                if b > a:
                    spans.append((offset + line_start + a, offset + line_start + b))
        line_start += len(line) + 1
    return spans


def _split_line(line: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in BOUNDARY_RE.finditer(line):
        end = m.end()
        nxt = OPENER_RE.match(line, end)
        if nxt is None or not _opens_sentence(nxt.group(1)):
            continue
        if m.group(0).startswith(".") and len(m.group(0).rstrip("\"'”’»)]")) == 1:
            word = re.search(r"([\w.]+)\.$", line[start : m.start() + 1])
            token = word.group(1).lower() if word else ""
            if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        spans.append(strip_span(line, start, end))
        start = end
    spans.append(strip_span(line, start, len(line)))
    return [(s, e) for s, e in spans if e > s]


def _opens_sentence(opener: str) -> bool:
    last = opener[-1]
    return "@" in opener or "#" in opener or last.isdigit() or last.isupper() or not last.isalpha()


def strip_span(line: str, start: int, end: int) -> tuple[int, int]:
    """`(start, end)` moved inwards past the blanks at either end of `line[start:end]`."""
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    return start, end
