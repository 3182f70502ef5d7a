"""The status line's reading of `PREFECT_API_URL` (without importing Prefect) against
Prefect's own settings, source by source: the environment, `.env`, `prefect.toml`,
`pyproject.toml`, the active profile, and their order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.orchestration.prefect_config import api_url_setting

# In one process, Prefect's settings model built afresh in each case's folder and environment.
PREFECTS_OWN = """
import json, os, sys
from prefect.settings.models.root import Settings
answers = []
for folder, environ in json.loads(sys.argv[1]):
    os.chdir(folder)
    for key in ("PREFECT_API_URL", "PREFECT_PROFILES_PATH", "PREFECT_PROFILE"):
        os.environ.pop(key, None)
    os.environ.update(environ)
    answers.append(Settings().api.url)
print(json.dumps(answers))
"""

PROFILES = 'active = "team"\n[profiles.team]\nPREFECT_API_URL = "http://127.0.0.1:5/api"\n'
ENV, DOTENV = "http://127.0.0.1:1/api", "http://127.0.0.1:2/api"
TOML, PYPROJECT, PROFILE = (
    "http://127.0.0.1:3/api",
    "http://127.0.0.1:4/api",
    "http://127.0.0.1:5/api",
)
FILES = {
    ".env": f"PREFECT_API_URL={DOTENV}\n",
    "prefect.toml": f'[api]\nurl = "{TOML}"\n',
    "pyproject.toml": f'[tool.prefect.api]\nurl = "{PYPROJECT}"\n',
    "home/profiles.toml": PROFILES,
}
HOME = {"PREFECT_HOME": "home"}
# name: (files in the folder, environment, expected url, where it comes from)
CASES: dict[str, tuple[list[str], dict[str, str], str | None, str | None]] = {
    "nothing": ([], {}, None, None),
    "environment": ([], {"PREFECT_API_URL": ENV}, ENV, "PREFECT_API_URL"),
    "dotenv": ([".env"], {}, DOTENV, ".env"),
    "prefect.toml": (["prefect.toml"], {}, TOML, "prefect.toml"),
    "pyproject": (["pyproject.toml"], {}, PYPROJECT, "pyproject.toml"),
    "profile": (["home/profiles.toml"], HOME, PROFILE, "profile team"),
    "profiles path": (
        ["home/profiles.toml"],
        {"PREFECT_PROFILES_PATH": "home/profiles.toml"},
        PROFILE,
        "profile team",
    ),
    "environment over .env": ([".env"], {"PREFECT_API_URL": ENV}, ENV, "PREFECT_API_URL"),
    ".env over prefect.toml": ([".env", "prefect.toml"], {}, DOTENV, ".env"),
    "prefect.toml over pyproject": (["prefect.toml", "pyproject.toml"], {}, TOML, "prefect.toml"),
    "pyproject over the profile": (
        ["pyproject.toml", "home/profiles.toml"],
        HOME,
        PYPROJECT,
        "pyproject",
    ),
    "another profile": (["home/profiles.toml"], {**HOME, "PREFECT_PROFILE": "solo"}, None, None),
}


def _folders(root: Path) -> list[tuple[str, dict[str, str]]]:
    made = []
    for name, (files, environ, _, _) in CASES.items():
        folder = root / name.replace(" ", "_")
        folder.mkdir()
        for path in files:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(FILES[path])
        made.append((str(folder), {"PREFECT_HOME": "no-home", **environ}))
    return made


def test_the_status_line_reads_the_api_url_where_prefect_does(tmp_path: Path) -> None:
    folders = _folders(tmp_path)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PREFECT_") or k in ("PREFECT_LOGGING_LEVEL",)
    }
    done = subprocess.run(
        [sys.executable, "-c", PREFECTS_OWN, json.dumps(folders)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    prefects = json.loads(done.stdout)
    for (name, (_, _, url, source)), (folder, environ), prefect in zip(
        CASES.items(), folders, prefects, strict=True
    ):
        ours = api_url_setting(Path(folder), environ)
        assert prefect == url, name  # the case means what it says
        assert (ours.url if ours else None) == prefect, name
        if source is not None:
            assert ours is not None and source in ours.source, name


def test_the_status_line_names_a_server_set_in_dotenv_before_prefect_is_imported(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text("PREFECT_API_URL=http://127.0.0.1:9/api\n")
    script = (
        "import sys\n"
        "sys.stderr.isatty = lambda: True\n"
        "from flows.orchestration.runner import announce_orchestrator\n"
        "print(announce_orchestrator(), 'prefect' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "home"), PYTHONPATH=str(Path.cwd()))
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout == "http://127.0.0.1:9/api False\n", done.stderr
    assert done.stderr == (
        "starting the flow on the Prefect server at http://127.0.0.1:9/api "
        f"(from {tmp_path / '.env'})…\n"
    )


@pytest.mark.parametrize("broken", ["prefect.toml", "pyproject.toml", "home/profiles.toml"])
def test_an_unreadable_config_file_is_no_setting(tmp_path: Path, broken: str) -> None:
    (tmp_path / broken).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / broken).write_text("this is [not toml")
    assert api_url_setting(tmp_path, {"PREFECT_HOME": str(tmp_path / "home")}) is None


@pytest.mark.usefixtures("prefect_harness")
def test_a_status_line_prefect_contradicts_is_corrected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from click.testing import CliRunner
    from prefect.settings import PREFECT_API_URL

    from flows.cli import main
    from flows.orchestration import runner
    from tests.conftest import SEED

    (tmp_path / "in").mkdir()
    shutil.copy(SEED, tmp_path / "in" / SEED.name)
    # as if the status line had read a setting Prefect does not read
    monkeypatch.setattr(runner, "announce_orchestrator", lambda show: "http://127.0.0.1:9/api")
    args = ["run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--engine", "apertium"]
    result = CliRunner().invoke(main, [*args, "--json", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        f"correction: Prefect's own settings name the server at {PREFECT_API_URL.value()}; "
        "the run uses it"
    )
