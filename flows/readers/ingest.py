"""Ingest stage: find the inputs (`.txt` articles, HTML pages, row files of scraped
records), decode them, normalise the text and derive the content-addressed `doc_id`. Every
input (every record of a row file) ends as an `Article` or a `Reject` with a reason."""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from flows.errors import UsageError
from flows.records import Article, Reject, record_path

# Larger files are rejected as `too_large`. Segmentation is linear (about 2 s per MB here),
# but language detection costs 20-100 s per MB on a busy 2-core machine, whether the text
# comes in lines or as one line (`benchmarks/long_line.py`); news articles are under 100 KB.
MAX_BYTES = 1024 * 1024
# Share of characters that may be control characters before text is called binary.
MAX_CONTROL_SHARE = 0.01
# The control characters (Unicode category Cc: C0, DEL and C1) but tab and newline.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The kinds of input read, by file name suffix: one article per file, one per record.
TEXT_KINDS = (".txt",)
PAGE_KINDS = (".html", ".htm")
RECORD_KINDS = (".jsonl", ".ndjson", ".json", ".csv", ".parquet")
KINDS = (*TEXT_KINDS, *PAGE_KINDS, *RECORD_KINDS)


def discover(paths: Iterable[Path | str], *, follow_symlinks: bool = False) -> list[Path]:
    """Every readable input file under `paths` (see `scan`), as sorted absolute paths. A path
    that does not exist is a usage error."""
    return scan(paths, follow_symlinks=follow_symlinks)[0]


def scan(
    paths: Iterable[Path | str], *, follow_symlinks: bool = False
) -> tuple[list[Path], list[Reject]]:
    """The input files under `paths` (of a kind in `KINDS`; folders searched recursively) as
    sorted absolute paths, and a `Reject` for every entry met that cannot be read as one:
    `unknown_kind` (a file named in `paths` whose kind is not read; in a folder such files
    are passed over), `not_a_file` (FIFO, socket, device), `broken_link`, `link_loop`,
    `unreadable` (a folder that cannot be listed) and `outside_input` (a symbolic link
    leading outside `paths`, followed only with `follow_symlinks`). A link to a folder
    inside `paths` is not followed without `follow_symlinks` (`duplicate`: its files are
    read under their own names); a link to a folder it is inside is a `link_loop`. A path
    that does not exist is a usage error."""
    roots = [Path(os.path.abspath(raw)) for raw in paths]
    for root in roots:
        if not root.exists():
            raise UsageError(f"{root}: no such file or directory")
    walk = _Walk([Path(os.path.realpath(r)) for r in roots], follow_symlinks)
    for root in roots:
        if root.is_dir():
            walk.folder(root, frozenset())
        elif _is_input(root):
            walk.file(root)
        else:
            kinds = " ".join(KINDS)
            walk.reject(root, "unknown_kind", f"not a kind of input read here ({kinds})")
    return sorted(walk.files), sorted(walk.rejects.values(), key=lambda r: r.source_path)


def is_record_file(path: Path) -> bool:
    """Whether `path` is a row file: one article per record."""
    return path.suffix.lower() in RECORD_KINDS


def _is_input(path: Path) -> bool:
    """Whether `path` names a kind of input (`KINDS`)."""
    return path.suffix.lower() in KINDS


