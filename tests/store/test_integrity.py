"""Damaged outputs: a truncated Parquet file stops `run` and `show` in one line naming it;
`bilingual check` lists it; `check --repair` quarantines its run so that the next run ends
with the rows of a clean run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from flows.cli import main
from flows.store import datasets
from flows.store.integrity import QUARANTINE, damaged_files
from tests.conftest import SEED

pytestmark = pytest.mark.usefixtures("prefect_harness")
RUN = ("--run-date", "2026-01-02", "--engine", "apertium", "--no-progress")


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def rows(out: Path) -> dict[str, list[tuple]]:
    return {
        name: duckdb.sql(
            f"SELECT * EXCLUDE (run_id) FROM read_parquet('{out}/{name}/*/*.parquet') ORDER BY ALL"
        ).fetchall()
        for name in ("documents", "segments", "sentence_pairs", "rejects")
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Inputs (the seed, a second article, one reject) and the output of one clean run."""
    root = tmp_path_factory.mktemp("clean")
    inputs = root / "in"
    inputs.mkdir()
    shutil.copy(SEED, inputs / SEED.name)
    (inputs / "other.txt").write_text("Another title\n\nSome more words here.\n", "utf-8")
    (inputs / "empty.txt").write_bytes(b"")
    result = cli("run", str(inputs), "--out", str(root / "out"), *RUN)
    assert result.exit_code == 0, result.output
    return inputs, root / "out"


def one_file(out: Path, dataset: str) -> Path:
    (path,) = datasets.part_files(out, dataset)
    return path


@pytest.mark.parametrize("dataset", datasets.DATASETS)
def test_a_truncated_file_stops_the_run_in_one_line_and_repair_restores_clean_rows(
    dataset: str, clean: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, clean_out = clean
    out = tmp_path / "out"
    shutil.copytree(clean_out, out)
    damaged = one_file(out, dataset)
    os.truncate(damaged, 100)

    result = cli("run", str(inputs), "--out", str(out), *RUN)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: damaged Parquet file ({damaged}): ")
    assert result.stderr.endswith(f"; run `bilingual check --out {out} --repair`\n")

    listed = cli("check", "--out", str(out))
    assert listed.exit_code == 1
    assert listed.stdout.startswith(f"damaged: {damaged}: ")
    assert listed.stderr == (
        f"error: 1 damaged file(s) under {out}; "
        f"run `bilingual check --out {out} --repair` to move them aside\n"
    )

    repaired = cli("check", "--out", str(out), "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert (out / QUARANTINE / damaged.relative_to(out)).is_file()
    assert damaged_files(out) == []

    again = cli("run", str(inputs), "--out", str(out), *RUN)
    assert again.exit_code == 0, again.output
    assert rows(out) == rows(clean_out)
    assert cli("check", "--out", str(out)).stdout.startswith("ok: ")


def test_show_meeting_a_damaged_file_says_which_in_one_line(
    clean: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(clean[1], out)
    damaged = one_file(out, "sentence_pairs")
    os.truncate(damaged, 100)
    result = cli("show", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: damaged Parquet file ({damaged}): ")
    assert result.stderr.count("\n") == 1


def test_a_file_of_another_schema_is_damaged(clean: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(clean[1], out)
    documents = one_file(out, "documents")
    shutil.copy(one_file(out, "rejects"), documents)  # a valid Parquet file, wrong dataset
    (damage,) = damaged_files(out)
    assert (damage.path, damage.reason) == (documents, "no column 'doc_id'")


def test_a_column_of_another_type_is_damage_a_column_added_later_is_not(
    clean: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(clean[1], out)
    documents = one_file(out, "documents")
    table = pq.read_table(documents)
    pq.write_table(table.drop_columns(["encoding_confidence"]), documents)  # an older version's
    assert damaged_files(out) == []
    n_chars = table.schema.get_field_index("n_chars")
    pq.write_table(table.set_column(n_chars, "n_chars", table["n_chars"].cast("string")), documents)
    (damage,) = damaged_files(out)
    assert damage.reason == "column 'n_chars' is string, not int32"


def test_check_of_a_clean_root_and_of_no_root(clean: tuple[Path, Path], tmp_path: Path) -> None:
    result = cli("check", "--out", str(clean[1]))
    assert (result.exit_code, result.stdout) == (
        0,
        f"ok: 5 Parquet files under {clean[1]}, none damaged\n",
    )
    missing = cli("check", "--out", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1
    assert missing.stderr == (
        f"error: {tmp_path / 'nowhere'}: no output root here; "
        f"run `bilingual run --out {tmp_path / 'nowhere'}` first\n"
    )
