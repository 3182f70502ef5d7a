"""A Dask cluster started apart, as a user starts one on other machines: `dask scheduler` and
two `dask worker` processes on loopback. `bilingual run --task-runner dask --dask-address`
against them writes the same rows as a threaded run, and still does when one worker (with
its nanny: a lost machine) is killed with SIGKILL while it holds work."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from tests.test_pipeline import needs_apertium, query, run_cli
from tests.test_run_safety import make_articles

pytestmark = [pytest.mark.usefixtures("prefect_harness"), needs_apertium]

DASK = str(Path(sys.executable).with_name("dask"))  # the CLI a user runs, from this venv
ARTICLES = 160  # 4 analysis tasks of 50 documents or fewer: both workers hold work a while


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Cluster:
    """A scheduler and its workers, each in a process group of its own (a worker's group
    holds its nanny and the worker process), all killed by `close`."""

    def __init__(self, tmp: Path) -> None:
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.groups: list[subprocess.Popen[bytes]] = []
        port = self.address.rsplit(":", 1)[1]
        self._start([DASK, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"])
        for i in range(2):
            worker = [DASK, "worker", self.address, "--host", "127.0.0.1", "--nthreads", "1"]
            self._start([*worker, "--no-dashboard", "--local-directory", str(tmp / f"w{i}")])

    def _start(self, args: list[str]) -> None:
        log = subprocess.DEVNULL  # an orphan holding a pipe would block a reader
        self.groups.append(subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True))

    def close(self) -> None:
        for group in self.groups:
            with suppress(ProcessLookupError):
                os.killpg(group.pid, signal.SIGKILL)
        for group in self.groups:
            group.wait(timeout=30)
        # The group leader is reaped; a child (a nanny's worker) is gone with its group.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_group_alive(g.pid) for g in self.groups):
            time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    from distributed import Client

    started = Cluster(tmp_path)
    try:
        with Client(started.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield started
    finally:
        started.close()
    assert not any(_group_alive(g.pid) for g in started.groups), "a cluster process outlived"


def rows(out: Path) -> dict[str, list[tuple]]:
    return {
        table: query(out, f"SELECT * EXCLUDE (run_id) FROM {table} ORDER BY ALL")
        for table in ("documents", "segments", "sentence_pairs")
    }


def dask_run(inputs: Path, out: Path, address: str) -> subprocess.Popen[bytes]:
    """`bilingual run` against the cluster, as a user types it, on the session's server."""
    from prefect.settings import get_current_settings

    env = {**os.environ, "PREFECT_API_URL": str(get_current_settings().api.url)}
    args = [sys.executable, "-m", "flows.cli", "run", str(inputs), "--out", str(out)]
    args += ["--run-date", "2026-01-02", "--no-progress", "--engine", "apertium"]
    args += ["--task-runner", "dask", "--dask-address", address]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(run: subprocess.Popen[bytes]) -> None:
    try:
        _, err = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 0, err.decode()


def kill_a_busy_worker(cluster: Cluster, run: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group (nanny and worker) of a worker that holds a task of the
    run, as soon as one does."""
    from distributed import Client

    with Client(cluster.address, timeout=30, set_as_default=False) as client:
        deadline = time.monotonic() + 60
        while True:
            assert run.poll() is None, "the run ended before a worker held its work"
            assert time.monotonic() < deadline, "no worker held a task within 60 s"
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy:
                break
            time.sleep(0.01)
        pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
        os.killpg(os.getpgid(pid), signal.SIGKILL)
        assert run.poll() is None  # the kill fell mid-run
        deadline = time.monotonic() + 30
        while len(client.nthreads()) > 1:  # the scheduler saw it go (no new worker came)
            assert time.monotonic() < deadline, "the scheduler still lists the killed worker"
            time.sleep(0.05)


def test_a_cluster_started_apart_writes_the_same_rows_and_survives_a_lost_worker(
    cluster: Cluster, tmp_path: Path
) -> None:
    make_articles(tmp_path / "in", ARTICLES)
    common = ["run", str(tmp_path / "in"), "--engine", "apertium", "--run-date", "2026-01-02"]
    threaded = run_cli([*common, "--out", str(tmp_path / "threads"), "--workers", "1"])
    assert threaded.exit_code == 0, threaded.output
    expected = rows(tmp_path / "threads")
    assert expected["documents"] and len(expected["documents"]) == ARTICLES

    finish(dask_run(tmp_path / "in", tmp_path / "dask", cluster.address))
    assert rows(tmp_path / "dask") == expected

    run = dask_run(tmp_path / "in", tmp_path / "dask-lost-worker", cluster.address)
    kill_a_busy_worker(cluster, run)
    finish(run)
    assert rows(tmp_path / "dask-lost-worker") == expected
