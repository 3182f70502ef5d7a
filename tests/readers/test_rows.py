"""Scrapes stored as rows (JSONL, a JSON array, CSV, Parquet): one article per record, named
by its file and row, and every hostile record a reject with its reason while the rest of the
file is read."""

from __future__ import annotations

import codecs
import csv
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.errors import UsageError
from flows.orchestration.plan import window_intakes
from flows.readers.ingest import MAX_BYTES, read_article, scan
from flows.readers.inputs import read_input
from flows.readers.rows import MAX_RECORD_BYTES, Fields
from flows.records import Article, Reject
from flows.settings import RunSettings

RECORDS = [
    {"id": "n1", "url": "https://example.org/1", "title": "Rain in Madrid", "text": "It rained."},
    {"id": 7, "link": "https://example.org/2", "headline": "Sun", "content": "Sunny.\nWarm."},
]
TEXTS = ["Rain in Madrid\n\nIt rained.", "Sun\n\nSunny.\nWarm."]


def outcome(items: list[Article | Reject]) -> list[tuple[int | None, str]]:
    """Each input's row and what it became: `article` or the reject's reason."""
    return [(i.source_row, "article" if isinstance(i, Article) else i.reason_code) for i in items]


def write_jsonl(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def as_csv(path: Path, rows: list[dict[str, object]], names: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_every_row_format_reads_the_same_articles_with_their_source(tmp_path: Path) -> None:
    flat = [  # one set of column names, as a CSV or Parquet file has
        {
            "id": "n1",
            "url": "https://example.org/1",
            "title": "Rain in Madrid",
            "text": "It rained.",
        },
        {"id": "7", "url": "https://example.org/2", "title": "Sun", "text": "Sunny.\nWarm."},
    ]
    names = ["id", "url", "title", "text"]
    files = {
        "jsonl": write_jsonl(tmp_path / "a.jsonl", [json.dumps(r).encode() for r in RECORDS]),
        "json": tmp_path / "a.json",
        "csv": as_csv(tmp_path / "a.csv", flat, names),
        "parquet": tmp_path / "a.parquet",
    }
    files["json"].write_text(json.dumps(RECORDS, indent=2), encoding="utf-8")
    pq.write_table(pa.Table.from_pylist(flat), files["parquet"])
    for kind, path in files.items():
        items = list(read_input(path))
        assert all(isinstance(i, Article) for i in items), (kind, items)
        articles = [i for i in items if isinstance(i, Article)]
        assert [a.text for a in articles] == TEXTS, kind
        assert [a.source_path for a in articles] == [f"{path}#1", f"{path}#2"], kind
        assert [a.source_file for a in articles] == [str(path)] * 2
        assert [(a.source_row, a.source_id, a.source_url) for a in articles] == [
            (1, "n1", "https://example.org/1"),
            (2, "7", "https://example.org/2"),
        ], kind


def test_a_record_is_the_same_document_as_the_txt_file_with_its_text(tmp_path: Path) -> None:
    (tmp_path / "rain.txt").write_text("Rain in Madrid\n\nIt rained.\n", encoding="utf-8")
    rows = write_jsonl(tmp_path / "rows.jsonl", [json.dumps(RECORDS[0]).encode()])
    txt = read_article(tmp_path / "rain.txt")
    (row,) = read_input(rows)
    assert isinstance(txt, Article) and isinstance(row, Article)
    assert (row.doc_id, row.content_sha256) == (txt.doc_id, txt.content_sha256)


def test_named_fields_win_over_the_defaults_and_a_repeated_title_is_kept_once(
    tmp_path: Path,
) -> None:
    record = {"text": "ignored", "story": "Headline\n\nThe story.", "name": "Headline", "key": 5}
    path = write_jsonl(tmp_path / "a.jsonl", [json.dumps(record).encode()])
    (article,) = read_input(path, Fields(text="story", title="name", id="key"))
    assert isinstance(article, Article)
    assert (article.text, article.source_id) == ("Headline\n\nThe story.", "5")


def test_hostile_jsonl_lines_are_one_reject_each_and_the_rest_is_read(tmp_path: Path) -> None:
    good = json.dumps({"title": "Niño", "text": "Año nuevo."}, ensure_ascii=False)
    lines = [
        codecs.BOM_UTF8 + good.encode(),  # 1: a BOM before the first record
        b'{"title": "Broken", "text": "no end',  # 2: not JSON
        json.dumps({"title": "No text here"}).encode(),  # 3
        json.dumps({"text": 42}).encode(),  # 4: text as a number
        b"",  # 5: a blank line is no record
        json.dumps({"text": "x" * (MAX_RECORD_BYTES + 10)}).encode(),  # 6: oversized
        good.replace("Año", "Otoño").encode("cp1252"),  # 7: another encoding
        b"[1, 2]",  # 8: JSON, but no record
        json.dumps({"text": "y" * (MAX_BYTES + 1)}).encode(),  # 9: text over the limit
        json.dumps({"text": "   "}).encode(),  # 10: empty
    ]
    items = list(read_input(write_jsonl(tmp_path / "scrape.jsonl", lines)))
    assert outcome(items) == [
        (1, "article"),
        (2, "bad_json"),
        (3, "no_text"),
        (4, "text_not_string"),
        (6, "too_large"),
        (7, "article"),
        (8, "bad_json"),
        (9, "too_large"),
        (10, "empty"),
    ]
    first, mixed = (i for i in items if isinstance(i, Article))
    assert first.text == "Niño\n\nAño nuevo."
    assert mixed.text == "Niño\n\nOtoño nuevo." and mixed.encoding == "cp1252"
    messages = {i.source_row: i.message for i in items if isinstance(i, Reject)}
    assert messages[4] == "field 'text' is a number, not a string"
    assert messages[3] == "no text field (tried text, content, body, articleBody)"
    assert messages[2].startswith("line 2: not JSON (")
    assert all("\n" not in m for m in messages.values())


def test_csv_quoted_newlines_bom_mixed_encodings_and_broken_rows(tmp_path: Path) -> None:
    path = tmp_path / "scrape.csv"
    path.write_bytes(
        codecs.BOM_UTF8
        + b'headline,text,url\n"Two lines","First line.\nSecond line.",https://e.org/1\n'
        + "Café,Crème brûlée.,https://e.org/2\n".encode("cp1252")
        + b"Short row,only two\n"
        + b'Fine,"Quoted, with a comma.",https://e.org/4\n'
    )
    items = list(read_input(path))
    assert outcome(items) == [(1, "article"), (2, "article"), (3, "bad_csv"), (4, "article")]
    texts = [i.text for i in items if isinstance(i, Article)]
    assert texts == [
        "Two lines\n\nFirst line.\nSecond line.",
        "Café\n\nCrème brûlée.",
        "Fine\n\nQuoted, with a comma.",
    ]
    assert items[2].message == "record 3 (line 5) has 2 fields, the header 3"


def test_a_csv_without_a_text_column_is_one_reject_not_one_article(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("sku,price\na,1\nb,2\n", encoding="utf-8")
    (reject,) = read_input(path)
    assert isinstance(reject, Reject)
    assert (reject.source_path, reject.reason_code) == (str(path), "no_text")
    assert "the header has sku, price" in reject.message and "--text-field" in reject.message


def test_parquet_text_stored_as_binary_is_decoded_and_bad_bytes_rejected(tmp_path: Path) -> None:
    path = tmp_path / "spark.parquet"
    table = pa.table(
        {
            "title": pa.array(["Uno", "Dos", "Tres"]),
            "text": pa.array(["Año.".encode(), b"\x00\x01\x02", None], pa.binary()),
        }
    )
    pq.write_table(table, path)
    items = list(read_input(path))
    assert outcome(items) == [(1, "article"), (2, "text_not_string"), (3, "text_not_string")]
    assert isinstance(items[0], Article) and items[0].text == "Uno\n\nAño."
    assert [i.message for i in items[1:]] == [
        "field 'text' is binary bytes, not text",
        "field 'text' is null",
    ]


def test_files_that_do_not_parse_are_one_reject_each(tmp_path: Path) -> None:
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "cut.json").write_text('[{"text": "One."}, {"text": "Tw', encoding="utf-8")
    found = {
        name: outcome(list(read_input(tmp_path / name)))
        for name in ("broken.parquet", "empty.csv", "cut.json")
    }
    assert found == {
        "broken.parquet": [(None, "bad_parquet")],
        "empty.csv": [(None, "empty")],
        "cut.json": [(1, "article"), (2, "bad_json")],
    }


def test_a_json_array_is_read_one_element_at_a_time(tmp_path: Path) -> None:
    """Elements larger than one read, and a non-object among them."""
    big = "Palabra " * 20_000
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"text": big}, "note", {"text": "Last."}]), encoding="utf-8")
    items = list(read_input(path))
    assert outcome(items) == [(1, "article"), (2, "bad_json"), (3, "article")]
    assert isinstance(items[0], Article) and items[0].text == big.rstrip()


