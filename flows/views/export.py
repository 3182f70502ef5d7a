"""`bilingual export`: the translated sentence pairs in the formats MT and translation-memory
tools read: TMX 1.4b, Moses plain text (one file per language, line-aligned) and JSON lines.

Only pairs whose status is `translated` in the data go out (copied, pending and failed ones
do not); each distinct pair (languages, source, target) once, with the number of times it
occurs and the ids of its first occurrence, and who said it and where it was read (the
tweet's author, handle, date and status URL; the article's input, record id and URL), so a
translation memory keeps its provenance without a join."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from flows import PIPELINE_VERSION
from flows.errors import BilingualError, UsageError
from flows.store import datasets

FORMATS = ("tmx", "moses", "jsonl")
EXPORTS = datasets.EXPORTS
STEM = "sentence_pairs"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters XML 1.0 cannot hold at all; they become U+FFFD in TMX.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Line breaks inside a sentence, as Moses files write them: one sentence per line.
_MOSES_ESCAPES = {
    ord("\\"): "\\\\",
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    **{ord(c): f"\\u{ord(c):04x}" for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"},
}
# Line separators JSON leaves unescaped but `str.splitlines` splits on.
_JSON_ESCAPES = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}


@dataclass(frozen=True)
class ExportPair:
    """A distinct translated pair, with its first occurrence and how often it occurs."""

    src_lang: str
    tgt_lang: str
    src_text: str
    tgt_text: str
    doc_id: str
    segment_id: str
    sentence_index: int
    engine: str | None
    model_id: str | None
    score: float | None
    run_date: date
    count: int
    # who said it and where it was read, so that a translation memory keeps its provenance
    author_name: str | None = None
    author_handle: str | None = None
    posted_on: date | None = None
    tweet_url: str | None = None
    source_path: str | None = None  # the article's input: its file, or `<file>#<row>`
    source_id: str | None = None
    source_url: str | None = None


@dataclass(frozen=True)
class Exported:
    paths: tuple[Path, ...]
    pairs: int
    sentences: int


def translated_pairs(root: Path, min_score: float | None = None) -> list[ExportPair]:
    """The committed `translated` pairs under `root` (with a score of at least `min_score`,
    when given), each distinct one once, in document order of its first occurrence."""
    if not datasets.part_files(root, "sentence_pairs"):
        raise BilingualError(f"{root}: no sentence_pairs dataset here; run `bilingual run` first")
    committed = datasets.committed_run_ids(root)
    rows = [
        p
        for p in datasets.read_dataset(root, "sentence_pairs").to_pylist()
        if p["run_id"] in committed
        and p["status"] == "translated"
        and p["tgt_text"] is not None
        and (min_score is None or (p["score"] is not None and p["score"] >= min_score))
    ]
    rows.sort(key=lambda p: (p["run_date"], p["doc_id"], p["segment_id"], p["sentence_index"]))
    first: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    counts: dict[tuple[str, str, str, str], int] = {}
    for p in rows:
        key = (p["src_lang"], p["tgt_lang"], p["src_text"], p["tgt_text"])
        first.setdefault(key, p)
        counts[key] = counts.get(key, 0) + 1
    said = _rows_by(root, "segments", "segment_id", {p["segment_id"] for p in first.values()})
    read = _rows_by(root, "documents", "doc_id", {p["doc_id"] for p in first.values()})
    return [
        ExportPair(
            src_lang=p["src_lang"],
            tgt_lang=p["tgt_lang"],
            src_text=p["src_text"],
            tgt_text=p["tgt_text"],
            doc_id=p["doc_id"],
            segment_id=p["segment_id"],
            sentence_index=p["sentence_index"],
            engine=p["engine"],
            model_id=p["model_id"],
            score=p["score"],
            run_date=p["run_date"],
            count=counts[key],
            **{name: said.get(p["segment_id"], {}).get(name) for name in SEGMENT_PROVENANCE},
            **{name: read.get(p["doc_id"], {}).get(name) for name in DOCUMENT_PROVENANCE},
        )
        for key, p in first.items()
    ]


SEGMENT_PROVENANCE = ("author_name", "author_handle", "posted_on", "tweet_url")
DOCUMENT_PROVENANCE = ("source_path", "source_id", "source_url")


def _rows_by(root: Path, dataset: str, key: str, values: set[str]) -> dict[str, dict[str, Any]]:
    """`key → row` of the committed rows of `dataset` whose `key` is one of `values` (the
    provenance columns only; looked up by key)."""
    names = SEGMENT_PROVENANCE if dataset == "segments" else DOCUMENT_PROVENANCE
    if not values:
        return {}
    committed = datasets.committed_run_ids(root)
    table = datasets.read_dataset(root, dataset, [key, *names, "run_id"], where=(key, values))
    return {r[key]: r for r in table.to_pylist() if r["run_id"] in committed}


# --- formats ----------------------------------------------------------------------------

# The pair's fields each format writes, in its order.
PROP_FIELDS = (
    "doc_id",
    "segment_id",
    "sentence_index",
    "engine",
    "model_id",
    "score",
    "count",
    "run_date",
    *SEGMENT_PROVENANCE,
    *DOCUMENT_PROVENANCE,
)
JSONL_FIELDS = (
    "src_lang",
    "tgt_lang",
    "src_text",
    "tgt_text",
    "count",
    *(name for name in PROP_FIELDS if name != "count"),
)


def _fields(pair: ExportPair, names: Sequence[str]) -> dict[str, Any]:
    """`names` of `pair`, in that order, dates written as ISO text."""
    values = {name: getattr(pair, name) for name in names}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _props(pair: ExportPair) -> list[tuple[str, str]]:
    """TMX `<prop>`s (user-defined types start with `x-`, TMX 1.4b); none for a missing
    value."""
    values = _fields(pair, PROP_FIELDS)
    return [(f"x-{name}", str(value)) for name, value in values.items() if value is not None]


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def write_tmx(pairs: Sequence[ExportPair], fh: IO[bytes]) -> None:
    """TMX 1.4b: a header naming the tool, the source language (`*all*` when pairs have
    several) and `segtype="sentence"`; one `<tu>` per pair."""
    sources = {p.src_lang for p in pairs}
    tmx = ET.Element("tmx", version="1.4")
    ET.SubElement(
        tmx,
        "header",
        {
            "creationtool": "bilingual",
            "creationtoolversion": PIPELINE_VERSION,
            "datatype": "plaintext",
            "segtype": "sentence",
            "adminlang": "en",
            "srclang": sources.pop() if len(sources) == 1 else "*all*",
            "o-tmf": "bilingual",
        },
    )
    body = ET.SubElement(tmx, "body")
    for number, pair in enumerate(pairs, 1):
        tu = ET.SubElement(body, "tu", tuid=str(number), srclang=pair.src_lang)
        for kind, value in _props(pair):
            ET.SubElement(tu, "prop", type=kind).text = _xml_text(value)
        for lang, text in ((pair.src_lang, pair.src_text), (pair.tgt_lang, pair.tgt_text)):
            ET.SubElement(ET.SubElement(tu, "tuv", {XML_LANG: lang}), "seg").text = _xml_text(text)
    ET.indent(tmx)
    ET.ElementTree(tmx).write(fh, encoding="UTF-8", xml_declaration=True)
    fh.write(b"\n")


def moses_line(text: str) -> str:
    """One sentence on one line: backslash, line feeds, carriage returns and the other
    Unicode line separators written as `\\\\`, `\\n`, `\\r`, `\\uXXXX`."""
    return text.translate(_MOSES_ESCAPES)


def jsonl_line(pair: ExportPair) -> str:
    record = _fields(pair, JSONL_FIELDS)
    return json.dumps(record, ensure_ascii=False).translate(_JSON_ESCAPES)


# --- files ------------------------------------------------------------------------------


def _write_atomic(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    tmp = datasets.temporary_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except OSError as exc:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)  # a full disk leaves no half file behind
        raise BilingualError(f"{path}: cannot write ({exc.strerror})") from None


def _lines(texts: Iterable[str]) -> Callable[[IO[bytes]], None]:
    def write(fh: IO[bytes]) -> None:
        for text in texts:
            fh.write(text.encode("utf-8") + b"\n")

    return write


def export_pairs(
    root: Path, fmt: str, dest: Path | None = None, min_score: float | None = None
) -> Exported:
    """Write the translated pairs under `root` as `fmt` to `dest` (default:
    `<root>/exports/sentence_pairs.<fmt>`; Moses: `dest.<src>` and `dest.<tgt>`)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    pairs = translated_pairs(root, min_score)
    if not pairs:
        at_least = f" with a score of at least {min_score}" if min_score is not None else ""
        raise BilingualError(f"{root}: no translated sentence pairs{at_least} to export")
    sentences = sum(p.count for p in pairs)
    if fmt == "moses":
        stem = dest or root / EXPORTS / STEM
        languages = sorted({(p.src_lang, p.tgt_lang) for p in pairs})
        if len(languages) > 1:
            found = ", ".join(f"{s}-{t}" for s, t in languages)
            raise UsageError(f"{root}: pairs in several languages ({found}); use tmx or jsonl")
        [(src, tgt)] = languages
        paths = (stem.with_name(f"{stem.name}.{src}"), stem.with_name(f"{stem.name}.{tgt}"))
        _write_atomic(paths[0], _lines(moses_line(p.src_text) for p in pairs))
        _write_atomic(paths[1], _lines(moses_line(p.tgt_text) for p in pairs))
        return Exported(paths, len(pairs), sentences)
    path = dest or root / EXPORTS / f"{STEM}.{fmt}"
    if fmt == "tmx":
        _write_atomic(path, lambda fh: write_tmx(pairs, fh))
    else:
        _write_atomic(path, _lines(jsonl_line(p) for p in pairs))
    return Exported((path,), len(pairs), sentences)
