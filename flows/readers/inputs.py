"""Every input file as the articles it holds: a `.txt` file or an HTML page is one article,
a row file (JSONL, JSON, CSV, Parquet) one per record. What `scan` found goes through here."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from flows.readers.html_page import read_page
from flows.readers.ingest import PAGE_KINDS, is_record_file, one_per_content, read_article, scan
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


def articles_under(
    paths: Iterable[Path | str],
    written: Mapping[str, str] | None = None,
    *,
    follow_symlinks: bool = False,
) -> tuple[list[Article], list[Reject]]:
    """All articles under `paths`, one per distinct content, and the rejected inputs (every
    entry `scan` met that is not an article). A file whose content is already an article
    under another name is rejected as `duplicate`; of such files, the one a document was
    already written from (`written`: doc_id → source_path) stays the article."""
    files, rejects = scan(paths, follow_symlinks=follow_symlinks)
    articles, more = one_per_content(read_inputs(files), written)
    return articles, [*rejects, *more]