def test_a_file_of_an_unknown_kind_named_directly_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# Notes\n", encoding="utf-8")
    (tmp_path / "scrape.csv").write_text("title,text\nA,B\n", encoding="utf-8")
    files, rejects = scan([tmp_path, tmp_path / "notes.md"])
    assert [f.name for f in files] == ["scrape.csv"]  # a folder's other files are passed over
    assert [(Path(r.source_path).name, r.reason_code) for r in rejects] == [
        ("notes.md", "unknown_kind")
    ]


def test_windows_over_records_find_duplicates_across_them(tmp_path: Path) -> None:
    lines = [json.dumps({"text": f"Article {n % 3}."}).encode() for n in range(5)]
    path = write_jsonl(tmp_path / "a.jsonl", lines)
    files, scanned = scan([path])
    intakes = list(window_intakes(tmp_path / "out", files, scanned, 2))
    assert [i.read for i in intakes] == [2, 2, 1]
    assert [a.source_row for i in intakes for a in i.articles] == [1, 2, 3]
    duplicates = [(r.source_row, r.message) for i in intakes for r in i.rejects]
    assert duplicates == [(4, f"same content as {path}#1"), (5, f"same content as {path}#2")]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"text_field": " "}, "--text-field needs a field name, not an empty string"),
        ({"text_field": "body", "title_field": "body"}, "must name different fields"),
    ],
)
def test_field_options_are_checked(options: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        RunSettings(**options)  # type: ignore[arg-type]


def test_an_empty_field_name_is_a_one_line_usage_error(tmp_path: Path) -> None:
    done = CliRunner().invoke(main, ["run", str(tmp_path), "--text-field", ""])
    assert done.exit_code == 2
    assert done.output == "error: --text-field needs a field name, not an empty string\n"


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_accounts_for_every_record_and_a_rerun_keeps_the_rejects(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    good = [json.dumps(r).encode() for r in RECORDS]
    write_jsonl(root / "scrape.jsonl", [good[0], b"{oops", json.dumps({"text": 1}).encode()])
    as_csv(root / "other.csv", [{"headline": "Sun", "body": "Sunny.\nWarm.", "id": "c1"}],
           ["headline", "body", "id"])  # fmt: skip
    options = ["--out", str(out), "--engine", "apertium", "--no-progress"]
    for _ in range(2):  # the second run skips the documents and keeps the rejects
        done = CliRunner().invoke(main, ["run", str(root), *options, "--run-date", "2026-01-02"])
        assert done.exit_code == 0, done.output
        docs = duckdb.sql(
            "SELECT source_path, source_file, source_row, source_id, source_url, title "
            f"FROM read_parquet('{out}/documents/*/*.parquet') ORDER BY source_path"
        ).fetchall()
        rejects = duckdb.sql(
            "SELECT source_path, source_row, reason_code "
            f"FROM read_parquet('{out}/rejects/*/*.parquet') ORDER BY source_path"
        ).fetchall()
        csv_file, jsonl_file = str(root / "other.csv"), str(root / "scrape.jsonl")
        assert docs == [
            (f"{csv_file}#1", csv_file, 1, "c1", None, "Sun"),
            (f"{jsonl_file}#1", jsonl_file, 1, "n1", "https://example.org/1", "Rain in Madrid"),
        ]
        assert rejects == [
            (f"{jsonl_file}#2", 2, "bad_json"),
            (f"{jsonl_file}#3", 3, "text_not_string"),
        ]
