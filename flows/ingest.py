"""Ingest stage: find the `.txt` articles, decode them, normalise the text and derive the
content-addressed `doc_id`. Every input ends as an `Article` or a `Reject` with a reason."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from flows.errors import UsageError
from flows.records import Article, Reject

MAX_BYTES = 20 * 1024 * 1024
# Share of characters that may be control characters before text is called binary.
MAX_CONTROL_SHARE = 0.01


def discover(paths: Iterable[Path | str]) -> list[Path]:
    """Every `.txt` file under `paths` (files taken as given, folders searched recursively),
    as absolute paths (runs started from other folders name a file the same way), sorted and
    without duplicates. A path that does not exist is a usage error."""
    found: set[Path] = set()
    for raw in paths:
        path = Path(os.path.abspath(raw))
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".txt")
        elif path.is_file():
            found.add(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    return sorted(found)


def normalise(text: str) -> str:
    """NFC, `\\r\\n`/`\\r` → `\\n`, no BOM, no trailing blanks at the end of the document."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return unicodedata.normalize("NFC", text).rstrip()


def _decode(data: bytes) -> tuple[str, str] | None:
    """The text and the encoding it was read with, or None when it is not text."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        return None
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        return None
    return str(best), best.encoding


def read_article(path: Path) -> Article | Reject:
    """One file → an `Article`, or a `Reject` saying why it cannot be one."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Reject(source, "too_large", f"{size} bytes is over the {MAX_BYTES} byte limit")
        data = path.read_bytes()
    except OSError as exc:
        return Reject(source, "unreadable", exc.strerror or str(exc))
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Reject(source, "binary", "contains NUL bytes: not a text file")
    decoded = _decode(data)
    if decoded is None:
        return Reject(source, "undecodable", "not UTF-8 and no other text encoding fits")
    raw, encoding = decoded
    text = normalise(raw)
    if not text.strip():
        return Reject(source, "empty", "the file has no text")
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t")
    if controls > MAX_CONTROL_SHARE * len(text):
        return Reject(source, "binary", f"{controls} control characters: not a text file")
    return _article(text, source, encoding)


def doc_text(text: str, source_path: str, encoding: str = "utf-8") -> Article:
    """An `Article` for already-decoded text: normalised, with its content-derived ids."""
    return _article(normalise(text), source_path, encoding)


def _article(text: str, source_path: str, encoding: str) -> Article:
    """An `Article` for text that is already normalised."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(digest[:16], source_path, text, digest, encoding)


def ingest(
    paths: Iterable[Path | str], written: Mapping[str, str] | None = None
) -> tuple[list[Article], list[Reject]]:
    """All articles under `paths`, one per distinct content, and the rejected inputs. A file
    whose content is already an article under another name is rejected as `duplicate`; of
    such files, the one a document was already written from (`written`: doc_id →
    source_path) stays the article."""
    written = written or {}
    articles: dict[str, Article] = {}
    rejects: list[Reject] = []
    for path in discover(paths):
        result = read_article(path)
        if isinstance(result, Reject):
            rejects.append(result)
            continue
        first = articles.get(result.doc_id)
        if first is None:
            articles[result.doc_id] = result
            continue
        keep, drop = first, result
        stored = written.get(result.doc_id)
        if stored is not None and _same_file(stored, result.source_path):
            keep, drop = result, first
        articles[result.doc_id] = keep
        rejects.append(_duplicate(drop.source_path, keep.source_path))
    return list(articles.values()), rejects


def split_seen(
    articles: Iterable[Article], seen: Mapping[str, str]
) -> tuple[list[Article], list[Article], list[Reject]]:
    """Split against the documents already written (`seen`: doc_id → source_path): the new
    articles; those already there from the same file (skipped); and a `duplicate` reject
    for each one already there from another file, so that it too is accounted for."""
    new: list[Article] = []
    skipped: list[Article] = []
    duplicates: list[Reject] = []
    for article in articles:
        first = seen.get(article.doc_id)
        if first is None:
            new.append(article)
        elif _same_file(first, article.source_path):
            skipped.append(article)
        else:
            duplicates.append(_duplicate(article.source_path, first))
    return new, skipped, duplicates


def _duplicate(source_path: str, first: str) -> Reject:
    return Reject(source_path, "duplicate", f"same content as {first}")


def _same_file(a: str, b: str) -> bool:
    """Whether two paths (relative or absolute, as given on two command lines) name one file."""
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them is gone (renamed or removed): not known to be the same
        return False
