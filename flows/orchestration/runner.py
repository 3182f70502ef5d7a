"""How the flow is started: once (with a task runner), or served on a schedule."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.engines import select_engine
from flows.errors import SigTerm, UsageError
from flows.languages import NO_ENGINE
from flows.orchestration import local_server
from flows.orchestration.prefect_config import ApiSetting, api_url_setting
from flows.readers.ingest import KINDS, discover, scan
from flows.records import RunSummary
from flows.settings import RunSettings
from flows.store.lock import output_lock
from flows.views.report_html import report_path
from flows.views.summary import rejects_of_run

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

SERVER_START_TIMEOUT_S = 90
TEMPORARY_SERVER_HINT = (
    "starting a temporary Prefect server… (`bilingual server start` keeps one up between runs)"
)


@dataclass(frozen=True)
class RunOutcome:
    """What `bilingual run` shows: the run's summary, its HTML report and the inputs it
    rejected; or, when there was nothing to process, why (`nothing`) and no run at all."""

    summary: RunSummary | None
    report: Path | None = None
    rejects: tuple[tuple[str, str], ...] = ()
    nothing: str | None = None


@dataclass(frozen=True)
class Launch:
    """How one run is started on this machine, apart from what it is asked to do (its
    `RunSettings`): local threads or Dask (at `dask_address`, else a local cluster), a
    traceback on failure (`debug`), no status lines (`quiet`)."""

    task_runner_kind: str = "threads"
    dask_address: str | None = None
    debug: bool = False
    quiet: bool = False


def run_command(settings: RunSettings, launch: Launch = Launch()) -> RunOutcome:
    """`bilingual run`: stop on SIGTERM as on Ctrl-C, skip Prefect when no input is there,
    else run the flow once and gather what its summary shows."""
    stop_on_sigterm()
    files, rejects = scan(settings.paths, follow_symlinks=settings.follow_symlinks)
    if not files and not rejects:  # nothing to process or to record: no need for Prefect
        where = " ".join(settings.paths)
        return RunOutcome(None, nothing=f"no input files ({', '.join(KINDS)}) under {where}")
    summary = run_once(settings, launch)
    html = report_path(Path(settings.out), date.fromisoformat(summary.run_date))
    shown = html if html.exists() else None
    return RunOutcome(summary, shown, tuple(rejects_of_run(summary)))


def task_runner(threads: int | None = None) -> TaskRunner[Any]:
    """Threads in the flow's process: one per task that can run at once elsewhere (a local
    worker process, or a thread of the Dask cluster: an analysis task waits on one) and one
    more, so a window's translation never waits for a thread behind the next window's
    analysis."""
    # Prefect: seconds to import, only once a run needs it
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=(threads or os.cpu_count() or 1) + 1)


@contextmanager
def dask_cluster(kind: str, address: str | None) -> Iterator[str | None]:
    """Where a run sends its work: nowhere (None, local worker processes) for threads; for
    Dask, the scheduler at `address`, else a local cluster of two worker processes for as
    long as the run lasts."""
    if kind == "threads":
        if address:
            raise UsageError("--dask-address needs --task-runner dask")
        yield None
    elif kind == "dask":
        # orchestration (Dask, worker pools): only when a run uses it
        from flows.orchestration import cluster

        if address:
            try:
                yield address
            finally:
                cluster.disconnect()
        else:
            with cluster.local_cluster(2) as local:
                try:
                    yield local
                finally:
                    cluster.disconnect()  # before its scheduler stops
    else:
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
    """Keep Prefect's failure tracebacks out of the terminal (they still reach the local_server)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _FailuresReportedByCaller) for f in handler.filters):
            handler.addFilter(_FailuresReportedByCaller())


def run_once(settings: RunSettings, launch: Launch = Launch()) -> RunSummary:
    """Check what a user can get wrong before Prefect starts, then run the flow once (its
    failures reported by the caller in one line, unless `launch.debug`)."""
    quiet = launch.quiet
    discover(settings.paths, follow_symlinks=settings.follow_symlinks)
    expected = announce_orchestrator(show=not quiet)
    select_engine(settings.engine, settings.source_lang, settings.target_lang, settings.argos)
    # Held from before Prefect is imported (3 s), so a second run into the same output is
    # refused in one line at once, not after its import; the flow's own lock (for scheduled
    # runs) is re-entrant in this process.
    with output_lock(Path(settings.out)):
        # Prefect: seconds to import, only once a run needs it
        from flows.pipeline import bilingual_flow

        if not launch.debug:
            quiet_failure_logs()
        with dask_cluster(launch.task_runner_kind, launch.dask_address) as address:
            threads = None
            if address:  # the flow sends its work to the cluster (`flows.orchestration.cluster`)
                # orchestration (Dask, worker pools): only when a run uses it
                from flows.orchestration import cluster

                threads = cluster.threads(address)  # connects: before a server starts
                settings = replace(settings, dask_address=address)
            flow = bilingual_flow.with_options(task_runner=task_runner(threads))
            with api_for_run(quiet) as api:
                if api != expected and not quiet:  # the status line read another setting
                    print(f"correction: {_server_in_use(api)}", file=sys.stderr, flush=True)
                result = flow(**settings.flow_parameters())
    return RunSummary(**result)


