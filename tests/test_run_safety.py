"""Runs that die or collide: a run killed at any point leaves nothing a reader fails on and
the next run ends with the rows of an uninterrupted run; a second run on the same output
root is refused in one line and leaves the first intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from flows.store import datasets
from tests.conftest import SEED

pytestmark = pytest.mark.usefixtures("prefect_harness")


def make_articles(folder: Path, n: int) -> None:
    """`n` distinct articles, each the seed under another title."""
    folder.mkdir(parents=True)
    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    for i in range(n):
        (folder / f"article_{i:03d}.txt").write_text(f"Article number {i}\n{body}", "utf-8")


def bilingual(*args: str) -> subprocess.Popen:
    from prefect.settings import get_current_settings

    env = {**os.environ, "PREFECT_API_URL": str(get_current_settings().api.url)}
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def flow_run_state(run_id: str) -> str:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(uuid.UUID(run_id)).state
    return state.type.value if state else "NONE"


def rows(out: Path) -> dict[str, list[tuple]]:
    return {
        name: duckdb.sql(
            f"SELECT * EXCLUDE (run_id) FROM read_parquet('{out}/{name}/*/*.parquet') ORDER BY ALL"
        ).fetchall()
        for name in ("documents", "segments", "sentence_pairs", "rejects")
    }


COMMON = ("--run-date", "2026-01-02", "--no-progress", "--engine", "apertium")


def clean_run(root: Path, n: int) -> tuple[Path, Path]:
    """`n` articles and the output of a clean run over them."""
    make_articles(root / "in", n)
    clean = bilingual("run", str(root / "in"), "--out", str(root / "clean"), *COMMON)
    assert clean.wait(timeout=600) == 0, clean.stderr.read()
    return root / "in", root / "clean"


def kill_and_rerun(
    inputs: Path, out: Path, signum: int, *, while_committing: bool
) -> tuple[str, int, str]:
    """Start a run, send it `signum` once it writes its staged files (`while_committing`) or
    once it has begun, check what it left, run again; returns the victim's run id, exit
    status and stderr."""
    victim = bilingual("run", str(inputs), "--out", str(out), *COMMON)
    staging = out / datasets.STAGING
    deadline = time.monotonic() + 600
    while not (list(staging.rglob("*.parquet")) if while_committing else staging.is_dir()):
        assert victim.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    (victim_run,) = [p.name for p in staging.iterdir()]
    victim.send_signal(signum)
    _, said = victim.communicate(timeout=120)
    assert victim.returncode != 0
    for path in out.rglob("*.parquet"):  # whatever is visible is a whole file
        pq.read_table(path)
    assert not datasets.committed_run_ids(out)
    rerun = bilingual("run", str(inputs), "--out", str(out), *COMMON)
    assert rerun.wait(timeout=600) == 0, rerun.stderr.read()
    assert not staging.exists()
    return victim_run, victim.returncode, said


def test_kill_during_commit_then_rerun_gives_the_clean_rows(tmp_path: Path) -> None:
    inputs, clean = clean_run(tmp_path, 60)  # enough to catch the run while it commits
    out = tmp_path / "out"
    victim_run, _, _ = kill_and_rerun(inputs, out, signal.SIGKILL, while_committing=True)
    assert rows(out) == rows(clean)
    assert flow_run_state(victim_run) == "CRASHED"  # not RUNNING forever in Prefect's UI


@pytest.fixture(scope="module")
def small_clean_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return clean_run(tmp_path_factory.mktemp("small"), 6)


@pytest.mark.parametrize(
    ("signum", "status", "line"),
    [
        (signal.SIGTERM, 143, "error: terminated (SIGTERM); "),
        (signal.SIGINT, 130, "\nerror: interrupted; "),  # a new line after the terminal's ^C
    ],
    ids=["SIGTERM", "Ctrl-C"],
)
def test_a_run_stopped_by_a_signal_is_repaired_by_the_next(
    signum: int, status: int, line: str, small_clean_run: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, clean = small_clean_run
    out = tmp_path / "out"
    victim_run, exit_status, said = kill_and_rerun(inputs, out, signum, while_committing=False)
    assert (exit_status, said) == (status, f"{line}the next run repairs what this one left\n")
    assert rows(out) == rows(clean)
    assert flow_run_state(victim_run) == "CRASHED"


def test_files_of_a_run_without_its_runs_row_are_removed(tmp_path: Path) -> None:
    run = datasets.RunInfo("dead-run", datasets.date(2026, 1, 2), None, None, "tweets", "es", "en")
    orphan = datasets.partition_dir(tmp_path, "documents", run.run_date) / "part-dead-run.parquet"
    datasets.write_atomic(datasets.to_table("documents", [], run.metadata()), orphan)
    (orphan.parent / ".part-x.parquet.123.tmp").write_bytes(b"half a file")
    removed = datasets.remove_uncommitted(tmp_path)
    assert orphan in removed
    assert list(orphan.parent.iterdir()) == []


def test_a_concurrent_second_run_is_refused_and_the_first_completes(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_articles(inputs, 40)
    common = ["run", str(inputs), "--out", str(out), "--run-date", "2026-01-02", "--no-progress"]
    first = bilingual(*common)
    lock = out / ".bilingual.lock"
    deadline = time.monotonic() + 300
    while not (lock.exists() and lock.read_text() == f"pid {first.pid}"):
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    second = bilingual(*common)
    assert second.wait(timeout=300) == 1
    assert second.stderr.read() == (
        f"error: {out}: another bilingual run (pid {first.pid}) is writing here; "
        "wait for it to finish and run again\n"
    )
    assert first.wait(timeout=600) == 0, first.stderr.read()
    assert len(datasets.committed_run_ids(out)) == 1
    assert duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{out}/documents/*/*.parquet')"
    ).fetchall() == [(40,)]


def test_only_unfinished_flow_runs_known_to_the_server_are_marked_crashed() -> None:
    import logging

    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.states import Completed, Running

    from flows.pipeline import mark_crashed

    @flow
    def some_flow() -> None:
        pass

    with get_client(sync_client=True) as client:
        running = client.create_flow_run(some_flow, state=Running())
        done = client.create_flow_run(some_flow, state=Completed())
    ids = [str(running.id), str(done.id), str(uuid.uuid4()), "not-a-flow-run-id"]
    assert mark_crashed(ids, logging.getLogger("test")) == [str(running.id)]
    assert flow_run_state(str(running.id)) == "CRASHED"
    assert flow_run_state(str(done.id)) == "COMPLETED"


def test_a_run_removes_the_temporary_files_dead_writers_left_in_reports_and_exports(
    tmp_path: Path,
) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_articles(inputs, 1)
    dead = _dead_pid()
    writing = subprocess.Popen(["sleep", "600"])  # a live `bilingual report`, as far as we know
    try:
        report = out / "reports" / "run_date=2026-01-02"
        left = [
            report / f".index.html.{dead}.tmp",
            out / "exports" / f".sentence_pairs.tmx.{dead}.tmp",
        ]
        live = report / f".index.html.{writing.pid}.tmp"
        for path in [*left, live]:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("half a file")
        run = bilingual("run", str(inputs), "--out", str(out), *COMMON)
        assert run.wait(timeout=600) == 0, run.stderr.read()
        assert not any(path.exists() for path in left)
        assert live.exists()  # its writer may still rename it
        assert (report / "index.html").exists()
    finally:
        writing.kill()
        writing.wait()


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid
