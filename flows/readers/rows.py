"""Scrapes stored as rows: JSONL, a JSON array, CSV and Parquet files, one article per
record. Each file is read as a stream (a record at a time; Parquet a batch of rows at a
time), so a multi-gigabyte scrape never sits in memory whole. Every record ends as an
`Article` or a `Reject` naming its row; a bad record never stops the file."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flows.readers.ingest import MAX_BYTES, Decoded, decode, reason_of, record_article
from flows.records import Article, Reject, record_path

# Column names tried in order when no --text-field/--title-field/--id-field is given.
TEXT_FIELDS = ("text", "content", "body", "articleBody")
TITLE_FIELDS = ("title", "headline")
ID_FIELDS = ("id", "doc_id", "article_id", "uuid")
URL_FIELDS = ("url", "link", "source_url")
# A record (a JSONL line, a CSV record, a JSON array element) longer than this is rejected
# unread: its text alone may be up to `MAX_BYTES`, the rest is room for other fields.
MAX_RECORD_BYTES = 4 * MAX_BYTES
PARQUET_BATCH_ROWS = 256
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Fields:
    """Which field of a record holds the text, the title and the id: the one named, or the
    first of the defaults that the record has."""

    text: str | None = None
    title: str | None = None
    id: str | None = None

    def text_names(self) -> tuple[str, ...]:
        return (self.text,) if self.text else TEXT_FIELDS

    def title_names(self) -> tuple[str, ...]:
        return (self.title,) if self.title else TITLE_FIELDS

    def id_names(self) -> tuple[str, ...]:
        return (self.id,) if self.id else ID_FIELDS

    def wanted(self) -> tuple[str, ...]:
        """Every column a record may be read from (Parquet reads only these)."""
        names = (*self.text_names(), *self.title_names(), *self.id_names(), *URL_FIELDS)
        return tuple(dict.fromkeys(names))


DEFAULT_FIELDS = Fields()


def read_records(path: Path, fields: Fields = DEFAULT_FIELDS) -> Iterator[Article | Reject]:
    """Every record of a row file as an `Article` or a `Reject`; a file that cannot be read
    at all is one `Reject` (its `source_path` the file itself)."""
    kind = path.suffix.lower()
    source = str(path)
    try:
        if kind == ".parquet":
            yield from _parquet(path, fields)
            return
        with open(path, "rb") as fh:
            if kind == ".csv":
                yield from _csv(fh, source, fields)
            elif kind == ".json" and _first_char(fh) == b"[":
                yield from _json_array(fh, source, fields)
            else:  # JSONL; a `.json` file of one object (or of lines) reads the same way
                yield from _jsonl(fh, source, fields)
    except OSError as exc:
        yield Reject(source, "unreadable", reason_of(exc))


def record(
    values: Mapping[str, Any],
    file: str,
    row: int,
    fields: Fields,
    encoding: str = "utf-8",
    confidence: float = 1.0,
) -> Article | Reject:
    """One record (field name → value) → an `Article`, or the `Reject` saying why not."""
    where = record_path(file, row)
    text_name = next((n for n in fields.text_names() if n in values), None)
    if text_name is None:
        names = ", ".join(fields.text_names())
        return Reject(where, "no_text", f"no text field (tried {names})", row)
    text = _as_text(values[text_name])
    if not isinstance(text, str):
        return Reject(where, "text_not_string", f"field {text_name!r} is {text[1]}", row)
    title = next((t for n in fields.title_names() if (t := _plain(values.get(n)))), None)
    # a body whose first line is the title already keeps it once
    if title and text.lstrip().partition("\n")[0].strip() != title:
        text = f"{title}\n\n{text}"
    ident = next((i for n in fields.id_names() if (i := _plain(values.get(n)))), None)
    url = next((u for n in URL_FIELDS if (u := _plain(values.get(n)))), None)
    return record_article(text, file, row, encoding, confidence, ident, url)


def _as_text(value: Any) -> str | tuple[None, str]:
    """A field's value as text: a string as it is, bytes decoded as a `.txt` file is;
    anything else is no text (with what it is, for the message)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        decoded = decode(value)
        if isinstance(decoded, Decoded):
            return decoded.text
        return None, f"{decoded} bytes, not text"
    if value is None:
        return None, "null"
    return None, f"a {_json_type(value)}, not a string"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _plain(value: Any) -> str | None:
    """A title, id or URL as one stripped string (numbers as written), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        text = " ".join(str(value).split())
        return text or None
    return None


def _first_char(fh: IO[bytes]) -> bytes:
    """The first character that is not white space or a BOM (the stream is rewound)."""
    head = fh.read(_CHUNK).lstrip(b"\xef\xbb\xbf").lstrip()
    fh.seek(0)
    return head[:1]


# --- JSONL ----------------------------------------------------------------------------


def _lines(fh: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """`(line number, bytes)` of each line, without its end; None for a line over
    `MAX_RECORD_BYTES`, which is skipped unread (never held whole)."""
    number = 0
    while True:
        line = fh.readline(MAX_RECORD_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            while (rest := fh.readline(_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        yield number, line.rstrip(b"\r\n")


def _jsonl(fh: IO[bytes], source: str, fields: Fields) -> Iterator[Article | Reject]:
    for number, line in _lines(fh):
        where = record_path(source, number)
        if line is None:
            yield _oversized(where, number)
            continue
        if not line.strip():
            continue
        decoded = decode(line)
        if not isinstance(decoded, Decoded):
            yield Reject(where, decoded, f"line {number} is {decoded}, not text", number)
            continue
        try:
            values = json.loads(decoded.text)
        except ValueError as exc:
            yield Reject(where, "bad_json", f"line {number}: {_json_error(exc)}", number)
            continue
        if not isinstance(values, dict):
            what = f"a JSON {_json_type(values)}, not an object"
            yield Reject(where, "bad_json", f"line {number} is {what}", number)
            continue
        yield record(values, source, number, fields, decoded.encoding, decoded.confidence)


def _oversized(where: str, row: int) -> Reject:
    return Reject(where, "too_large", f"record over the {MAX_RECORD_BYTES} byte limit", row)


def _json_error(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON ({exc.msg} at column {exc.colno})"
    return f"not JSON ({' '.join(str(exc).split())})"


# --- a JSON array -----------------------------------------------------------------------


def _json_array(fh: IO[bytes], source: str, fields: Fields) -> Iterator[Article | Reject]:
    """The elements of a top-level JSON array, one at a time (`raw_decode` on a buffer that
    holds one element, grown until it parses or passes `MAX_RECORD_BYTES`). JSON is UTF-8;
    a broken element ends the file with one reject, since nothing after it can be trusted."""
    decoder = json.JSONDecoder()
    reader = _Utf8Reader(fh)
    buffer = reader.read().lstrip("\ufeff").lstrip()[1:]  # past the `[`
    row = 0
    while True:
        buffer = buffer.lstrip()
        while not buffer and not reader.done:
            buffer = reader.read().lstrip()
        if buffer.startswith("]") or (not buffer and reader.done):
            return
        if buffer.startswith(","):
            buffer = buffer[1:]
            continue
        row += 1
        where = record_path(source, row)
        while True:
            try:
                values, end = decoder.raw_decode(buffer)
                break
            except ValueError as exc:
                if reader.done or len(buffer.encode("utf-8")) > MAX_RECORD_BYTES:
                    if not reader.done:
                        yield _oversized(where, row)
                    else:
                        message = f"record {row}: {_json_error(exc)}; the records after it are lost"
                        yield Reject(where, "bad_json", message, row)
                    return
                buffer += reader.read(len(buffer))
        buffer = buffer[end:]
        if isinstance(values, dict):
            yield record(values, source, row, fields, reader.encoding)
        else:
            what = f"a JSON {_json_type(values)}, not an object"
            yield Reject(where, "bad_json", f"record {row} is {what}", row)


class _Utf8Reader:
    """Text from a binary stream in chunks, invalid UTF-8 bytes replaced (and noted)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.done = False
        self.replaced = 0

    @property
    def encoding(self) -> str:
        return f"utf-8 ({self.replaced} invalid bytes replaced)" if self.replaced else "utf-8"

    def read(self, at_least: int = 0) -> str:
        data = self.fh.read(max(_CHUNK, at_least))
        self.done = not data
        text = self.decoder.decode(data, final=self.done)
        self.replaced += text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
        return text


