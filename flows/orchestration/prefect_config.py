"""Which Prefect API the user configured, read before Prefect is imported, for the status
line a run prints in its first second. Asking Prefect itself costs seconds: importing
`prefect.settings` imports the whole package (about 2 s here), and even its settings
model alone, loaded apart from the package, about 1.2 s (pydantic builds some fifty
models). So this reads the places Prefect 3 reads `PREFECT_API_URL` from, in Prefect's
order of priority (`prefect/settings/base.py`, `settings_customise_sources`): the
environment, `.env` in the working directory, `prefect.toml` (`[api] url`),
`pyproject.toml` (`[tool.prefect.api] url`), then the active profile of the profiles file
Prefect finds. `runner.run_once` checks the answer against Prefect's own once Prefect is
imported and says so when they differ; `tests/orchestration/test_prefect_config.py` checks
each source against Prefect."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ApiSetting:
    """A configured Prefect API URL and where it was set (as a reader would name it)."""

    url: str
    source: str


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _dig(data: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)  # type: ignore[assignment]
    return data


def _dotenv(cwd: Path) -> dict[str, str | None]:
    path = cwd / ".env"
    if not path.is_file():
        return {}
    from dotenv import dotenv_values  # what pydantic-settings reads `.env` with

    return dict(dotenv_values(path))


def _setting(
    cwd: Path, environ: Mapping[str, str], name: str, toml_keys: tuple[str, ...]
) -> tuple[str, str] | None:
    """The setting `name` and where it is set, from the sources Prefect reads before the
    profiles file, in its order: the environment, `.env`, `prefect.toml` (at `toml_keys`),
    `pyproject.toml` (under `[tool.prefect]`); None when none sets it."""
    if value := environ.get(name):
        return value, name
    if value := _dotenv(cwd).get(name):
        return value, str(cwd / ".env")
    for file, prefix in (("prefect.toml", ()), ("pyproject.toml", ("tool", "prefect"))):
        if value := _dig(_toml(cwd / file), *prefix, *toml_keys):
            return str(value), str(cwd / file)
    return None


def profiles_path(cwd: Path, environ: Mapping[str, str]) -> Path:
    """The profiles file Prefect reads (`prefect/settings/sources.py`, `_get_profiles_path`)."""
    if found := _setting(cwd, environ, "PREFECT_PROFILES_PATH", ("profiles_path",)):
        return cwd / found[0]  # a relative path is the working directory's
    home = environ.get("PREFECT_HOME")
    return cwd / home / "profiles.toml" if home else Path.home() / ".prefect" / "profiles.toml"


def api_url_setting(
    cwd: Path | None = None, environ: Mapping[str, str] | None = None
) -> ApiSetting | None:
    """The `PREFECT_API_URL` Prefect would use, and where it comes from; None when unset."""
    cwd = cwd or Path.cwd()
    environ = os.environ if environ is None else environ
    if found := _setting(cwd, environ, "PREFECT_API_URL", ("api", "url")):
        return ApiSetting(*found)
    path = profiles_path(cwd, environ)
    profiles = _toml(path)
    active = environ.get("PREFECT_PROFILE") or profiles.get("active")
    if url := _dig(profiles, "profiles", str(active), "PREFECT_API_URL"):
        return ApiSetting(str(url), f"profile {active} in {path}")
    return None


def logging_environment(terminal: str) -> dict[str, str]:
    """Prefect's logging settings (overrides of its `logging.yml`, read when Prefect is
    imported) for a command whose terminal shows Prefect's records from level `terminal`
    up, while a flow run's and its task runs' records from INFO up (DEBUG if asked) still
    reach Prefect's API, for its UI's Logs tab: `-q` quiets the terminal, not Prefect."""
    runs = "DEBUG" if terminal == "DEBUG" else "INFO"
    return {
        "PREFECT_LOGGING_LEVEL": terminal,
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": terminal,
        "PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL": runs,
        "PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL": runs,
    }


def quiet_prefect_environment() -> None:
    """Before Prefect is imported: its terminal logs from warnings up (a run's records still
    reach Prefect), no telemetry from the client (`DO_NOT_TRACK`) nor from a local server,
    and time for its temporary server to start on a busy machine (Prefect waits 20 s).
    Settings the user made are kept."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    terminal = os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING")
    for name, value in logging_environment(terminal).items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
