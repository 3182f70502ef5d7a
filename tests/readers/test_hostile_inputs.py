"""Hostile but fair inputs: encodings that must never be guessed silently, and every entry of
an input folder (FIFOs, broken links, loops, unreadable folders, links leading outside)
ending in `documents` or `rejects` with a reason. Stage functions are called directly; one
command-line run checks the accounting end to end."""

from __future__ import annotations

import codecs
import os
import socket
import subprocess
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.engines.apertium import ApertiumEngine, is_available
from flows.readers.ingest import MAX_BYTES, normalise, read_article, scan
from flows.readers.inputs import articles_under
from flows.records import Article, Reject
from tests.conftest import SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")
IS_ROOT = os.geteuid() == 0
RUN_OPTIONS = ("--engine", "apertium", "--no-progress", "--run-date", "2026-01-02")


def _bad_byte_at_a_character_start(data: bytes, near: int) -> tuple[bytes, int]:
    """`data` with one 0xFF inserted at the first character boundary from `near`, and the
    index (in characters) where U+FFFD must then appear."""
    i = near
    while data[i] & 0xC0 == 0x80:
        i += 1
    return data[:i] + b"\xff" + data[i:], len(data[:i].decode("utf-8"))


LEGACY = {"cp1252": "cp1252", "latin-1": "latin-1", "latin-9": "iso8859_15"}
ENCODED = {
    "cp1252": SEED_TEXT.encode("cp1252"),
    "latin-1": SEED_TEXT.encode("latin-1", errors="replace"),  # no em dash in Latin-1: "?"
    "latin-9": SEED_TEXT.encode("iso8859_15", errors="replace"),
    "utf-16-le-bom": codecs.BOM_UTF16_LE + SEED_TEXT.encode("utf-16-le"),
    "utf-16-be-bom": codecs.BOM_UTF16_BE + SEED_TEXT.encode("utf-16-be"),
    "utf-32-bom": SEED_TEXT.encode("utf-32"),
    "utf-8-bom": codecs.BOM_UTF8 + SEED_TEXT.encode("utf-8"),
}


@pytest.mark.parametrize("name", list(ENCODED))
def test_the_seed_in_other_encodings_reads_as_the_same_words(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.txt"
    path.write_bytes(ENCODED[name])
    article = read_article(path)
    assert isinstance(article, Article), article
    assert "Reunión" in article.text and "tráfico" in article.text
    if name in LEGACY:
        lossy = SEED_TEXT.encode(LEGACY[name], errors="replace").decode(LEGACY[name])
        assert article.text == normalise(lossy)
    else:
        assert article.text == normalise(SEED_TEXT)


def test_legacy_encodings_are_judged_among_western_pages_with_a_confidence(
    tmp_path: Path,
) -> None:
    path = tmp_path / "es.txt"
    path.write_bytes("El niño pidió café en España.\nReunión trilateral.\n".encode("cp1252"))
    article = read_article(path)
    assert isinstance(article, Article)
    assert article.text == "El niño pidió café en España.\nReunión trilateral."
    assert article.encoding == "cp1252"
    assert 0.0 < article.encoding_confidence <= 1.0


def test_one_bad_byte_in_utf8_is_replaced_there_only_and_noted(tmp_path: Path) -> None:
    data, at = _bad_byte_at_a_character_start(SEED_TEXT.encode("utf-8"), 1500)
    path = tmp_path / "bad-byte.txt"
    path.write_bytes(data)
    article = read_article(path)
    assert isinstance(article, Article)
    assert article.encoding == "utf-8 (1 invalid byte replaced)"
    assert article.text.count("\ufffd") == 1
    assert article.text.index("\ufffd") == at
    assert "Reunión" in article.text and "tráfico" in article.text


def test_text_in_no_plausible_encoding_is_undecodable(tmp_path: Path) -> None:
    path = tmp_path / "ru.txt"
    path.write_bytes(("Привет, как дела? Это текст на русском языке. " * 5).encode("cp1251"))
    result = read_article(path)
    assert isinstance(result, Reject) and result.reason_code == "undecodable"


@pytest.mark.parametrize(
    "data",
    [
        SEED_TEXT.encode("utf-8") + b"\x00tail",  # after the first 8 KiB once padded below
        b"x" * 9000 + b"\x00" + SEED_TEXT.encode("utf-8"),
        "Título\x00\n".encode("utf-16"),
    ],
    ids=["nul-at-end", "nul-after-8-KiB", "utf-16-with-nul"],
)
def test_a_nul_byte_anywhere_is_binary(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(data)
    result = read_article(path)
    assert isinstance(result, Reject) and result.reason_code == "binary"


def test_a_file_over_the_size_limit_is_rejected_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: nothing written
    result = read_article(path)
    assert isinstance(result, Reject) and result.reason_code == "too_large"


# --- every entry of an input folder -----------------------------------------------------


def hostile_tree(root: Path, outside: Path) -> dict[str, str | None]:
    """An input folder with one entry of each kind; returns name → expected reason code
    (None: a document). Entries are named `.txt` so that each is an input."""
    root.mkdir()
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text("Secret\n\nNot part of the input.\n", "utf-8")
    (root / "good.txt").write_text("Good\n\nA plain article.\n", "utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "nested.txt").write_text("Nested\n\nAnother article.\n", "utf-8")
    os.mkfifo(root / "fifo.txt")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "socket.txt"))
    (root / "dangling.txt").symlink_to(root / "missing.txt")
    (root / "loop-a.txt").symlink_to(root / "loop-b.txt")
    (root / "loop-b.txt").symlink_to(root / "loop-a.txt")
    (root / "passwd.txt").symlink_to(outside / "secret.txt")
    (root / "outside-dir").symlink_to(outside)
    (root / "sub-alias.txt").symlink_to(root / "sub" / "nested.txt")  # inside: read, a duplicate
    (root / "sub" / "up").symlink_to(root)  # a folder link inside: not followed
    return {
        "good.txt": None,
        "sub/nested.txt": None,
        "fifo.txt": "not_a_file",
        "socket.txt": "not_a_file",
        "dangling.txt": "broken_link",
        "loop-a.txt": "link_loop",
        "loop-b.txt": "link_loop",
        "passwd.txt": "outside_input",
        "outside-dir": "outside_input",
        "sub-alias.txt": "duplicate",
        "sub/up": "link_loop",
    }


def outcome(root: Path, articles: list[Article], rejects: list[Reject]) -> dict[str, str | None]:
    got: dict[str, str | None] = {
        str(Path(a.source_path).relative_to(root)): None for a in articles
    }
    for r in rejects:
        got[str(Path(r.source_path).relative_to(root))] = r.reason_code
    return got


def test_every_entry_of_a_hostile_folder_is_accounted_for(tmp_path: Path) -> None:
    root = tmp_path / "in"
    expected = hostile_tree(root, tmp_path / "elsewhere")
    articles, rejects = articles_under([root])
    assert outcome(root, articles, rejects) == expected
    assert all("\n" not in r.message for r in rejects)
    assert not any("Secret" in a.text for a in articles)


def test_follow_symlinks_reads_what_links_lead_to(tmp_path: Path) -> None:
    root = tmp_path / "in"
    expected = hostile_tree(root, tmp_path / "elsewhere")
    articles, rejects = articles_under([root], follow_symlinks=True)
    expected.pop("outside-dir")  # followed: its one file is the one passwd.txt leads to
    assert outcome(root, articles, rejects) == {
        **expected,
        "outside-dir/secret.txt": None,
        "passwd.txt": "duplicate",
    }
    assert any(a.text.startswith("Secret") for a in articles)


def test_a_fifo_given_by_name_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)
    files, rejects = scan([fifo])
    assert files == [] and [(r.reason_code, r.source_path) for r in rejects] == [
        ("not_a_file", str(fifo))
    ]
    assert read_article(fifo) == Reject(str(fifo), "not_a_file", "a FIFO, not a regular file")


