"""`bilingual serve`: a real local Prefect server on loopback, the deployment registered with
its schedule, a run triggered through the API, and its outputs on disk."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import SEED
from tests.orchestration.test_local_server import ui_api_url


def wait_for_line(process: subprocess.Popen, pattern: str, timeout: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            pytest.fail(f"serve exited early: {process.stderr.read() if process.stderr else ''}")
        if m := re.search(pattern, line):
            return m
    pytest.fail(f"no line matching {pattern!r} within {timeout} s")


def test_serve_registers_a_scheduled_deployment_that_runs(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / SEED.name).write_bytes(SEED.read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PYTHONUNBUFFERED="1")
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "serve",
            str(inputs),
            "--out",
            str(out),
            "--cron",
            "0 3 * * *",
            "--engine",
            "apertium",
            "--name",
            "nightly",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    url = ""
    try:
        url = wait_for_line(serve, r"local Prefect server: (http://127\.0\.0\.1:\d+)", 180)[1]
        command = wait_for_line(serve, r"^PREFECT_API_URL=(\S+) prefect deployment run (.+)$", 120)
        assert (command[1], command[2]) == (f"{url}/api", "'bilingual/nightly'")
        assert ui_api_url(url) == f"{url}/api"  # Prefect's UI reaches the API on this port
        with (
            temporary_settings({PREFECT_API_URL: f"{url}/api"}),
            get_client(sync_client=True) as client,
        ):
            deadline = time.monotonic() + 120
            while True:
                try:
                    deployment = client.read_deployment_by_name("bilingual/nightly")
                    break
                except Exception:
                    assert time.monotonic() < deadline, "deployment never registered"
                    time.sleep(1)
            assert [s.schedule.cron for s in deployment.schedules] == ["0 3 * * *"]
            run = client.create_flow_run_from_deployment(deployment.id)
            deadline = time.monotonic() + 300
            while not (state := client.read_flow_run(run.id).state).is_final():
                assert time.monotonic() < deadline, "the triggered run did not finish"
                time.sleep(1)
            assert state.is_completed(), state
            # named for its date, output root and id, not at random as it was created
            name = client.read_flow_run(run.id).name
            assert name == f"bilingual {date.today()} out {str(run.id)[:8]}"
        summary = wait_for_line(serve, rf"^run {re.escape(name)}: (.*)$", 60)[1]
        assert ": 1 documents (0 skipped), 19 segments, 2 tweets, 2 Spanish tweets" in summary
        assert list((out / "documents").glob("run_date=*/part-*.parquet"))
        assert list((out / "runs").glob("run_date=*/part-*.parquet"))
    finally:
        os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C
        try:
            rest, errors = serve.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
            raise
    assert rest.splitlines()[-1:] == ["stopped; server shut down"]
    assert serve.returncode == 0 and "Traceback" not in errors, errors
    # The local server went away with `serve`.
    from flows.orchestration.local_server import healthy

    assert not healthy(f"{url}/api")


@pytest.mark.usefixtures("prefect_harness")
def test_serve_on_a_configured_server_prints_the_command_each_run_and_leaves_it_up(
    tmp_path: Path,
) -> None:
    """The printed command, run as printed from another shell, starts a run; `serve` says
    what the run did in one line; SIGTERM stops it in one line and the server it did not
    start stays up."""
    from prefect.settings import PREFECT_API_URL

    from flows.orchestration.local_server import healthy

    api = str(PREFECT_API_URL.value())
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / SEED.name).write_bytes(SEED.read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PYTHONUNBUFFERED="1")
    serving = dict(env, PREFECT_API_URL=api, PREFECT_RUNNER_POLL_FREQUENCY="1")
    name = f"test-{tmp_path.name}"
    args = ["serve", str(inputs), "--out", str(out), "--cron", "0 3 * * *", "--name", name]
    serve = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *args, "--engine", "apertium", "--workers", "2"],
        env=serving,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        line = wait_for_line(serve, r"^PREFECT_API_URL=\S+ prefect deployment run .+$", 120)[0]
        assert line == f"PREFECT_API_URL={api} prefect deployment run 'bilingual/{name}'"
        bin_dir = Path(sys.executable).parent
        shell = dict(env, PATH=f"{bin_dir}:{env.get('PATH', '')}")
        triggered = subprocess.run(
            line, shell=True, env=shell, capture_output=True, text=True, timeout=120
        )
        assert triggered.returncode == 0, triggered.stderr
        summary = wait_for_line(serve, rf"^run bilingual \S+ {out.name} \w{{8}}: (.*)$", 180)[1]
        assert summary.startswith(f"{date.today()} completed: 1 documents (0 skipped), 19 segments")
        assert "2 Spanish tweets, 2 translated (0 from cache), 0 pending, 0 failed" in summary
        os.kill(serve.pid, signal.SIGTERM)
        rest, errors = serve.communicate(timeout=60)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
    assert rest.splitlines() == [
        f"stopped; the Prefect server at {api} keeps running (serve did not start it)"
    ]
    assert serve.returncode == 0 and "Traceback" not in errors, errors
    assert healthy(api)


def test_serve_refuses_a_bad_cron_in_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flows.cli import main

    result = CliRunner().invoke(main, ["serve", "--cron", "every day", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == "error: --cron 'every day' is not a valid cron expression\n"
