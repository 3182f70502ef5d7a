"""The README's "Re-running" rule and its Polars example, run as written."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result

from flows.cli import main
from tests.conftest import ROOT, SEED

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(language: str, containing: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)
    [block] = [b for b in blocks if containing in b]
    return block


def test_the_polars_example_runs_as_written(seed_run: tuple[Path, Result]) -> None:
    import polars as pl

    out, _ = seed_run
    code = _block("python", "import polars").replace("outputs/", f"{out}/")
    scope: dict[str, object] = {}
    exec(code, scope)  # the README's own example
    docs, pairs = scope["docs"], scope["pairs"]
    assert isinstance(docs, pl.DataFrame) and isinstance(pairs, pl.DataFrame)
    assert docs["run_date"].dtype == pl.Date and docs["run_date"].to_list() == [date(2026, 1, 2)]
    assert set(pairs["run_date"].to_list()) == {date(2026, 1, 2)}
    # the claim beside it: a bare glob gives no run_date
    glob = pl.read_parquet(f"{out}/sentence_pairs/*/*.parquet")
    assert "run_date" not in glob.columns


@pytest.mark.usefixtures("prefect_harness")
def test_force_moves_an_article_and_runs_keeps_history(tmp_path: Path) -> None:
    """The README's rule: `--force` moves the article's rows to the new run, the older
    run's `runs` row keeps what it did, and `bilingual runs` (and the README's DuckDB query)
    say that its document moved."""
    import json

    (tmp_path / "in").mkdir()
    shutil.copy(SEED, tmp_path / "in" / SEED.name)
    out = tmp_path / "out"
    base = ["run", str(tmp_path / "in"), "--out", str(out), "--engine", "apertium", "--json"]
    run_ids = []
    for extra in (["--run-date", "2026-01-01"], ["--run-date", "2026-01-02", "--force"]):
        result = CliRunner().invoke(main, [*base, *extra])
        assert result.exit_code == 0, result.output
        run_ids.append(json.loads(result.stdout)["run_id"])
    first, second = run_ids
    segments = duckdb.sql(
        f"SELECT DISTINCT run_date FROM read_parquet('{out}/segments/*/*.parquet', "
        "hive_partitioning = true)"
    ).fetchall()
    assert segments == [(date(2026, 1, 2),)]
    sql = _block("sql", "n_documents_current").replace("outputs/", f"{out}/")
    assert duckdb.sql(sql).fetchall() == [
        (date(2026, 1, 1), first, 1, 0),
        (date(2026, 1, 2), second, 1, 1),
    ]
    listed = CliRunner().invoke(main, ["runs", "--out", str(out), "--format", "json"])
    assert [
        (r["run_date"], r["run_id"], r["documents"], r["documents_now"], r["moved"])
        for r in json.loads(listed.stdout)
    ] == [("2026-01-01", first, 1, 0, 1), ("2026-01-02", second, 1, 1, 0)]
    table = CliRunner(env={"COLUMNS": "80"}).invoke(main, ["runs", "--out", str(out)])
    assert table.stdout.splitlines()[-1] == (
        "1 document(s) moved to a later run by `run --force` (README, Re-running)"
    )
    assert f"│ 2026-01-01 │ {first[:8]} │ completed │    1 │   0 │     1 │" in table.stdout