@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their mode")
def test_unreadable_files_and_folders_are_rejected(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "locked").mkdir(parents=True)
    (root / "locked" / "inside.txt").write_text("Hidden\n\nText.\n", "utf-8")
    (root / "secret.txt").write_text("Secret\n\nText.\n", "utf-8")
    (root / "secret.txt").chmod(0)
    (root / "locked").chmod(0)
    try:
        articles, rejects = articles_under([root])
    finally:
        (root / "locked").chmod(0o755)
    assert articles == []
    assert outcome(root, articles, rejects) == {"locked": "unreadable", "secret.txt": "unreadable"}


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_writes_a_row_for_every_entry_find_lists(tmp_path: Path) -> None:
    """Acceptance: `find INPUT -mindepth 1` minus the folders it can list = rows in
    `documents` + `rejects` of the run, as whoever runs it (root reads unreadable files)."""
    root, out = tmp_path / "in", tmp_path / "out"
    hostile_tree(root, tmp_path / "elsewhere")
    (root / "locked").mkdir()
    (root / "locked" / "inside.txt").write_text("Locked\n\nInside a locked folder.\n", "utf-8")
    (root / "cp1252.txt").write_bytes(ENCODED["cp1252"])
    (root / "locked").chmod(0)
    try:
        entries = subprocess.run(
            ["find", str(root), "-mindepth", "1", "!", "(", "-type", "d", "-readable", ")"],
            capture_output=True,
            text=True,
        ).stdout.splitlines()
        done = CliRunner().invoke(main, ["run", str(root), "--out", str(out), *RUN_OPTIONS])
    finally:
        (root / "locked").chmod(0o755)
    assert done.exit_code == 0, done.output
    rows = duckdb.sql(
        f"SELECT source_path FROM read_parquet('{out}/documents/*/*.parquet') UNION ALL "
        f"SELECT source_path FROM read_parquet('{out}/rejects/*/*.parquet')"
    ).fetchall()
    assert sorted(p for (p,) in rows) == sorted(entries)
    assert len(rows) == 13  # as root the locked folder is listed and its file read
    ((text,),) = duckdb.sql(
        f"SELECT s.text FROM read_parquet('{out}/segments/*/*.parquet') s JOIN "
        f"read_parquet('{out}/documents/*/*.parquet') d USING (doc_id) "
        f"WHERE d.source_path LIKE '%cp1252.txt' AND s.text LIKE '%Reunión%' LIMIT 1"
    ).fetchall()
    assert "Reunión" in text


@pytest.mark.skipif(not is_available("es", "en"), reason="apertium-eng-spa is not installed")
def test_shell_syntax_in_a_sentence_reaches_apertium_as_text(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"Hola $(touch {marker}) `touch {marker}`; touch {marker} | cat && echo amigo"
    (translation,) = ApertiumEngine("es", "en").translate_batch([text])
    assert not marker.exists()  # an argument list, no shell
    assert translation.text.startswith("Hello $(touch /") and "| cat &&" in translation.text
