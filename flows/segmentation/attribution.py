"""Tweet attributions, recognised by their shape: `— Display Name (@handle)` followed by a date,
by a date on the next line, or by nothing. The date may be in any format or language, garbled
by the scraper (`April ??, 2023`) or in Twitter's old embed style (`3:45 PM - 13 Apr 2023`);
a date that cannot be read leaves `posted_on` empty and says so, it never hides the tweet."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.records import Segment

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
# Words that join the parts of a written date (`13 de abril de 2023`, `13 d'abril`, `of`).
_JOINERS = frozenset({"de", "del", "d'", "of", "the"})
# One token of a written date: a word (a month in some language), a day, `??`, a joiner.
_DATE_TOKEN = r"(?:d'|[^\W\d_]{2,12}\.?|\d{1,2}(?:st|nd|rd|th|er|º|\.)?|\?{1,4})"
# A date ends with its year, or with what the scraper left of it (`20??`, `????`).
_YEAR = r"(?:\d{4}|\d{2}\?{2}|\?{4})"
_CLOCK = r"(?:\d{1,2}[:.]\d{2}\s*(?:[ap]\.?\s?m\.?)?\s*[-–·]\s*)"
DATE_PATTERN = (
    rf"(?P<date>{_CLOCK}?(?:{_DATE_TOKEN}[\s,]*){{1,5}}{_YEAR}|\d{{1,2}}/\d{{1,2}}/{_YEAR})"
)
_NAME_HANDLE = r"(?P<name>(?:[^—–―()\n]|\([^@()\n]*\)){0,80}?)\s*\(\s*@(?P<handle>\w{1,15})\s*\)"
# `— Name (@handle)`, found wherever it stands, mid-line included: the dash may touch the text
# before it (`…/xyz— Name`) or be `--` after a space.
ATTRIBUTION_RE = re.compile(
    rf"(?:[—–―]|(?:^|(?<=\s))--?)[ \t]*{_NAME_HANDLE}", re.IGNORECASE | re.M
)
# A line that is nothing but `Name (@handle) Date`, without the dash.
BARE_ATTRIBUTION_RE = re.compile(
    rf"^[ \t]*{_NAME_HANDLE}[ \t]+(?={DATE_PATTERN}[ \t]*$)", re.IGNORECASE | re.M
)
# The date after the handle: on the same line, glued to it, or alone on the next line. It ends
# where its year ends, even when the next sentence is glued to it (`April 7, 2022El…`).
_DATE_AFTER_RE = (
    re.compile(rf"[ \t]*{DATE_PATTERN}(?!\d)", re.IGNORECASE),
    re.compile(rf"[ \t]*\r?\n[ \t]*{DATE_PATTERN}(?=[ \t]*(?:\r?\n|$))", re.IGNORECASE),
)
# After an attribution without a date, article text may follow (a capital, a line break, the
# end, a link continuing the tweet) but not running prose (`(@jperez), who…`, `(@jperez) — said`).
_OPEN_AFTER_RE = re.compile(
    r"[ \t]*(?:$|\n|[^\W\d_](?<![a-zß-ÿ])|[\"“«¿¡@#\d]|pic\.twitter\.com/|https?://|t\.co/)"
)
# The Twitter widget card: `Follow` / `Name @handle` / text / `9:05 PM - 3 Oct 2016` /
# `1,204 1,204 Retweets   987 987 likes`: the handle before the text, no dash.
_CARD_STAMP = r"\d{1,2}:\d{2}\s*[AP]M\s*-\s*\d{1,2}\s+[^\W\d_]{3,9}\.?\s+\d{4}"
_COUNT = r"[\d,.]+K?"
CARD_RE = re.compile(
    rf"(?<![\w@])Follow\s+(?P<name>[^\n@]{{0,60}}?)\s*@(?P<handle>\w{{1,15}})(?!\w)\s*"
    rf"(?P<text>[^\n]*?(?:\n[^\n]*?){{0,8}}?)\s*(?P<date>{_CARD_STAMP})"
    rf"(?P<counts>\s+{_COUNT}\s+{_COUNT}\s+Retweets?(?:\s+{_COUNT}\s+{_COUNT}\s+likes?)?)?",
)


@dataclass(frozen=True)
class Attribution:
    """A tweet attribution found in a document: `[start, end)` covers the credit and its date
    (metadata, never tweet text). A card (`Follow Name @handle text date counts`) also says
    where its text is: `text_start`/`text_end`, inside `[start, end)`."""

    start: int
    end: int
    name: str | None
    handle: str
    posted_on: date | None
    date_written: str | None  # the date as written, when there is one
    text_start: int | None = None
    text_end: int | None = None

    @property
    def date_unreadable(self) -> bool:
        return self.date_written is not None and self.posted_on is None

    @property
    def card(self) -> bool:
        return self.text_start is not None


def find_all(doc: str) -> list[Attribution]:
    """Every tweet attribution and widget card in `doc`, in document order, without overlaps."""
    found = [
        a
        for line_start, line_end in _lines_with(doc, "(@")  # the patterns are tried only there
        for pattern in (ATTRIBUTION_RE, BARE_ATTRIBUTION_RE)
        for m in pattern.finditer(doc, line_start, line_end)
        if (a := _credit(doc, m))
    ]
    if "Follow" in doc:
        found += [_card(m) for m in CARD_RE.finditer(doc)]
    found.sort(key=lambda a: (a.start, -a.end))
    out: list[Attribution] = []
    for a in found:
        if not out or a.start >= out[-1].end:
            out.append(a)
    return out


def _lines_with(doc: str, mark: str) -> list[tuple[int, int]]:
    """`(start, end)` of each line of `doc` holding `mark`, once each."""
    out: list[tuple[int, int]] = []
    at = doc.find(mark)
    while at >= 0:
        start = doc.rfind("\n", 0, at) + 1
        end = doc.find("\n", at)
        end = len(doc) if end < 0 else end
        out.append((start, end))
        at = doc.find(mark, end)
    return out


def _credit(doc: str, m: re.Match[str]) -> Attribution | None:
    end = m.end()
    written = None
    for date_re in _DATE_AFTER_RE:
        dm = date_re.match(doc, end)
        if dm is not None and is_date(dm.group("date")):
            written, end = dm.group("date"), dm.end()
            break
    if written is None and _OPEN_AFTER_RE.match(doc, end) is None:
        return None  # `(@handle)` in running prose, not an attribution
    return Attribution(
        start=m.start(),
        end=end,
        name=m.group("name").strip() or None,
        handle=m.group("handle"),
        posted_on=parse_date(written) if written else None,
        date_written=written,
    )


def _card(m: re.Match[str]) -> Attribution:
    end = m.end()
    text_start, text_end = m.start("text"), m.end("text")
    while text_end > text_start and m.string[text_end - 1].isspace():
        text_end -= 1
    return Attribution(
        start=m.start(),
        end=end,
        name=m.group("name").strip() or None,
        handle=m.group("handle"),
        posted_on=parse_date(m.group("date")),
        date_written=m.group("date"),
        text_start=text_start,
        text_end=text_end,
    )


def is_date(written: str) -> bool:
    """A run of date tokens is a date when it has a day and at most one of its words is not a
    joiner: `April ??, 2023`, `13 de abril de 2023`, but not `in the year 2023`."""
    words = [w for w in re.findall(r"d'|[^\W\d_]+", written.lower()) if w not in _JOINERS]
    words = [w for w in words if w not in ("am", "pm", "a", "p", "m")]
    return len(words) <= 1 and _DAY_RE.search(written) is not None


# Every embed date has its day (`13`, `13th`, or `??` where the scraper garbled it): `In 2016`
# glued after a credit is the article's next sentence, not a date.
_DAY_RE = re.compile(r"(?<![\d:])(?:\d{1,2}(?!\d)(?!:)|\?{2})")


_OWN_DATE_RE = re.compile(
    r"^(?:(?P<mon>[^\W\d_]+)\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})"
    r"|(?P<day2>\d{1,2})\.?\s+(?:de\s+)?(?P<mon2>[^\W\d_]+)\.?,?\s+(?:(?:de|del)\s+)?(?P<year2>\d{4}))$",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def parse_date(written: str) -> date | None:
    """The calendar date of `written`; None when it is garbled. English and Spanish month names
    are read here; other languages and formats by dateparser (offline, 200+ locales)."""
    if "?" in written:
        return None
    text = re.sub(rf"^{_CLOCK}", "", written.strip(), flags=re.IGNORECASE)
    m = _OWN_DATE_RE.match(text)
    if m:
        mon = (m.group("mon") or m.group("mon2")).lower()
        day = m.group("day") or m.group("day2")
        year = m.group("year") or m.group("year2")
        if mon in MONTHS:
            try:
                return date(int(year), MONTHS[mon], int(day))
            except ValueError:
                return None
    return _dateparser(text)


def _dateparser(text: str) -> date | None:
    # dateparser: slow to import, only for dates the fixed formats miss
    import dateparser

    parsed = dateparser.parse(
        text,
        settings={
            "STRICT_PARSING": True,
            "REQUIRE_PARTS": ["day", "month", "year"],
            "PREFER_LOCALE_DATE_ORDER": True,
        },
    )
    return parsed.date() if parsed else None


# What reads like a tweet's credit whatever its handle's length (Twitter's limit is 15): `— Name
# (@handle)…`, `Name (@handle) <date>` on a line of its own, or a card's `Follow Name @handle`.
# Text like this outside a tweet is a tweet the segmenter did not see.
_LOOSE_HANDLE = r"\(\s*@\w+\s*\)"
CREDIT_LIKE_RE = re.compile(
    rf"(?:[—–―]|(?:^|(?<=\s))--?)\s*[^—–―()\n]{{0,80}}?{_LOOSE_HANDLE}[^\n]{{0,40}}"
    rf"|^[^()\n]{{1,80}}?{_LOOSE_HANDLE}[ \t]+{DATE_PATTERN}[ \t]*$"
    r"|(?<![\w@])Follow\s+[^\n@]{0,60}?@\w+",
    re.MULTILINE,
)
# Other embeds carry credits too: `A post shared by Name (@handle)` (Instagram).
_OTHER_EMBED_RE = re.compile(r"\bpost shared by\b", re.IGNORECASE)


def credits_in(text: str) -> list[str]:
    """The pieces of `text` that read like a tweet's credit (not another embed's)."""
    if "@" not in text:  # most segments: no handle, no credit (the pattern is not tried)
        return []
    return [
        m.group(0).strip()
        for m in CREDIT_LIKE_RE.finditer(text)
        if not _OTHER_EMBED_RE.search(text[max(m.start() - 40, 0) : m.end()])
    ]


def credits_missed(segments: Iterable[Segment]) -> int:
    """How many pieces of an article's own text (not its tweets, not boilerplate) read like a
    tweet's credit: tweets the segmenter did not see, counted so that a miss is never silent."""
    return sum(len(credits_in(s.text)) for s in segments if s.kind not in ("tweet", "boilerplate"))
