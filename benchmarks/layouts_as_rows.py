"""Write a folder of `.txt` articles (by default the visible layout set,
`../shared/eval/layouts/articles`) as the row files scrapes come in: one JSONL, one CSV and
one Parquet file, each record `id`, `url`, `title` (the article's first line) and `text` (the
rest, after the blank line), as a scraper stores them. `bilingual run` on each must give the
same `segments` and `sentence_pairs` rows as on the `.txt` files (issue 23, acceptance 1):
`--compare OUT_TXT OUT_ROWS...` checks it on the runs' output roots and prints the figures.

    uv run python benchmarks/layouts_as_rows.py --dest /tmp/rows
    uv run bilingual run ../shared/eval/layouts/articles --out /tmp/out-txt
    uv run bilingual run /tmp/rows/layouts.jsonl --out /tmp/out-jsonl   # .csv, .parquet too
    uv run python benchmarks/layouts_as_rows.py --compare /tmp/out-txt /tmp/out-jsonl ...
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYOUTS = ROOT.parent / "shared" / "eval" / "layouts" / "articles"
# Columns that say where a row came from, or which run wrote it: the only ones that may
# differ between the same articles read from `.txt` files and from rows.
SOURCE_COLUMNS = {"run_id", "run_date"}


def records(folder: Path) -> Iterator[dict[str, str]]:
    """One record per `.txt` file: its first line the title, the rest the text."""
    for path in sorted(folder.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        yield {
            "id": path.stem,
            "url": f"https://example.org/news/{path.stem}",
            "title": title,
            "text": body.lstrip("\n"),
        }


def write_rows(folder: Path, dest: Path) -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    dest.mkdir(parents=True, exist_ok=True)
    rows = list(records(folder))
    jsonl, table, parquet = dest / "layouts.jsonl", dest / "layouts.csv", dest / "layouts.parquet"
    with jsonl.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with table.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "url", "title", "text"])
        writer.writeheader()
        writer.writerows(rows)
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    return [jsonl, table, parquet]


def digest(out: Path, dataset: str) -> tuple[int, str]:
    """Rows of `dataset` under the output root `out` and a hash of them, in a stable
    order, without the columns that name the run."""
    import pyarrow.parquet as pq

    table = pq.read_table(out / dataset)
    names = [n for n in table.column_names if n not in SOURCE_COLUMNS]
    lines = sorted(
        json.dumps(r, sort_keys=True, default=str) for r in table.select(names).to_pylist()
    )
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def compare(reference: Path, others: list[Path]) -> bool:
    same = True
    for dataset in ("segments", "sentence_pairs"):
        n, expected = digest(reference, dataset)
        print(f"{dataset:15} {reference}: {n} rows  {expected[:16]}")
        for other in others:
            m, got = digest(other, dataset)
            verdict = "same" if got == expected else "DIFFERENT"
            same &= got == expected
            print(f"{dataset:15} {other}: {m} rows  {got[:16]}  {verdict}")
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=Path, default=LAYOUTS, help="folder of .txt files")
    parser.add_argument("--dest", type=Path, help="folder to write the row files into")
    parser.add_argument("--compare", type=Path, nargs="+", metavar="OUT", help="output roots")
    args = parser.parse_args(argv)
    if args.dest:
        for path in write_rows(args.articles, args.dest):
            print(f"wrote {path} ({path.stat().st_size} bytes)")
    if args.compare:
        return 0 if compare(args.compare[0], args.compare[1:]) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
