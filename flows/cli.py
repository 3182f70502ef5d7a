"""The `bilingual` command line. Domain errors become one line on stderr and an exit
status here, at the edge: 1 for a failure, 2 for a usage error."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

import click

from flows.align import SCOPES
from flows.errors import BilingualError
from flows.translate import ENGINE_CHOICES

ENGINES = click.Choice(list(ENGINE_CHOICES))
SCOPE = click.Choice(list(SCOPES))


def reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a `BilingualError` into `error: <message>` and its exit status."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BilingualError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bilingual")
def main() -> None:
    """Offline bilingual Parquet from English news articles with embedded Spanish tweets."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    default="outputs",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output root for the Parquet datasets.",
)
@click.option(
    "--run-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Partition to write (YYYY-MM-DD)  [default: today]",
)
@click.option(
    "--engine",
    type=ENGINES,
    default="auto",
    show_default=True,
    help="Translation engine: an installed Argos package, Apertium, or auto.",
)
@click.option(
    "--scope",
    type=SCOPE,
    default="tweets",
    show_default=True,
    help="Translate Spanish tweets only, or every Spanish segment.",
)
@click.option("--source-lang", default="es", show_default=True, help="Language to translate from.")
@click.option("--target-lang", default="en", show_default=True, help="Language to translate to.")
@click.option(
    "--task-runner",
    type=click.Choice(["threads", "dask"]),
    default="threads",
    show_default=True,
    help="Where tasks run: local threads, or a Dask cluster.",
)
@click.option(
    "--dask-address",
    default=None,
    metavar="ADDR",
    help="Scheduler of an existing Dask cluster (default: a local cluster).",
)
@click.option("--force", is_flag=True, help="Process articles again even if already processed.")
@click.option(
    "--beam-size",
    default=4,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Argos: beam size.",
)
@click.option(
    "--compute-type",
    default="int8",
    show_default=True,
    type=click.Choice(["int8", "int8_float32", "int16", "float32", "default"]),
    help="Argos: CTranslate2 compute type.",
)
@click.option(
    "--inter-threads",
    default=os.cpu_count() or 1,
    show_default="number of cores",
    type=click.IntRange(1),
    help="Argos: batches translated in parallel.",
)
@click.option(
    "--intra-threads",
    default=1,
    show_default=True,
    type=click.IntRange(0),
    help="Argos: threads per batch (0: CTranslate2 decides).",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar  [default: on in a terminal]"
)
@reports_errors
def run(
    paths: tuple[Path, ...],
    out: Path,
    run_date: Any,
    engine: str,
    scope: str,
    source_lang: str,
    target_lang: str,
    task_runner: str,
    dask_address: str | None,
    force: bool,
    beam_size: int,
    compute_type: str,
    inter_threads: int,
    intra_threads: int,
    progress: bool | None,
) -> None:
    """Run the flow once over every .txt article under PATHS (default: seeds/)."""
    from flows.runner import run_once
    from flows.settings import RunSettings
    from flows.translate import ArgosOptions

    settings = RunSettings(
        paths=tuple(str(p) for p in paths) or ("seeds",),
        out=str(out),
        run_date=run_date.date() if run_date else date.today(),
        engine=engine,
        scope=scope,
        source_lang=source_lang,
        target_lang=target_lang,
        force=force,
        progress=sys.stdout.isatty() if progress is None else progress,
        argos=ArgosOptions(
            beam_size=beam_size,
            compute_type=compute_type,
            inter_threads=inter_threads,
            intra_threads=intra_threads,
        ),
    )
    summary = run_once(settings, task_runner_kind=task_runner, dask_address=dask_address)
    from flows.report import render_terminal

    render_terminal(summary)


@main.command()
@click.argument("source", type=click.File("r", encoding="utf-8"), metavar="FILE|-")
@reports_errors
def detect(source: Any) -> None:
    """Detect the language of each line: one JSON object per line (lang, prob, candidates)."""
    from flows.detect import detect as detect_text

    try:
        lines = list(source)
    except UnicodeDecodeError as exc:
        raise BilingualError(f"{source.name}: not UTF-8 text (byte {exc.start})") from None
    for line in lines:
        d = detect_text(line.rstrip("\n"))
        click.echo(
            json.dumps(
                {
                    "lang": d.lang,
                    "prob": d.prob,
                    "candidates": [{"lang": lg, "prob": p} for lg, p in d.candidates],
                    "reason": d.reason,
                },
                ensure_ascii=False,
            )
        )


@main.group()
def models() -> None:
    """List and install Argos Translate model packages."""


