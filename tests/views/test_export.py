"""`bilingual export`: TMX read back with translate-toolkit's reader, Moses files line by
line, JSON lines; only translated pairs, each distinct one once with its count."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from translate.storage.tmx import tmxfile

from flows.cli import main
from flows.records import SentencePair
from flows.store import datasets

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def pair(
    doc: str,
    index: int,
    src: str,
    tgt: str | None,
    status: str = "translated",
    score: float | None = 0.9,
    src_lang: str = "es",
) -> SentencePair:
    return SentencePair(
        doc_id=doc,
        segment_id=f"{doc}:0003",
        sentence_index=index,
        src_lang=src_lang,
        src_lang_prob=0.99,
        src_text=src,
        src_start=0,
        src_end=len(src),
        tgt_lang="en",
        tgt_text=tgt,
        status=status,
        engine="apertium" if status != "copied" else None,
        model_id="apertium/spa-eng@test" if status != "copied" else None,
        score=score if status == "translated" else None,
    )


PAIRS = [
    pair("doc_b", 0, "Hola mundo.", "Hello world."),
    pair("doc_a", 0, "Hola mundo.", "Hello world."),  # the same pair in another article
    pair("doc_a", 1, "Línea uno\nlínea dos", "Line one\nline two", score=0.5),
    pair("doc_a", 2, "barra \\n invertida\u2028fin", "back \\n slash\u2028end", score=0.7),
    pair("doc_a", 3, 'Etiqueta <b>&</b> "sí"', 'Tag <b>&</b> "yes"', score=None),
    pair("doc_a", 4, "Hello there.", "Hello there.", status="copied"),
    pair("doc_a", 5, "Sin traducir.", None, status="pending"),
    pair("doc_a", 6, "Falló.", None, status="failed"),
]
TRANSLATED = [
    ("Hola mundo.", "Hello world."),
    ("Línea uno\nlínea dos", "Line one\nline two"),
    ("barra \\n invertida\u2028fin", "back \\n slash\u2028end"),
    ('Etiqueta <b>&</b> "sí"', 'Tag <b>&</b> "yes"'),
]


def commit_pairs(root: Path, pairs: list[SentencePair], run_id: str = "run-1") -> Path:
    """Write `pairs` as a committed run, through the write stage's own functions."""
    run = datasets.RunInfo(
        run_id, date(2026, 1, 2), "apertium", "apertium/spa-eng@test", "tweets", "es", "en"
    )
    moves = datasets.stage(root, run, {"sentence_pairs": datasets.pair_rows(pairs, run_id)})
    datasets.commit(root, run, moves, set(), {"run_id": run_id})
    return root


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return commit_pairs(tmp_path / "out", PAIRS)


def export(*args: str) -> Result:
    return CliRunner().invoke(main, ["export", *args])


def unescape_moses(line: str) -> str:
    codes = {"\\": "\\", "n": "\n", "r": "\r"}
    return re.sub(
        r"\\(u[0-9a-f]{4}|.)",
        lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) == 5 else codes[m.group(1)],
        line,
    )