def stop_on_sigterm() -> None:
    """SIGTERM (a scheduler, a container runtime, `kill`) stops a run as Ctrl-C does: an
    exception from the main thread unwinds it, so the run ends its workers and the command
    line says so. (While the flow runs, Prefect's own handler raises in it, marks the run
    CRASHED and, on its way out, sends SIGTERM again: to this handler.)"""

    def stop(signum: int, frame: object) -> None:
        raise SigTerm

    signal.signal(signal.SIGTERM, stop)


def _server_in_use(api: str | None) -> str:
    if api is None:
        return "Prefect's own settings name no server; it starts a temporary one"
    return f"Prefect's own settings name the server at {api}; the run uses it"


def announce_orchestrator(show: bool = True) -> str | None:
    """One status line on stderr before Prefect is imported, so the first seconds of a run
    are not silent: which server the run will use and where that is set (in a terminal), or
    that a temporary one is starting (always). Returns the API URL it expects (None: a
    temporary local_server), which `run_once` checks against Prefect's own settings."""
    if "prefect.settings" in sys.modules:  # imported already (in-process callers): ask it
        url = configured_api_url()
        configured = ApiSetting(url, "Prefect's settings") if url else None
    else:
        configured = api_url_setting()
    local = None if configured else local_server.running()
    if configured:
        where = f"{configured.url} (from {configured.source})"
        line = f"starting the flow on the Prefect server at {where}…"
        expected: str | None = configured.url
    elif local is not None:
        line = f"starting the flow on the local Prefect server at {local.ui_url}…"
        expected = local.api_url
    else:
        line = TEMPORARY_SERVER_HINT
        expected = None
    # A wait of seconds is worth a line in a terminal; a temporary server's start in any log.
    if show and (line == TEMPORARY_SERVER_HINT or sys.stderr.isatty()):
        print(line, file=sys.stderr, flush=True)
    return expected


@contextmanager
def prefect_server(port: int | None = None) -> Iterator[str]:
    """A Prefect server on 127.0.0.1 for as long as the block runs; yields its API URL."""
    port = port or local_server.free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    process = local_server.spawn(port)
    try:
        local_server.wait_until_healthy(process, api_url, SERVER_START_TIMEOUT_S)
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
    # Prefect: seconds to import, only once a run needs it
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


@contextmanager
def api_for_run(quiet: bool = False) -> Iterator[str | None]:
    """The Prefect API a one-off run talks to: the configured one, else the server of
    `bilingual server start` when it is up, else none (Prefect starts its temporary
    server; `announce_orchestrator` said so before Prefect was imported)."""
    configured = configured_api_url()
    if configured:
        yield configured
        return
    local = local_server.running()
    if local is None:
        _start_temporary_server(quiet)
        yield None
        return
    # Prefect: seconds to import, only once a run needs it
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: local.api_url}):
        yield local.api_url


# Run by a watcher process: waits for EOF on stdin (the run's process has ended, however it
# ended: the kernel closes the pipe), then stops the server if it still runs (same start time).
_STOP_WHEN_ORPHANED = """
import os, signal, sys
sys.stdin.buffer.read()
pid, started = int(sys.argv[1]), sys.argv[2]
try:
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
except OSError:
    sys.exit()
if stat[stat.rindex(")") + 2 :].split()[19] == started:
    os.kill(pid, signal.SIGTERM)
"""
_watchers: list[subprocess.Popen[bytes]] = []


def _start_temporary_server(quiet: bool = False) -> None:
    """Start the temporary server Prefect would start for the run (the same instance), with
    a watcher that stops it if this process dies without stopping it (`kill -9`): Prefect
    stops it at exit only, so a killed run left a ~250 MB server running. Says how long the
    start took (unless `quiet`): the one cost `bilingual server start` saves."""
    # Prefect: seconds to import, only once a run needs it
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_ENABLED

    if not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return  # Prefect refuses to run without a server; it says so
    temporary = SubprocessASGIServer()
    began = time.perf_counter()
    temporary.start()
    if not quiet:
        took = time.perf_counter() - began
        print(f"temporary Prefect server up in {took:.1f} s", file=sys.stderr, flush=True)
    process = temporary.server_process
    if process is None or not Path(f"/proc/{process.pid}/stat").exists():
        return
    stat = Path(f"/proc/{process.pid}/stat").read_text()
    started = stat[stat.rindex(")") + 2 :].split()[19]
    watcher = [sys.executable, "-S", "-c", _STOP_WHEN_ORPHANED, str(process.pid), started]
    _watchers.append(subprocess.Popen(watcher, stdin=subprocess.PIPE))


