"""How the flow is started: once (with a task runner), or served on a schedule."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows import server
from flows.errors import UsageError
from flows.report import RunSummary
from flows.settings import RunSettings

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

SERVER_START_TIMEOUT_S = 90
TEMPORARY_SERVER_HINT = (
    "hint: no Prefect server is running, so Prefect starts a temporary one for this run "
    "(~20 s); `bilingual server start` keeps one running for later runs"
)


def task_runner(kind: str, dask_address: str | None = None) -> TaskRunner[Any]:
    """Threads on this machine, or Dask: a given scheduler, else a local cluster of two
    worker processes."""
    if kind == "threads":
        if dask_address:
            raise UsageError("--dask-address needs --task-runner dask")
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=os.cpu_count() or 2)
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
    `Finished in state Failed`): the command line reports the failure in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno >= logging.ERROR
            and record.name.startswith(("prefect.flow_runs", "prefect.task_runs"))
        )


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
) -> RunSummary:
    """Check what a user can get wrong before Prefect starts, then run the flow once (its
    failures reported by the caller in one line, unless `debug`)."""
    from flows.ingest import discover
    from flows.lock import output_lock
    from flows.translate import select_engine

    discover(settings.paths, follow_symlinks=settings.follow_symlinks)
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
    server, and a one-line hint says how to skip that next time)."""
    configured = configured_api_url()
    if configured:
        yield configured
        return
    local = server.running()
    if local is None:
        print(TEMPORARY_SERVER_HINT, file=sys.stderr, flush=True)
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
