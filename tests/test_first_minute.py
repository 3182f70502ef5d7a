"""What a new user sees in the first minute of `bilingual run`: a status line before
Prefect is imported, no telemetry notice, a warning (not 22 s of silence) for empty input,
the rejected inputs under the summary and the time as wall time with the flow's share."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.orchestration.runner import TEMPORARY_SERVER_HINT
from tests.conftest import SEED

# Imports the CLI with Prefect made unimportable, then runs it: whatever reaches stderr
# before the import error was printed before Prefect (~4 s to import) was needed.
WITHOUT_PREFECT = """
import sys
class NoPrefect:
    def find_spec(self, name, path=None, target=None):
        if name == "prefect" or name.startswith("prefect."):
            raise ImportError("prefect blocked by the test")
sys.meta_path.insert(0, NoPrefect())
from flows.cli import main
main(sys.argv[1:])
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "DO_NOT_TRACK")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), COLUMNS="80", LINES="24", **extra)
    return env


def test_the_status_line_comes_before_prefect_is_imported(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SEED, tmp_path / "in" / SEED.name)
    args = ["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--engine", "apertium"]
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_PREFECT, *args],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stderr.splitlines()
    assert lines[0] == TEMPORARY_SERVER_HINT
    assert "prefect blocked by the test" in lines[-1]


def test_empty_input_warns_and_exits_0_without_prefect(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text("not an article")
    args = ["run", str(tmp_path / "empty"), "--out", str(tmp_path / "out")]
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_PREFECT, *args],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, "")
    kinds = ".txt, .html, .htm, .jsonl, .ndjson, .json, .csv, .parquet"
    expected = f"warning: no input files ({kinds}) under {tmp_path / 'empty'}; nothing to do\n"
    assert done.stderr == expected
    assert not (tmp_path / "out").exists()


def _read_pty(command: list[str], env: dict[str, str], timeout: float) -> list[tuple[float, str]]:
    """(seconds since start, text) of everything `command` writes to an 80×24 terminal."""
    leader, follower = pty.openpty()
    os.set_blocking(leader, False)
    import fcntl
    import struct
    import termios

    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=follower, stderr=follower)
    os.close(follower)
    chunks: list[tuple[float, str]] = []
    try:
        while time.monotonic() - start < timeout:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # the child closed the terminal
                    break
                chunks.append((time.monotonic() - start, data.decode(errors="replace")))
            elif process.poll() is not None:
                break
    finally:
        process.kill()
        process.wait()
        os.close(leader)
    return chunks


def test_a_terminal_run_shows_the_status_line_first_and_no_telemetry_notice(
    seed_run: tuple[Path, object], tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    (tmp_path / "in").mkdir()
    shutil.copy(SEED, tmp_path / "in" / SEED.name)
    (tmp_path / "in" / "blank.txt").write_text("")
    bilingual = str(Path(sys.executable).parent / "bilingual")
    args = ["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--engine", "apertium"]
    env = _env(tmp_path, PREFECT_API_URL=str(PREFECT_API_URL.value()))
    for ci in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL", "TF_BUILD"):
        env.pop(ci, None)  # Prefect never shows its notice in CI
    chunks = _read_pty([bilingual, *args], env, timeout=240)  # a terminal: progress bars on
    text = "".join(c for _, c in chunks).replace("\r\n", "\n")
    first_line = text.split("\n", 1)[0]
    assert first_line == (
        f"starting the flow on the Prefect server at {PREFECT_API_URL.value()} "
        "(from PREFECT_API_URL)…"
    )
    print(f"status line after {chunks[0][0]:.2f} s (noisy: shared machine)")
    assert "usage data" not in text and "telemetry" not in text
    assert "segmenting and detecting" in text and " articles/s" in text
    assert "documents" in text and "report:" in text
    summary = text[text.index("bilingual run") :]
    assert "rejected inputs (1):" in summary
    assert f"{tmp_path / 'in' / 'blank.txt'}: empty: the file has no text" in summary
    assert " s (flow " in summary
    table = [line for line in summary.splitlines() if line[:1] in "┌│└"]
    assert table and all(len(line) <= 80 for line in table)


def test_json_summary_has_wall_time_at_least_the_flow_time(
    seed_run: tuple[Path, object],
) -> None:
    import json

    _, result = seed_run
    fields = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert fields["wall_seconds"] >= fields["seconds"] > 0


@pytest.mark.parametrize("flag", [[], ["--json"]])
def test_nonexistent_path_is_still_a_usage_error(tmp_path: Path, flag: list[str]) -> None:
    result = CliRunner().invoke(main, ["run", str(tmp_path / "missing"), *flag])
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path / 'missing'}: no such file or directory\n"


def test_quiet_drops_the_status_line(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SEED, tmp_path / "in" / SEED.name)
    args = ["run", "-q", str(tmp_path / "in"), "--out", str(tmp_path / "out")]
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_PREFECT, *args],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    [line] = done.stderr.splitlines()  # only the (test-made) error, no status line
    assert "prefect blocked by the test" in line


LEVELS = """
import logging, os, sys
from flows.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
names = ("distributed", "httpx", "prefect")
print(*(logging.getLevelName(logging.getLogger(n).level) for n in names),
      os.environ["PREFECT_LOGGING_LEVEL"], os.environ["DASK_LOGGING__DISTRIBUTED"])
"""


@pytest.mark.parametrize(
    ("flag", "levels"),
    [
        ([], "WARNING WARNING WARNING WARNING warning"),
        (["-v"], "INFO INFO INFO INFO info"),
        (["--quiet"], "ERROR ERROR ERROR ERROR error"),
    ],
)
def test_library_logs_follow_quiet_and_verbose(
    tmp_path: Path, flag: list[str], levels: str
) -> None:
    env = {
        k: v
        for k, v in _env(tmp_path).items()
        if k not in ("PREFECT_LOGGING_LEVEL", "DASK_LOGGING__DISTRIBUTED")
    }
    for command in (["models", "list"], ["server", "status"]):
        done = subprocess.run(
            [sys.executable, "-c", LEVELS, *command, *flag],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.stdout.splitlines()[-1] == levels, done.stderr


def test_run_summary_snapshot(
    seed_run: tuple[Path, object],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The summary `bilingual run` prints in an 80-column terminal, for the seed run (its
    times and output root fixed, one rejected input added, so the snapshot holds still)."""
    import json
    from dataclasses import replace

    from flows.records import RunSummary
    from flows.views.summary import render_terminal
    from tests.views.test_show import matches_snapshot

    _, result = seed_run
    fields = json.loads(result.stdout)  # type: ignore[attr-defined]
    summary = RunSummary(**{k: v for k, v in fields.items() if k in RunSummary.__annotations__})
    summary = replace(summary, seconds=1.4, out="outputs", rejected=1)
    monkeypatch.setenv("COLUMNS", "80")
    render_terminal(
        summary, wall_seconds=19.5, rejects=[("in/blank.txt", "empty: the file has no text")]
    )
    matches_snapshot("run_seed.txt", capsys.readouterr().out)