def serve_forever(settings: RunSettings, *, cron: str, name: str) -> None:
    """Register the flow as a deployment with a cron schedule and run it until stopped
    (Ctrl-C or SIGTERM), on the configured Prefect API, else on the server of `bilingual
    server start` when it is up, else on a local server on 127.0.0.1 started first (Prefect
    refuses to schedule on its temporary per-process local_server) and stopped on exit. Prints
    the command that triggers a run, one line per run it executes, and how it stopped."""
    # Prefect: seconds to import, only once a run needs it
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron)
    except ValidationError:
        raise UsageError(f"--cron {cron!r} is not a valid cron expression") from None
    parameters = settings.schedule_parameters()
    _interrupt_on_sigterm()
    stopped = "stopped"
    try:
        configured = configured_api_url()
        local = None if configured else local_server.running()
        if configured:
            stopped = (
                f"stopped; the Prefect server at {configured} keeps running "
                "(serve did not start it)"
            )
            print(f"using the configured Prefect server: {configured}", flush=True)
            _serve(name, cron, parameters, configured)
        elif local is not None:
            stopped = (
                f"stopped; the local Prefect server at {local.ui_url} keeps running "
                "(`bilingual server stop` stops it)"
            )
            print(f"using the local Prefect server: {local.ui_url}", flush=True)
            _serve(name, cron, parameters, local.api_url)
        else:
            stopped = "stopped; server shut down"  # also when stopped while it starts
            with prefect_server() as api_url:
                ui_url = api_url.removesuffix("/api")
                print(f"started a local Prefect server: {ui_url}", flush=True)
                _serve(name, cron, parameters, api_url)
    except KeyboardInterrupt:
        pass  # Ctrl-C, or SIGTERM before or after Prefect's runner handled it
    # Reached on a stop, not on an error (that is one `error:` line from the command line).
    print(stopped, flush=True)


def _interrupt_on_sigterm() -> None:
    """SIGTERM raises KeyboardInterrupt, as Ctrl-C does, so that a server `serve` started is
    shut down on the way out (Prefect's runner handles SIGTERM itself while it runs)."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _serve(name: str, cron: str, parameters: dict[str, Any], api_url: str) -> None:
    """What `Flow.serve` does, on the Prefect API at `api_url`, with our own messages: the
    deployment registered, the exact command that triggers a run on this local_server, a line
    after each run."""
    # Prefect: seconds to import, only once a run needs it
    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner
    from prefect.settings import PREFECT_API_URL, temporary_settings

    # Prefect: seconds to import, only once a run needs it
    from flows.pipeline import bilingual_flow

    flow = bilingual_flow.with_options(
        on_completion=[print_run_summary], on_failure=[print_run_failure]
    )
    try:
        with temporary_settings({PREFECT_API_URL: api_url}):
            runner = Runner(name=name)
            runner.add_flow(flow, name=name, cron=cron, parameters=parameters)
            print(f"serving '{flow.name}/{name}' on the schedule {cron!r}; a run now:", flush=True)
            command = f"prefect deployment run '{flow.name}/{name}'"
            print(f"PREFECT_API_URL={api_url} {command}", flush=True)
            asyncio.run(runner.start())
    except TerminationSignal:
        pass
    finally:
        _interrupt_on_sigterm()  # the runner's own handler would exit mid-cleanup


def print_run_summary(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect hook, in the process of a served run: its summary in one line."""
    release_worker_pool()
    summary = RunSummary(**state.result())
    print(f"run {flow_run.name}: {summary.one_line()}", flush=True)


def print_run_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect hook, in the process of a served run that failed: why, in one line."""
    release_worker_pool()
    message = " ".join(str(state.message or state.name).split())
    print(f"run {flow_run.name} failed: {message}", flush=True)


def release_worker_pool() -> None:
    """Shut down the run's pool of analyse processes, if it started one. Prefect's runner
    starts each served run in a multiprocessing child, whose exit joins its child processes
    before the pool's own exit hook could stop them: the run's process would never end,
    and `serve` would wait for it on Ctrl-C."""
    # orchestration (Dask, worker pools): only when a run uses it
    from flows.orchestration import analyse

    analyse.stop_worker_pools(wait=True)