@models.command("list")
@reports_errors
def models_list() -> None:
    """Installed Argos packages (and whether Apertium is available)."""
    from flows import apertium_engine
    from flows import models as model_store

    installed = model_store.list_installed()
    if not installed:
        click.echo(f"no Argos packages installed in {model_store.packages_dir()}")
    for m in installed:
        click.echo(f"argos     {m.from_code}→{m.to_code}  {m.version:<8} {m.path}")
    if apertium_engine.is_available("es", "en"):
        click.echo(f"apertium  es→en  {apertium_engine.pair_version('es', 'en')}")


@models.command("install")
@click.option("--from", "source", default="es", show_default=True, help="Source language.")
@click.option("--to", "target", default="en", show_default=True, help="Target language.")
@click.option(
    "--file",
    "package_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Install this .argosmodel file instead of downloading from the index.",
)
@reports_errors
def models_install(source: str, target: str, package_file: Path | None) -> None:
    """Install an es→en package from the Argos index, or from a local .argosmodel file."""
    from flows import models as model_store

    if package_file is not None:
        done = model_store.install_file(package_file, source, target)
    else:
        done = model_store.install_from_index(source, target)
    click.echo(f"installed argos {done.from_code}→{done.to_code} {done.version} in {done.path}")


@main.command()
@click.option("--out", default="outputs", show_default=True, type=click.Path(path_type=Path))
@click.option("--doc", "doc_id", default=None, help="Only this document (doc_id).")
@click.option("--all", "show_all", is_flag=True, help="Also show sentences carried over (copied).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@reports_errors
def show(out: Path, doc_id: str | None, show_all: bool, limit: int) -> None:
    """Originals and translations side by side."""
    from flows.show import render_pairs

    render_pairs(out, doc_id=doc_id, show_all=show_all, limit=limit)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--cron", required=True, help='Schedule, e.g. "0 * * * *" for every hour.')
@click.option("--out", default="outputs", show_default=True, type=click.Path(path_type=Path))
@click.option("--engine", type=ENGINES, default="auto", show_default=True)
@click.option("--scope", type=SCOPE, default="tweets", show_default=True)
@click.option("--name", default="bilingual-scheduled", show_default=True, help="Deployment name.")
@reports_errors
def serve(
    paths: tuple[Path, ...], cron: str, out: Path, engine: str, scope: str, name: str
) -> None:
    """Run the flow on a schedule as a Prefect deployment (starts a local server if needed)."""
    from flows.runner import serve_forever
    from flows.settings import RunSettings

    settings = RunSettings(
        paths=tuple(str(Path(p).resolve()) for p in paths) or (str(Path("seeds").resolve()),),
        out=str(out.resolve()),
        engine=engine,
        scope=scope,
    )
    serve_forever(settings, cron=cron, name=name)


@main.group()
def server() -> None:
    """A local Prefect server that outlives one run (one-off runs then start in seconds)."""


@server.command("start")
@click.option(
    "--port", default=4200, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@reports_errors
def server_start(port: int) -> None:
    """Start it in the background on 127.0.0.1; its database lives under the user's data dir."""
    from flows import server as local

    click.echo(f"starting a local Prefect server (database in {local.server_dir()})…", err=True)
    running, started = local.start(port)
    state = "started" if started else "already running"
    click.echo(f"Prefect server {state}: {running.ui_url} (PID {running.pid})")


@server.command("stop")
@reports_errors
def server_stop() -> None:
    """Stop the server `bilingual server start` started (by its recorded PID)."""
    from flows import server as local

    stopped = local.stop()
    if stopped is None:
        click.echo("no local Prefect server was running")
    else:
        click.echo(f"stopped the Prefect server at {stopped.ui_url} (PID {stopped.pid})")


@server.command("status")
@reports_errors
def server_status() -> None:
    """Up (with its URL) or down; exit status 0 when up, 1 when down."""
    from flows import server as local

    recorded = local.recorded()
    if recorded is None:
        click.echo("down")
        sys.exit(1)
    if not local.healthy(recorded.api_url):
        click.echo(f"not answering: {recorded.ui_url} (PID {recorded.pid}; starting, or stuck)")
        sys.exit(1)
    click.echo(f"up: {recorded.ui_url} (PID {recorded.pid})")


def _quiet_prefect() -> None:
    """Prefect's own logs only from warnings up, no telemetry from the local server, and
    time for its temporary server to start on a busy machine (Prefect waits 20 s)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


_quiet_prefect()


if __name__ == "__main__":
    main()