class _Walk:
    """The state of one `scan`: what was found so far, below which real folders."""

    def __init__(self, real_roots: list[Path], follow_symlinks: bool) -> None:
        self.real_roots = real_roots
        self.follow = follow_symlinks
        self.files: set[Path] = set()
        self.rejects: dict[str, Reject] = {}

    def reject(self, path: Path, reason: str, message: str) -> None:
        self.rejects.setdefault(str(path), Reject(str(path), reason, message))

    def inside(self, real: Path) -> bool:
        return any(real == r or r in real.parents for r in self.real_roots)

    def folder(self, path: Path, above: frozenset[str]) -> None:
        """Walk the folder `path`; `above` holds the real paths of the folders being walked
        (a link back to one of them is a loop)."""
        real = os.path.realpath(path)
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.reject(path, "unreadable", f"cannot list the folder: {reason_of(exc)}")
            return
        for entry in entries:
            child = Path(entry.path)
            if entry.is_symlink():
                self.link(child, above | {real})
            elif entry.is_dir(follow_symlinks=False):
                self.folder(child, above | {real})
            elif _is_input(child):
                self.file(child)

    def file(self, path: Path) -> None:
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            self.reject(path, "unreadable", reason_of(exc))
            return
        if stat.S_ISREG(mode):
            self.files.add(path)
        else:
            self.reject(path, "not_a_file", f"a {_kind(mode)}, not a regular file")

    def link(self, path: Path, above: frozenset[str]) -> None:
        """A symbolic link met while walking: followed to a file inside the inputs (or
        anywhere with `follow`), to a folder only with `follow`."""
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            if not _is_input(path):
                return
            if exc.errno == errno.ELOOP:
                self.reject(path, "link_loop", "symbolic link loop")
            elif exc.errno in (errno.ENOENT, errno.ENOTDIR):
                self.reject(path, "broken_link", f"symbolic link to {os.readlink(path)}: missing")
            else:
                self.reject(path, "unreadable", reason_of(exc))
            return
        real = Path(os.path.realpath(path))
        is_dir = stat.S_ISDIR(mode)
        if not (is_dir or _is_input(path)):
            return
        if not self.follow and not self.inside(real):
            self.reject(
                path,
                "outside_input",
                f"symbolic link to {real}, outside the input paths "
                "(not followed; --follow-symlinks reads it)",
            )
        elif not is_dir:
            self.file(path)
        elif str(real) in above:
            self.reject(path, "link_loop", f"symbolic link to {real}, a folder it is inside")
        elif self.follow:
            self.folder(path, above)
        else:
            self.reject(
                path,
                "duplicate",
                f"symbolic link to the folder {real}, whose files are read under their own names",
            )


def reason_of(exc: OSError) -> str:
    """An `OSError` as the one-line reason of a `Reject`."""
    return exc.strerror or str(exc)


def _kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISDIR, "folder"),
    ):
        if test(mode):
            return kind
    return "special file"


def normalise(text: str) -> str:
    """NFC, `\\r\\n`/`\\r` → `\\n`, no BOM, no trailing blanks at the end of the document."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return unicodedata.normalize("NFC", text).rstrip()


@dataclass(frozen=True)
class Decoded:
    """Text read from bytes: the encoding it was read with (and what was repaired on the way,
    e.g. `utf-8 (1 invalid byte replaced)`), and how sure that reading is: 1.0 when the
    bytes say it (valid UTF-8, a BOM), else charset-normalizer's judgement (1 − chaos)."""

    text: str
    encoding: str
    confidence: float = 1.0


# (BOM, codec) in the order they must be tested: UTF-32 LE starts with UTF-16 LE's BOM.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Single-byte encodings plausible for English and Spanish, most likely first: Central and
# Eastern European pages read "niño" as "ni˝o", so they are never candidates.
LEGACY_ENCODINGS = ("cp1252", "iso8859_15", "latin_1")


