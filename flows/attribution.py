"""Tweet attributions, recognised by their shape: `— Display Name (@handle)` followed by a date,
by a date on the next line, or by nothing. The date may be in any format or language, garbled
by the scraper (`April ??, 2023`) or in Twitter's old embed style (`3:45 PM - 13 Apr 2023`);
a date that cannot be read leaves `posted_on` empty and says so, it never hides the tweet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

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
# `— Name (@handle)`: the dash may touch the text before it (`…/xyz— Name`) or be `--`.
ATTRIBUTION_RE = re.compile(
    rf"(?:[—–―]|(?:^|(?<=\s))--?)\s*{_NAME_HANDLE}(?P<tail>[^\n]*)$", re.IGNORECASE
)
# A line that is nothing but `Name (@handle) Date`, without the dash.
BARE_ATTRIBUTION_RE = re.compile(rf"^\s*{_NAME_HANDLE}(?P<tail>\s+{DATE_PATTERN}\s*)$", re.I)
DATE_AT_START_RE = re.compile(rf"\s*{DATE_PATTERN}(?=\s|$)", re.IGNORECASE)
DATE_LINE_RE = re.compile(rf"^\s*{DATE_PATTERN}\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Attribution:
    """An attribution found in a line. Offsets are relative to the line: `start` is where the
    attribution (its dash) begins, so the line's text before it may be tweet text; `rest` is
    where article text resumes after the date on the same line, if it does."""

    start: int
    rest: int | None
    name: str | None
    handle: str
    posted_on: date | None
    date_written: str | None  # the date as written, when there is one

    @property
    def date_unreadable(self) -> bool:
        return self.date_written is not None and self.posted_on is None


def find(line: str) -> Attribution | None:
    """The tweet attribution in `line`, if the line holds one."""
    m = ATTRIBUTION_RE.search(line) or BARE_ATTRIBUTION_RE.match(line)
    if m is None:
        return None
    tail = m.group("tail")
    tail_start = m.start("tail")
    written, rest = None, None
    if tail.strip():
        dm = DATE_AT_START_RE.match(tail)
        if dm is None or not is_date(dm.group("date")):
            return None  # `(@handle)` in running prose, not an attribution
        written = dm.group("date")
        after = tail[dm.end() :]
        if after.strip():
            rest = tail_start + dm.end() + (len(after) - len(after.lstrip()))
    return Attribution(
        start=m.start(),
        rest=rest,
        name=m.group("name").strip() or None,
        handle=m.group("handle"),
        posted_on=parse_date(written) if written else None,
        date_written=written,
    )


def date_line(line: str) -> str | None:
    """The date written alone on `line` (the line after an attribution without one)."""
    m = DATE_LINE_RE.match(line)
    return m.group("date") if m and is_date(m.group("date")) else None


def is_date(written: str) -> bool:
    """A run of date tokens is a date when at most one of its words is not a joiner: `April ??,
    2023`, `13 de abril de 2023`, but not `in the year 2023`."""
    words = [w for w in re.findall(r"d'|[^\W\d_]+", written.lower()) if w not in _JOINERS]
    words = [w for w in words if w not in ("am", "pm", "a", "p", "m")]
    return len(words) <= 1


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