# --- CSV --------------------------------------------------------------------------------


def _decoded_lines(fh: IO[bytes], bad: dict[int, str]) -> Iterator[str]:
    """The file's lines as text, each decoded on its own (a scrape appended to over time
    may mix encodings); an oversized or undecodable line is noted in `bad` (line number →
    reason) and read as an empty line."""
    for number, line in _lines(fh):
        if line is None:
            bad[number] = "too_large"
            yield "\n"
            continue
        decoded = decode(line)
        if isinstance(decoded, Decoded):
            yield decoded.text + "\n"
        else:
            bad[number] = decoded
            yield "\n"


def _csv(fh: IO[bytes], source: str, fields: Fields) -> Iterator[Article | Reject]:
    """Records of a CSV file with a header row; a quoted field may hold newlines. A record
    whose field count differs from the header's is rejected (a broken quote or delimiter)."""
    bad: dict[int, str] = {}
    lines = _decoded_lines(fh, bad)
    reader = csv.reader(lines, strict=True)
    csv.field_size_limit(MAX_RECORD_BYTES)
    try:
        header = next(reader)
    except StopIteration:
        yield Reject(source, "empty", "the file has no header row")
        return
    except csv.Error as exc:
        yield Reject(source, "bad_csv", f"the header row does not parse: {exc}")
        return
    names = [h.strip() for h in header]
    if missing := _no_text_column(source, fields, names, "the header"):
        yield missing
        return
    row = 0
    while True:
        first_line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row += 1
            where = record_path(source, row)
            yield Reject(where, "bad_csv", f"record {row} (line {first_line}): {exc}", row)
            continue
        if not values:  # a blank line, or one that could not be read
            if reader.line_num in bad:
                row += 1
                yield _bad_line(source, row, reader.line_num, bad[reader.line_num])
            continue
        row += 1
        where = record_path(source, row)
        broken = [n for n in range(first_line, reader.line_num + 1) if n in bad]
        if broken:
            yield _bad_line(source, row, broken[0], bad[broken[0]])
        elif len(values) != len(names):
            counts = f"{len(values)} fields, the header {len(names)}"
            yield Reject(where, "bad_csv", f"record {row} (line {first_line}) has {counts}", row)
        else:
            yield record(dict(zip(names, values, strict=True)), source, row, fields)


