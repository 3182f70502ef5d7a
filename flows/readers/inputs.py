"""Every input file as the articles it holds: a `.txt` file or an HTML page is one article,
a row file (JSONL, JSON, CSV, Parquet) one per record. What `scan` found goes through here."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from flows.readers.html_page import read_page
from flows.readers.ingest import PAGE_KINDS, is_record_file, read_article
from flows.readers.rows import DEFAULT_FIELDS, Fields, read_records
from flows.records import Article, Reject


def read_input(path: Path, fields: Fields = DEFAULT_FIELDS) -> Iterator[Article | Reject]:
    """The articles of one input file, each as an `Article` or a `Reject`, read lazily
    (a row file a record at a time)."""
    if is_record_file(path):
        yield from read_records(path, fields)
    elif path.suffix.lower() in PAGE_KINDS:
        yield read_page(path)
    else:
        yield read_article(path)


def read_inputs(
    files: Iterable[Path], fields: Fields = DEFAULT_FIELDS
) -> Iterator[Article | Reject]:
    """`read_input` of each file in turn."""
    for path in files:
        yield from read_input(path, fields)
