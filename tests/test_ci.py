"""CI's check that the test suite leaves no process behind (`.ci/no_leftovers`): it keeps
the suite's exit status, and fails, naming and killing them, when a process it started is
still alive once it ends (not one of CI's own: those do not carry the suite's mark)."""

from __future__ import annotations

import subprocess
import time

from tests.conftest import ROOT
from tests.support.procs import is_alive

CHECK = str(ROOT / ".ci" / "no_leftovers")


def test_the_suites_exit_status_is_kept_when_nothing_is_left() -> None:
    assert subprocess.run([CHECK, "sh", "-c", "exit 3"]).returncode == 3
    assert subprocess.run([CHECK, "sh", "-c", "sleep 1 & exit 0"]).returncode == 0  # ends in time


def test_a_process_that_outlives_the_suite_fails_ci_and_is_killed() -> None:
    unrelated = subprocess.Popen(["sleep", "60"])  # CI's own: started before, without the mark
    try:
        done = subprocess.run(
            [CHECK, "sh", "-c", "sleep 300 & echo $!"], capture_output=True, text=True
        )
        orphan = int(done.stdout)
        assert done.returncode == 1
        assert "error: 1 process(es) started by `sh -c sleep 300 & echo $!` outlived it:" in (
            done.stderr
        )
        assert f"{orphan} " in done.stderr and "sleep 300" in done.stderr
        deadline = time.monotonic() + 5
        while is_alive(orphan) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not is_alive(orphan)
        assert is_alive(unrelated.pid)
    finally:
        unrelated.kill()
        unrelated.wait()
