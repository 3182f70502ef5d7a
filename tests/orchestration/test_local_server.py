"""`bilingual server start|stop|status`: a real Prefect server that outlives one command, a
run that uses it instead of Prefect's temporary local_server, and the commands that never import
Prefect."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.orchestration import local_server
from tests.conftest import SEED


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private XDG data dir, so a server the user runs is neither seen nor stopped."""
    home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def _cli(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_started_server_outlives_the_command_and_runs_the_flow(
    data_home: Path, tmp_path: Path
) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / SEED.name).write_bytes(SEED.read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(XDG_DATA_HOME=str(data_home), PREFECT_HOME=str(tmp_path / "client-home"))
    port = local_server.free_port()
    started = _cli("server", "start", "--port", str(port), env=env)
    try:
        assert started.returncode == 0, started.stderr
        url = f"http://127.0.0.1:{port}"
        assert started.stdout.startswith(f"Prefect server started: {url} (PID ")
        assert (data_home / "bilingual" / "prefect" / "prefect.db").exists()
        assert ui_api_url(url) == f"{url}/api"  # Prefect's UI reaches the API on this port
        status = _cli("server", "status", env=env)
        assert (status.returncode, status.stdout.split(" (")[0]) == (0, f"up: {url}")

        done = _cli("run", str(inputs), "--out", str(out), "--engine", "apertium", env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "hint:" not in done.stderr
        assert "│ Spanish tweets" in done.stdout
        assert _flow_run_states(f"{url}/api") == ["COMPLETED"]
        _serve_registers_on_it_and_leaves_it_up(url, inputs, out, env)
    finally:
        stopped = _cli("server", "stop", env=env)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.startswith(f"stopped the Prefect server at {url}")
    assert not local_server.healthy(f"{url}/api")
    status = _cli("server", "status", env=env)
    assert (status.returncode, status.stdout) == (1, "down\n")


def _serve_registers_on_it_and_leaves_it_up(
    url: str, inputs: Path, out: Path, env: dict[str, str]
) -> None:
    command = ["serve", str(inputs), "--out", str(out), "--cron", "0 3 * * *", "--name", "nightly"]
    serve = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *command],
        env=dict(env, PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert serve.stdout is not None
        assert serve.stdout.readline() == f"using the local Prefect server: {url}\n"
        deadline = time.monotonic() + 120
        while "nightly" not in (
            names := [d["name"] for d in _post(f"{url}/api/deployments/filter")]
        ):
            assert serve.poll() is None and time.monotonic() < deadline, names
            time.sleep(0.5)
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
    assert local_server.healthy(f"{url}/api")


def ui_api_url(url: str) -> str:
    """The API URL the Prefect UI served at `url` calls (its `/ui-settings`)."""
    with urllib.request.urlopen(f"{url}/ui-settings", timeout=30) as response:
        return str(json.load(response)["api_url"])


def _post(url: str) -> list[dict]:
    """An empty filter POSTed to the server's REST API: every row of that kind."""
    request = urllib.request.Request(
        url, data=b"{}", headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _flow_run_states(api_url: str) -> list[str]:
    return [run["state_type"] for run in _post(f"{api_url}/flow_runs/filter")]


def test_without_a_server_the_run_says_how_to_skip_the_temporary_one(
    data_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.orchestration.runner import TEMPORARY_SERVER_HINT, announce_orchestrator

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "no-profiles"))
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        announce_orchestrator()
    assert capsys.readouterr().err == TEMPORARY_SERVER_HINT + "\n"


def test_the_api_url_of_the_active_profile_is_read_without_prefect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.orchestration.prefect_config import api_url_setting

    environ = {"PREFECT_HOME": str(tmp_path)}
    assert api_url_setting(tmp_path, environ) is None
    (tmp_path / "profiles.toml").write_text(
        'active = "mine"\n[profiles.mine]\nPREFECT_API_URL = "http://127.0.0.1:9/api"\n'
    )
    setting = api_url_setting(tmp_path, environ)
    assert setting is not None and setting.url == "http://127.0.0.1:9/api"
    assert setting.source == f"profile mine in {tmp_path / 'profiles.toml'}"
    assert api_url_setting(tmp_path, {**environ, "PREFECT_PROFILE": "other"}) is None


def test_in_a_terminal_the_status_line_names_the_configured_server(
    data_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.orchestration.runner import announce_orchestrator

    mine = "http://127.0.0.1:9/api"
    with temporary_settings({PREFECT_API_URL: mine}):
        announce_orchestrator()  # not a terminal: nothing to say, the run starts in seconds
        assert capsys.readouterr().err == ""
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
        announce_orchestrator()
    assert capsys.readouterr().err == (
        f"starting the flow on the Prefect server at {mine} (from Prefect's settings)…\n"
    )


def test_a_configured_api_url_wins_and_needs_no_hint(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.orchestration.runner import api_for_run

    mine = "http://127.0.0.1:9/api"
    with temporary_settings({PREFECT_API_URL: mine}), api_for_run() as api_url:
        assert api_url == mine
    assert capsys.readouterr().err == ""


def test_status_and_stop_without_a_server(data_home: Path) -> None:
    status = CliRunner().invoke(main, ["server", "status"])
    assert (status.exit_code, status.output) == (1, "down\n")
    stopped = CliRunner().invoke(main, ["server", "stop"])
    assert (stopped.exit_code, stopped.output) == (0, "no local Prefect server was running\n")


def test_a_record_of_a_dead_server_is_down_and_goes(data_home: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    state = data_home / "bilingual" / "prefect" / "server.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"pid": int(dead.stdout), "port": local_server.free_port()}))
    status = CliRunner().invoke(main, ["server", "status"])
    assert (status.exit_code, status.output) == (1, "down\n")
    assert not state.exists()


def test_a_busy_port_is_a_one_line_error(data_home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["server", "start", "--port", str(port)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: port {port} on 127.0.0.1 is in use; choose another with --port"
    )


@pytest.mark.parametrize(
    ("args", "exit_code"),
    [
        (["detect", "-"], 0),
        (["show", "--out", "{tmp}"], 1),
        (["models", "list"], 0),
        (["server", "status"], 1),
    ],
)
def test_commands_that_need_no_prefect_do_not_import_it(
    args: list[str], exit_code: int, tmp_path: Path
) -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from flows.cli import main\n"
        f"r = CliRunner().invoke(main, {[a.format(tmp=tmp_path) for a in args]!r}, input='hola')\n"
        "print(r.exit_code)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'prefect_dask'}))\n"
    )
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "xdg"))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.split() == [str(exit_code), "[]"]
