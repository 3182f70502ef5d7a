"""Nothing outlives a run: a run killed with SIGKILL or stopped with SIGTERM while its worker
processes analyse leaves no process behind (the forkserver, its resource tracker, the pool's
workers, Dask's nannies and workers), checked by walking /proc for the run's process group
and every descendant seen while it ran."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.procs import Proc, descendants, kill_all, wait_for_none
from tests.test_run_safety import make_articles

pytestmark = pytest.mark.usefixtures("prefect_harness")

GRACE_S = 5  # the acceptance: within 5 s of the signal no process of the run is left


def start_run(
    inputs: Path, out: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`bilingual run` in a process group of its own (its group is then its pid), on the
    session's Prefect server unless `env` says otherwise."""
    from prefect.settings import get_current_settings

    if env is None:
        env = {**os.environ, "PREFECT_API_URL": str(get_current_settings().api.url)}
    args = [sys.executable, "-m", "flows.cli", "run", str(inputs), "--out", str(out)]
    args += ["--run-date", "2026-01-02", "--no-progress", "--engine", "apertium", *extra]
    return subprocess.Popen(
        args,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # an orphan holding a pipe would block a reader
        start_new_session=True,
    )


def is_worker(p: Proc, tree: list[Proc]) -> bool:
    """A pool worker (forked by the forkserver) or a Dask worker (spawned by its nanny, which
    runs in the run's process)."""
    parent = next((q for q in tree if q.pid == p.ppid), None)
    forked = parent is not None and "multiprocessing.forkserver" in parent.cmdline
    return forked or "multiprocessing.spawn" in p.cmdline


def run_tree_once_working(run: subprocess.Popen[bytes], workers: int) -> list[Proc]:
    """The run's descendants once `workers` worker processes exist below it."""
    deadline = time.monotonic() + 300
    while True:
        assert run.poll() is None, "the run ended before its workers started"
        assert time.monotonic() < deadline, "no worker processes after 300 s"
        tree = descendants(run.pid)
        if sum(is_worker(p, tree) for p in tree) >= workers:
            return tree
        time.sleep(0.02)


def stop_and_check(run: subprocess.Popen[bytes], tree: list[Proc], signum: int) -> None:
    """Send `signum` to the run; within `GRACE_S` none of its processes is left."""
    run.send_signal(signum)
    signalled = time.monotonic()
    left = wait_for_none(run.pid, tree, GRACE_S)  # the run itself: its group
    if left:
        kill_all(left)
    seconds = time.monotonic() - signalled
    run.wait(timeout=30)
    assert not left, f"alive {GRACE_S} s after the signal:\n" + "\n".join(map(str, left))
    assert run.returncode == (-signal.SIGKILL if signum == signal.SIGKILL else 143)
    assert seconds < GRACE_S


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("runner", ["pool", "dask"])
def test_no_process_of_a_run_outlives_it(signum: int, runner: str, tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 120)  # 3 analysis tasks: both workers start
    extra = ("--workers", "2") if runner == "pool" else ("--task-runner", "dask")
    run = start_run(tmp_path / "in", tmp_path / "out", *extra)
    stop_and_check(run, run_tree_once_working(run, 2), signum)


def test_a_killed_run_leaves_no_temporary_prefect_server(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 120)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # no `bilingual server start` here
    run = start_run(tmp_path / "in", tmp_path / "out", "--workers", "2", env=env)
    tree = run_tree_once_working(run, 2)
    assert any("uvicorn" in p.cmdline for p in tree)  # Prefect's temporary server
    stop_and_check(run, tree, signal.SIGKILL)