def test_tmx_parses_with_translate_toolkit_and_round_trips_every_pair(
    out: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "pairs.tmx"
    result = export("--format", "tmx", "--out", str(out), "--dest", str(dest))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("4 pairs (5 sentences)")
    with open(dest, "rb") as fh:
        store = tmxfile(fh, "es", "en")
    assert [(u.source, u.target) for u in store.units] == TRANSLATED

    tmx = ET.parse(dest).getroot()
    assert tmx.get("version") == "1.4"
    header = tmx.find("header")
    assert header is not None
    assert (header.get("creationtool"), header.get("srclang"), header.get("segtype")) == (
        "bilingual",
        "es",
        "sentence",
    )
    first = tmx.find("body/tu")
    assert first is not None
    props = {p.get("type"): p.text for p in first.findall("prop")}
    # the duplicate is kept once, with the ids of its first occurrence and its count
    assert props["x-count"] == "2"
    assert (props["x-doc_id"], props["x-segment_id"]) == ("doc_a", "doc_a:0003")
    assert (props["x-engine"], props["x-score"]) == ("apertium", "0.9")
    assert [t.get(XML_LANG) for t in first.findall("tuv")] == ["es", "en"]
    last_props = {p.get("type") for p in tmx.findall("body/tu")[-1].findall("prop")}
    assert "x-score" not in last_props  # no score, no prop


def test_moses_files_have_one_sentence_per_line(out: Path, tmp_path: Path) -> None:
    stem = tmp_path / "corpus"
    result = export("--format", "moses", "--out", str(out), "--dest", str(stem))
    assert result.exit_code == 0, result.output
    es_bytes = (tmp_path / "corpus.es").read_bytes()
    en_bytes = (tmp_path / "corpus.en").read_bytes()
    es = es_bytes.decode("utf-8").split("\n")[:-1]
    en = en_bytes.decode("utf-8").split("\n")[:-1]
    assert len(es) == len(en) == len(TRANSLATED)
    # every reader's idea of a line agrees: no stray line break survives in a sentence
    assert len(es_bytes.decode().splitlines()) == len(en_bytes.decode().splitlines()) == 4
    assert es[1] == "Línea uno\\nlínea dos"
    assert en[2] == "back \\\\n slash\\u2028end"
    assert list(zip(map(unescape_moses, es), map(unescape_moses, en), strict=True)) == TRANSLATED


def test_jsonl_has_one_pair_per_line(out: Path, tmp_path: Path) -> None:
    dest = tmp_path / "pairs.jsonl"
    assert export("--format", "jsonl", "--out", str(out), "--dest", str(dest)).exit_code == 0
    text = dest.read_text(encoding="utf-8")
    assert len(text.splitlines()) == len(text.split("\n")) - 1 == len(TRANSLATED)
    records = [json.loads(line) for line in text.splitlines()]
    assert [(r["src_text"], r["tgt_text"]) for r in records] == TRANSLATED
    assert [r["count"] for r in records] == [2, 1, 1, 1]
    assert {r["src_lang"] + "-" + r["tgt_lang"] for r in records} == {"es-en"}


def test_min_score_keeps_pairs_scored_at_least_that(out: Path, tmp_path: Path) -> None:
    dest = tmp_path / "pairs.jsonl"
    result = export(
        "--format", "jsonl", "--out", str(out), "--dest", str(dest), "--min-score", "0.7"
    )
    assert result.exit_code == 0, result.output
    kept = [json.loads(line)["src_text"] for line in dest.read_text(encoding="utf-8").splitlines()]
    assert kept == ["Hola mundo.", "barra \\n invertida\u2028fin"]  # 0.9 and 0.7; not 0.5, None
    nothing = export("--format", "tmx", "--out", str(out), "--min-score", "1.5")
    assert nothing.exit_code == 1
    assert (
        nothing.stderr
        == f"error: {out}: no translated sentence pairs with a score of at least 1.5 to export\n"
    )


def test_default_destination_is_under_the_output_root(out: Path) -> None:
    assert export("--format", "tmx", "--out", str(out)).exit_code == 0
    assert (out / "exports" / "sentence_pairs.tmx").is_file()


def test_text_xml_cannot_hold_still_gives_a_valid_tmx(tmp_path: Path) -> None:
    root = commit_pairs(tmp_path / "out", [pair("d", 0, "Campana\x07 sonó", "Bell\x07 rang")])
    dest = tmp_path / "bell.tmx"
    assert export("--format", "tmx", "--out", str(root), "--dest", str(dest)).exit_code == 0
    with open(dest, "rb") as fh:
        [unit] = tmxfile(fh, "es", "en").units
    assert (unit.source, unit.target) == ("Campana\ufffd sonó", "Bell\ufffd rang")


def test_moses_refuses_pairs_in_several_languages(tmp_path: Path) -> None:
    root = commit_pairs(
        tmp_path / "out",
        [pair("d", 0, "Hola.", "Hello."), pair("d", 1, "Olá.", "Hello.", src_lang="pt")],
    )
    result = export("--format", "moses", "--out", str(root))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "es-en, pt-en" in result.stderr
    assert export("--format", "jsonl", "--out", str(root)).exit_code == 0


def test_export_before_any_run_is_a_one_line_error(tmp_path: Path) -> None:
    result = export("--format", "tmx", "--out", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert export("--format", "xliff", "--out", str(tmp_path)).exit_code == 2


def test_seed_export_round_trips_the_translated_pairs(
    seed_run: tuple[Path, Result], tmp_path: Path
) -> None:
    out, _ = seed_run
    translated = [
        (p["src_text"], p["tgt_text"])
        for p in sorted(
            datasets.read_dataset(out, "sentence_pairs").to_pylist(),
            key=lambda p: (p["segment_id"], p["sentence_index"]),
        )
        if p["status"] == "translated"
    ]
    assert len(translated) >= 2
    dest = tmp_path / "seed.tmx"
    assert export("--format", "tmx", "--out", str(out), "--dest", str(dest)).exit_code == 0
    with open(dest, "rb") as fh:
        assert [(u.source, u.target) for u in tmxfile(fh, "es", "en").units] == translated
