"""`bilingual server`: one local Prefect server that outlives a run, so a one-off run does not
pay the start of a temporary Prefect server each time (a run says how long that took). Its
database, log and a state file (PID and port) live under the user's data dir. Prefect is not
imported here: the server is a child process, and a run only needs its URL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from flows.errors import BilingualError

DEFAULT_PORT = 4200
START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 20


def server_dir() -> Path:
    """`$XDG_DATA_HOME/bilingual/prefect` (default `~/.local/share/bilingual/prefect`): the
    server's PREFECT_HOME, so its SQLite database is `prefect.db` there."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "bilingual" / "prefect"


def _state_file() -> Path:
    return server_dir() / "server.json"


def _log_file() -> Path:
    return server_dir() / "server.log"


@dataclass(frozen=True)
class LocalServer:
    """A server started by `bilingual server start`, as recorded in its state file."""

    pid: int
    port: int

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.ui_url}/api"


def healthy(api_url: str) -> bool:
    """The Prefect API at `api_url` answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def spawn(
    port: int, *, home: Path | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """`prefect server start` on 127.0.0.1:`port` in its own session (a signal to the
    caller's terminal does not reach it). `home` becomes its PREFECT_HOME; its output goes
    to `log`, else stdout is dropped and stderr kept for the reason of a failed start."""
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    env.pop("PREFECT_API_URL", None)
    env.update(ui_settings(port))
    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
        env["PREFECT_HOME"] = str(home)
    command = [sys.executable, "-m", "prefect", "server", "start"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    if log is None:
        return subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    with open(log, "ab") as out:
        return subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def ui_settings(port: int) -> dict[str, str]:
    """What a server on 127.0.0.1:`port` needs for its UI to reach its API: Prefect's UI
    takes the API URL from these settings (default port 4200), not from `--port`, and a
    `PREFECT_API_URL` in the user's profile would name another server."""
    return {
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_SERVER_UI_API_URL": f"http://127.0.0.1:{port}/api",
    }


def wait_until_healthy(process: subprocess.Popen[bytes], api_url: str, timeout: float) -> None:
    """Return once the server answers; a one-line error if it exits or stays silent."""
    deadline = time.monotonic() + timeout
    while not healthy(api_url):
        if process.poll() is not None:
            raise BilingualError(f"the local Prefect server did not start: {_last_words(process)}")
        if time.monotonic() > deadline:
            raise BilingualError(
                f"the local Prefect server did not answer on {api_url} within {timeout:.0f} s"
            )
        time.sleep(0.3)


def _last_words(process: subprocess.Popen[bytes]) -> str:
    if process.stderr is not None:
        text = process.stderr.read().decode(errors="replace")
    else:
        text = _log_file().read_text(errors="replace") if _log_file().exists() else ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"exit status {process.returncode}"


def _alive(pid: int) -> bool:
    """`pid` runs and (where /proc tells) is a Prefect server, not a process that took
    over the number of one that died."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    if not Path("/proc/self/cmdline").exists():
        return True
    try:
        return b"prefect" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def recorded() -> LocalServer | None:
    """The server the state file names, if its process still runs (a stale file goes)."""
    try:
        server = LocalServer(**json.loads(_state_file().read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if not _alive(server.pid):
        _state_file().unlink(missing_ok=True)
        return None
    return server


def running() -> LocalServer | None:
    """The recorded server if it answers its health check."""
    server = recorded()
    return server if server is not None and healthy(server.api_url) else None


def start(port: int = DEFAULT_PORT, timeout: float = START_TIMEOUT_S) -> tuple[LocalServer, bool]:
    """Start the server in the background and wait until it answers. Returns it and whether
    it was started now (False: one was already running)."""
    server = recorded()
    if server is not None:
        wait_until_healthy_pid(server, timeout)
        return server, False
    if _port_in_use(port):
        raise BilingualError(f"port {port} on 127.0.0.1 is in use; choose another with --port")
    server_dir().mkdir(parents=True, exist_ok=True)
    process = spawn(port, home=server_dir(), log=_log_file())
    server = LocalServer(process.pid, port)
    _state_file().write_text(json.dumps(asdict(server)), encoding="utf-8")
    try:
        wait_until_healthy(process, server.api_url, timeout)
    except BilingualError:
        _terminate(process.pid)
        _state_file().unlink(missing_ok=True)
        raise
    return server, True


def wait_until_healthy_pid(server: LocalServer, timeout: float) -> None:
    """Wait for a server started by another command (it may still be starting)."""
    deadline = time.monotonic() + timeout
    while not healthy(server.api_url):
        if not _alive(server.pid):
            raise BilingualError(f"the local Prefect server (PID {server.pid}) exited")
        if time.monotonic() > deadline:
            raise BilingualError(
                f"the local Prefect server (PID {server.pid}) did not answer on "
                f"{server.api_url} within {timeout:.0f} s; `bilingual server stop` ends it"
            )
        time.sleep(0.3)


def stop() -> LocalServer | None:
    """Stop the recorded server (its whole process group); None when none was running."""
    server = recorded()
    if server is None:
        return None
    _terminate(server.pid)
    _state_file().unlink(missing_ok=True)
    return server


def _terminate(pid: int) -> None:
    """SIGTERM to the server's process group (it was started in its own session), then
    SIGKILL if it is still there after STOP_TIMEOUT_S."""
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, 5)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                # Reaps it when this process started it; otherwise only asks whether it runs.
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            except ChildProcessError:
                if not _exists(pid):
                    return
            time.sleep(0.1)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
