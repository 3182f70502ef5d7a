"""Ingest: decoding, normalisation, content-addressed ids, and a reason for every reject."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.errors import UsageError
from flows.readers.ingest import discover, normalise, read_article, split_seen
from flows.readers.inputs import articles_under
from flows.records import Article, Reject


def test_bom_crlf_and_nfd_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbfTi\xcc\x81tulo\r\nDi\xcc\x81a de campan\xcc\x83a\r\n")
    article = read_article(path)
    assert isinstance(article, Article)
    assert article.text == "Título\nDía de campaña"
    assert article.encoding == "utf-8"


def test_same_article_under_two_names_is_one_document(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("Title\nBody text.\n", encoding="utf-8")
    (tmp_path / "two.txt").write_bytes(b"\xef\xbb\xbfTitle\r\nBody text.\r\n")
    articles, rejects = articles_under([tmp_path])
    assert len(articles) == 1
    assert [(Path(r.source_path).name, r.reason_code) for r in rejects] == [
        ("two.txt", "duplicate")
    ]
    assert rejects[0].message == f"same content as {tmp_path / 'one.txt'}"


def test_latin1_text_is_decoded_not_rejected(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(
        "Reunión en México\nLa cooperación contra el tráfico de armas continúa.\n".encode("latin-1")
    )
    article = read_article(path)
    assert isinstance(article, Article)
    assert article.text.startswith("Reunión en México")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"  \n\r\n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (bytes(range(256)) * 4, "binary"),
    ],
    ids=["empty", "blank", "png", "all-bytes"],
)
def test_unusable_inputs_are_rejected_with_a_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = read_article(path)
    assert isinstance(result, Reject)
    assert result.reason_code == reason
    assert "\n" not in result.message


def test_discover_recurses_and_only_takes_txt(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.txt", "a/b/two.TXT", "a/b/notes.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])] == [
        "a/b/two.TXT",
        "a/one.txt",
    ]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"nowhere: no such file or directory$"):
        discover([tmp_path / "nowhere"])


def test_doc_id_depends_on_content_only(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Same\ntext", encoding="utf-8")
    b.write_text("Same\r\ntext\n\n", encoding="utf-8")
    first, second = read_article(a), read_article(b)
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.doc_id == second.doc_id == first.content_sha256[:16]
    assert normalise("Same\r\ntext\n\n") == "Same\ntext"


def test_an_article_already_written_is_skipped_from_its_file_and_a_duplicate_from_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Title\n\nSame words in two files.\n"
    (tmp_path / "first.txt").write_text(text, encoding="utf-8")
    (tmp_path / "copy.txt").write_text(text, encoding="utf-8")
    (tmp_path / "new.txt").write_text("Another article.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    seen = {read_article(Path("first.txt")).doc_id: "first.txt"}  # as a relative path
    articles = [read_article(tmp_path / n) for n in ("first.txt", "copy.txt", "new.txt")]
    new, skipped, duplicates = split_seen(articles, seen)
    assert [a.source_path for a in new] == [str(tmp_path / "new.txt")]
    assert [a.source_path for a in skipped] == [str(tmp_path / "first.txt")]
    assert duplicates == [
        Reject(str(tmp_path / "copy.txt"), "duplicate", "same content as first.txt")
    ]


def test_of_two_copies_the_file_already_written_stays_the_article(tmp_path: Path) -> None:
    text = "Title\n\nSame words in two files.\n"
    for name in ("a-copy.txt", "b-original.txt"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    original = str(tmp_path / "b-original.txt")
    written = {read_article(Path(original)).doc_id: original}
    articles, rejects = articles_under([tmp_path], written)
    assert [a.source_path for a in articles] == [original]
    assert rejects == [
        Reject(str(tmp_path / "a-copy.txt"), "duplicate", f"same content as {original}")
    ]


def test_control_characters_are_unicode_category_cc_but_tab_and_newline() -> None:
    import sys
    import unicodedata

    from flows.readers.ingest import CONTROLS

    text = "".join(map(chr, range(sys.maxunicode + 1)))
    expected = [c for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t"]
    assert CONTROLS.findall(text) == expected