def decode(data: bytes) -> Decoded | str:
    """`data` as text, or the reason code (`binary`, `undecodable`) why it is not text.
    UTF-8 first, UTF-16/32 only by BOM. Invalid sequences (usually single bytes) in UTF-8
    that has at least as many valid multi-byte characters become U+FFFD, noted in the
    encoding; otherwise the file is judged among the Western single-byte encodings (legacy
    text has almost no valid multi-byte UTF-8 by chance). A NUL byte anywhere is binary."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            if codec != "utf-8":
                try:
                    text = data[len(bom) :].decode(codec)
                except UnicodeDecodeError:
                    return "undecodable"
                return "binary" if "\x00" in text else Decoded(text, codec)
            data = data[len(bom) :]
            break
    if b"\x00" in data:
        return "binary"
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    valid = sum(1 for c in text if c > "\x7f") - text.count("\ufffd")
    if valid >= replaced:
        noun = "byte" if replaced == 1 else "bytes"
        return Decoded(text, f"utf-8 ({replaced} invalid {noun} replaced)")
    return _legacy(data)


def _legacy(data: bytes) -> Decoded | str:
    # only for files that are not UTF-8
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None or best.encoding is None:
        return "undecodable"
    return Decoded(str(best), best.encoding, round(1.0 - best.chaos, 3))


def read_bytes(path: Path, limit: int) -> bytes | Reject:
    """The bytes of the regular file `path`, at most `limit` of them, or a `Reject` saying why
    they cannot be read (missing, unreadable, not a regular file, too large)."""
    source = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the run
    except OSError as exc:
        return Reject(source, "unreadable", reason_of(exc))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Reject(source, "not_a_file", f"a {_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            return Reject(
                source, "too_large", f"{info.st_size} bytes is over the {limit} byte limit"
            )
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        return Reject(source, "unreadable", reason_of(exc))
    finally:
        os.close(fd)
    if len(data) > limit:
        return Reject(source, "too_large", f"over the {limit} byte limit")
    return data


def read_article(path: Path) -> Article | Reject:
    """One file → an `Article`, or a `Reject` saying why it cannot be one."""
    source = str(path)
    data = read_bytes(path, MAX_BYTES)
    if isinstance(data, Reject):
        return data
    decoded = decode(data)
    if decoded == "binary":
        return Reject(source, "binary", "contains NUL bytes: not a text file")
    if not isinstance(decoded, Decoded):
        return Reject(
            source,
            "undecodable",
            "not UTF-8 (nor UTF-16/32 with a BOM) and no Western "
            "single-byte encoding reads it as text",
        )
    text = normalise(decoded.text)
    if not text.strip():
        return Reject(source, "empty", "the file has no text")
    controls = len(CONTROLS.findall(text))
    if controls > MAX_CONTROL_SHARE * len(text):
        return Reject(source, "binary", f"{controls} control characters: not a text file")
    return _article(text, source, decoded.encoding, decoded.confidence)


def record_article(
    text: str,
    file: str,
    row: int,
    encoding: str = "utf-8",
    confidence: float = 1.0,
    source_id: str | None = None,
    source_url: str | None = None,
) -> Article | Reject:
    """The `Article` of one record's text (row `row` of `file`), or the `Reject` saying why
    it cannot be one: the checks `read_article` makes of a file's text."""
    where = record_path(file, row)
    if len(text) > MAX_BYTES or len(text.encode("utf-8")) > MAX_BYTES:
        return Reject(where, "too_large", f"text over the {MAX_BYTES} byte limit", row)
    text = normalise(text)
    if not text.strip():
        return Reject(where, "empty", "the record's text is empty", row)
    controls = len(CONTROLS.findall(text))
    if "\x00" in text or controls > MAX_CONTROL_SHARE * len(text):
        return Reject(where, "binary", f"{controls} control characters: not text", row)
    article = _article(text, where, encoding, confidence)
    return replace(article, source_row=row, source_id=source_id, source_url=source_url)


def doc_text(text: str, source_path: str, encoding: str = "utf-8") -> Article:
    """An `Article` for already-decoded text: normalised, with its content-derived ids."""
    return _article(normalise(text), source_path, encoding)


def _article(text: str, source_path: str, encoding: str, confidence: float = 1.0) -> Article:
    """An `Article` for text that is already normalised."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(digest[:16], source_path, text, digest, encoding, confidence)


def one_per_content(
    read: Iterable[Article | Reject],
    written: Mapping[str, str] | None = None,
    taken: Mapping[str, str] | None = None,
) -> tuple[list[Article], list[Reject]]:
    """Files read (`read_article`, in path order) → one article per distinct content and the
    rejects, a `duplicate` for each further file with the same content. Of such files, the
    one a document was already written from (`written`: doc_id → source_path) stays the
    article; a content an earlier window of the run took already (`taken`: doc_id →
    source_path) is a `duplicate` of that file."""
    written = written or {}
    taken = taken or {}
    articles: dict[str, Article] = {}
    rejects: list[Reject] = []
    for result in read:
        if isinstance(result, Reject):
            rejects.append(result)
            continue
        if result.doc_id in taken:
            rejects.append(_duplicate(result, taken[result.doc_id]))
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
        rejects.append(_duplicate(drop, keep.source_path))
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
            duplicates.append(_duplicate(article, first))
    return new, skipped, duplicates


def _duplicate(article: Article, first: str) -> Reject:
    """`article` rejected as a copy of the input `first` (named as it was read)."""
    return Reject(article.source_path, "duplicate", f"same content as {first}", article.source_row)


def _same_file(a: str, b: str) -> bool:
    """Whether two inputs (paths, relative or absolute, as given on two command lines; or
    records `<file>#<row>`) name one file or one record."""
    if a == b:
        return True
    (file_a, hash_a, row_a), (file_b, _, row_b) = a.rpartition("#"), b.rpartition("#")
    if hash_a and row_a == row_b and row_a.isdigit():  # one record (`<file>#<row>`) of a file
        a, b = file_a, file_b
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them is gone (renamed or removed): not known to be the same
        return False