def _bad_line(source: str, row: int, line: int, reason: str) -> Reject:
    where = record_path(source, row)
    return Reject(where, reason, f"record {row}: line {line} is {reason.replace('_', ' ')}", row)


# --- Parquet ----------------------------------------------------------------------------


def _parquet(path: Path, fields: Fields) -> Iterator[Article | Reject]:
    """Rows of a Parquet file, a batch at a time, reading only the columns a record may
    be made of. A string column holding bytes (binary, as some writers store text) is
    decoded as a `.txt` file's bytes are."""
    # pyarrow: start-up of commands that read no dataset
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = str(path)
    try:
        file = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        message = " ".join(str(exc).split())
        yield Reject(source, "bad_parquet", f"not a readable Parquet file: {message}")
        return
    names = file.schema_arrow.names
    if missing := _no_text_column(source, fields, names, "the file"):
        yield missing
        return
    columns = [n for n in fields.wanted() if n in names]
    row = 0
    try:
        for batch in file.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
            for values in batch.to_pylist():
                row += 1
                yield record(values, source, row, fields)
    except (pa.ArrowException, OSError) as exc:
        message = " ".join(str(exc).split())
        row += 1
        message = f"rows from {row} on cannot be read: {message}"
        yield Reject(record_path(source, row), "bad_parquet", message, row)


def _no_text_column(source: str, fields: Fields, names: list[str], where: str) -> Reject | None:
    """A reject for a table none of whose columns is a text field, naming what it has."""
    if any(n in names for n in fields.text_names()):
        return None
    tried = ", ".join(fields.text_names())
    shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
    message = f"no text column (tried {tried}; {where} has {shown}); --text-field names it"
    return Reject(source, "no_text", message)
