"""How the flow is started: once (with a task runner), or served on a schedule."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows import server
from flows.errors import UsageError
from flows.languages import NO_ENGINE
from flows.report import RunSummary
from flows.settings import RunSettings

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

SERVER_START_TIMEOUT_S = 90
TEMPORARY_SERVER_HINT = (
    "starting a local Prefect server… (~20 s; `bilingual server start` keeps one up)"
)


def task_runner(kind: str, dask_address: str | None = None) -> TaskRunner[Any]:
    """Threads on this machine, or Dask: a given scheduler, else a local cluster of two
    worker processes."""
    if kind == "threads":
        if dask_address:
            raise UsageError("--dask-address needs --task-runner dask")
        from prefect.task_runners import ThreadPoolTaskRunner

        # One thread per worker process (an analysis task waits on one) and one more, so a
        # window's translation never waits for a thread behind the next window's analysis.
        return ThreadPoolTaskRunner(max_workers=(os.cpu_count() or 1) + 1)
    if kind == "dask":
        from prefect_dask.task_runners import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": 2,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            }
        )
    raise UsageError(f"unknown task runner {kind!r}; choose threads or dask")


class _FailuresReportedByCaller(logging.Filter):
    """Drops Prefect's error records about the flow and its tasks (a traceback, then
    `Finished in state Failed`): the command line reports the failure in one line; and the
    no-engine hint, which the summary shows once."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(("prefect.flow_runs", "prefect.task_runs")):
            return True
        if record.levelno >= logging.ERROR:
            return False
        # The no-engine hint: the summary prints it under its table (and in `--json`).
        return NO_ENGINE not in str(record.msg)


def quiet_failure_logs() -> None:
    """Keep Prefect's failure tracebacks out of the terminal (they still reach the server)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _FailuresReportedByCaller) for f in handler.filters):
            handler.addFilter(_FailuresReportedByCaller())


def run_once(
    settings: RunSettings,
    *,
    task_runner_kind: str = "threads",
    dask_address: str | None = None,
    debug: bool = False,
    quiet: bool = False,
) -> RunSummary:
    """Check what a user can get wrong before Prefect starts, then run the flow once (its
    failures reported by the caller in one line, unless `debug`)."""
    from flows.ingest import discover
    from flows.lock import output_lock
    from flows.translate import select_engine

    discover(settings.paths, follow_symlinks=settings.follow_symlinks)
    if not quiet:
        announce_orchestrator()
    select_engine(settings.engine, settings.source_lang, settings.target_lang, settings.argos)
    from flows.pipeline import bilingual_flow

    if not debug:
        quiet_failure_logs()
    flow = bilingual_flow.with_options(task_runner=task_runner(task_runner_kind, dask_address))
    if task_runner_kind == "dask":  # tasks run in Dask's worker processes already, which are
        settings = replace(settings, workers=1)  # daemonic: they may not start processes
    # Held from before Prefect starts, so a second run is refused in one line; the flow's own
    # lock (for scheduled runs) is re-entrant in this process.
    with output_lock(Path(settings.out)), api_for_run():
        result = flow(**settings.flow_parameters())
    return RunSummary(**result)


def profile_api_url() -> str | None:
    """`PREFECT_API_URL` of the active profile in Prefect's profiles file, read without
    importing Prefect (~4 s)."""
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    try:
        profiles = tomllib.loads((home / "profiles.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    url = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(url) if url else None


def announce_orchestrator() -> None:
    """One status line on stderr before Prefect is imported, so the first seconds of a run
    are not silent: which server the run will use (in a terminal), or that a temporary one
    is starting (always)."""
    if "prefect.settings" in sys.modules:  # imported already (in-process callers): ask it
        configured = configured_api_url()
    else:
        configured = os.environ.get("PREFECT_API_URL") or profile_api_url()
    local = None if configured else server.running()
    if configured:
        line = f"starting the flow on the Prefect server at {configured}…"
    elif local is not None:
        line = f"starting the flow on the local Prefect server at {local.ui_url}…"
    else:
        line = TEMPORARY_SERVER_HINT
    # A wait of seconds is worth a line in a terminal; the ~20 s of a temporary server in any log.
    if line == TEMPORARY_SERVER_HINT or sys.stderr.isatty():
        print(line, file=sys.stderr, flush=True)


@contextmanager
def prefect_server(port: int | None = None) -> Iterator[str]:
    """A Prefect server on 127.0.0.1 for as long as the block runs; yields its API URL."""
    port = port or server.free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    process = server.spawn(port)
    try:
        server.wait_until_healthy(process, api_url, SERVER_START_TIMEOUT_S)
        yield api_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def configured_api_url() -> str | None:
    """The Prefect API the user configured: `PREFECT_API_URL` in the environment or in the
    active Prefect profile."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


@contextmanager
def api_for_run() -> Iterator[str | None]:
    """The Prefect API a one-off run talks to: the configured one, else the server of
    `bilingual server start` when it is up, else none (Prefect starts its temporary
    server; `announce_orchestrator` said so before Prefect was imported)."""
    configured = configured_api_url()
    if configured:
        yield configured
        return
    local = server.running()
    if local is None:
        yield None
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: local.api_url}):
        yield local.api_url


def serve_forever(settings: RunSettings, *, cron: str, name: str) -> None:
    """Register the flow as a deployment with a cron schedule and run it until stopped, on
    the configured Prefect API, else on the server of `bilingual server start` when it is up,
    else on a local server on 127.0.0.1 started first (Prefect refuses to schedule on its
    temporary per-process server) and stopped on exit."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron)
    except ValidationError:
        raise UsageError(f"--cron {cron!r} is not a valid cron expression") from None
    parameters = settings.schedule_parameters()
    if configured_api_url():
        _serve(name, cron, parameters)
        return
    local = server.running()
    if local is not None:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        print(f"using the local Prefect server: {local.ui_url}", flush=True)
        with temporary_settings({PREFECT_API_URL: local.api_url}):
            _serve(name, cron, parameters)
        return
    with prefect_server() as api_url:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        print(f"started a local Prefect server: {api_url.removesuffix('/api')}", flush=True)
        with temporary_settings({PREFECT_API_URL: api_url}):
            _serve(name, cron, parameters)


def _serve(name: str, cron: str, parameters: dict[str, Any]) -> None:
    from flows.pipeline import bilingual_flow

    bilingual_flow.serve(name=name, cron=cron, parameters=parameters)
