"""The `bilingual` command line. Domain errors become one line on stderr and an exit
status here, at the edge: 1 for a failure, 2 for a usage error."""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

import click

from flows.errors import BilingualError, SigTerm, Terminated
from flows.orchestration.prefect_config import logging_environment
from flows.translation.align import SCOPES
from flows.translation.batch import ENGINE_CHOICES

ENGINES = click.Choice(list(ENGINE_CHOICES))
SCOPE = click.Choice(list(SCOPES))


# Set by `bilingual --debug`: errors keep their traceback.
DEBUG = {"on": False}

# What to do about the file-system errors a user meets, by errno.
OS_ADVICE = {
    errno.ENOSPC: "the data already committed is intact; free some space and run again",
    errno.EDQUOT: "the data already committed is intact; free some space and run again",
    errno.EACCES: "this user may not read or write there; fix the permissions or use another --out",
    errno.EPERM: "this user may not read or write there; fix the permissions or use another --out",
    errno.EROFS: "the file system is read-only; use another --out",
}


def reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a `BilingualError` into `error: <message>` and its exit status (with
    `--debug`, the traceback instead)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BilingualError as exc:
            if DEBUG["on"]:
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


def one_line_error(exc: BaseException) -> tuple[str, int]:
    """`error: <what> (<path>): <reason>` and the exit status for an error that reached the
    top: 2 for usage errors, 1 for the rest."""
    if isinstance(exc, click.UsageError):
        return f"error: {exc.format_message()}", 2
    if isinstance(exc, BilingualError):
        return f"error: {exc}", exc.exit_code
    if isinstance(exc, click.ClickException):
        return f"error: {exc.format_message()}", exc.exit_code
    if isinstance(exc, OSError):
        what = exc.strerror or " ".join(str(exc).split()) or type(exc).__name__
        paths = [str(f) for f in (exc.filename, exc.filename2) if f]  # a rename names two
        where = f" ({' → '.join(paths)})" if paths else ""
        advice = OS_ADVICE.get(exc.errno or 0, errno.errorcode.get(exc.errno or 0, "I/O error"))
        return f"error: {what}{where}: {advice}", 1
    message = " ".join(str(exc).split())
    return f"error: unexpected {type(exc).__name__}: {message}; run with --debug for details", 1


class Bilingual(click.Group):
    """The command group, with the one handler for every error that reaches the top: a
    line on stderr and an exit status, never a traceback unless `--debug`."""

    def main(self, args: Sequence[str] | None = None, *pos: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            status = super().main(args, *pos, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:  # a bare `bilingual`: its help
            click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message(), err=True)
            sys.exit(2)
        except click.exceptions.Abort:  # Ctrl-C
            click.echo("error: interrupted; the next run repairs what this one left", err=True)
            sys.exit(130)
        except Exception as exc:
            if DEBUG["on"] and not isinstance(exc, click.UsageError):
                raise
            line, status = one_line_error(exc)
            click.echo(line, err=True)
        sys.exit(status if isinstance(status, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SigTerm:  # one `error:` line (click would print a blank line before it)
            raise Terminated from None


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    DEBUG["on"] = value
    return value


@click.group(cls=Bilingual, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bilingual")
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_debug,
    help="Show the traceback of an error instead of its one-line message.",
)
def main() -> None:
    """Offline bilingual Parquet from English news articles with embedded Spanish tweets."""


def record_fields(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--text-field`, `--title-field` and `--id-field`: which fields of a row file's records
    (JSONL, JSON, CSV, Parquet) an article is read from (`RunSettings` checks them)."""
    options = (
        ("--text-field", "the text", "text, content, body, articleBody"),
        ("--title-field", "the title", "title, headline"),
        ("--id-field", "the record's id", "id, doc_id, article_id, uuid"),
    )
    for name, what, tried in reversed(options):
        command = click.option(
            name,
            default=None,
            metavar="NAME",
            help=f"Records: the field holding {what}  [default: the first of {tried}]",
        )(command)
    return command


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
    "--follow-symlinks",
    is_flag=True,
    help="Follow symbolic links that lead outside PATHS (and links to folders).",
)
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
    "--workers",
    type=click.IntRange(1),
    default=None,
    help="Processes that segment and detect  [default: number of cores]",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bars  [default: on in a terminal, off with -q]",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary as one JSON object on stdout (progress and logs on stderr).",
)
@record_fields
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
    follow_symlinks: bool,
    beam_size: int,
    compute_type: str,
    inter_threads: int,
    intra_threads: int,
    progress: bool | None,
    as_json: bool,
    workers: int | None,
    text_field: str | None,
    title_field: str | None,
    id_field: str | None,
) -> None:
    """Run the flow once over every article under PATHS (default: seeds/): .txt files, HTML
    pages, and one article per record of .jsonl, .json, .csv and .parquet files."""
    started = time.perf_counter()
    from flows.orchestration.runner import run_once, stop_on_sigterm
    from flows.readers.ingest import KINDS, scan
    from flows.settings import RunSettings
    from flows.translation.batch import ArgosOptions

    stop_on_sigterm()
    settings = RunSettings(
        paths=tuple(str(p) for p in paths) or ("seeds",),
        out=str(out),
        run_date=run_date.date() if run_date else date.today(),
        engine=engine,
        scope=scope,
        source_lang=source_lang,
        target_lang=target_lang,
        force=force,
        follow_symlinks=follow_symlinks,
        progress=progress
        if progress is not None
        else sys.stderr.isatty() and VERBOSITY["level"] >= 0,
        workers=workers,
        argos=ArgosOptions(
            beam_size=beam_size,
            compute_type=compute_type,
            inter_threads=inter_threads,
            intra_threads=intra_threads,
        ),
        text_field=text_field,
        title_field=title_field,
        id_field=id_field,
    )
    files, rejects = scan(settings.paths, follow_symlinks=follow_symlinks)
    if not files and not rejects:  # nothing to process or to record: no need for Prefect
        kinds = ", ".join(KINDS)
        where = " ".join(settings.paths)
        click.echo(f"warning: no input files ({kinds}) under {where}; nothing to do", err=True)
        return
    summary = run_once(
        settings,
        task_runner_kind=task_runner,
        dask_address=dask_address,
        debug=DEBUG["on"],
        quiet=VERBOSITY["level"] < 0,
    )
    from flows.views.report_html import report_path
    from flows.views.summary import rejects_of_run, render_terminal

    html = report_path(out, date.fromisoformat(summary.run_date))
    html_shown = str(html) if html.exists() else None
    if as_json:
        wall = round(time.perf_counter() - started, 3)
        fields = {
            **summary.as_dict(),
            "wall_seconds": wall,
            "status": summary.status,
            "report": html_shown,
        }
        click.echo(json.dumps(fields, ensure_ascii=False))
        return
    wall = time.perf_counter() - started
    render_terminal(summary, wall_seconds=wall, rejects=rejects_of_run(summary))
    if html_shown:
        click.echo(f"report: {html_shown}")


@main.command()
@click.argument("source", type=click.File("r", encoding="utf-8"), metavar="FILE|-")
@click.option(
    "--explain",
    is_flag=True,
    help="Also the cleaned text langdetect saw, the word evidence and the rules that fired.",
)
@reports_errors
def detect(source: Any, explain: bool) -> None:
    """Detect the language of each line: one JSON object per line (line, lang, confidence,
    reason, candidates)."""
    from flows.language import explanation as explaining
    from flows.language.detection import detect as detect_text

    try:
        lines = list(source)
    except UnicodeDecodeError as exc:
        raise BilingualError(f"{source.name}: not UTF-8 text (byte {exc.start})") from None
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\n")
        if explain:
            answer = explaining.explain(text, number)
        else:
            answer = explaining.as_json(detect_text(text), number)
        click.echo(json.dumps(answer, ensure_ascii=False))


@main.group()
def models() -> None:
    """List and install Argos Translate model packages."""


@models.command("list")
@reports_errors
def models_list() -> None:
    """Installed Argos packages (and whether Apertium is available)."""
    from flows.engines import apertium
    from flows.engines import argos_packages as model_store

    installed = model_store.list_installed()
    if not installed:
        click.echo(f"no Argos packages installed in {model_store.packages_dir()}")
    for m in installed:
        click.echo(f"argos     {m.from_code}→{m.to_code}  {m.version:<8} {m.path}")
    if apertium.is_available("es", "en"):
        click.echo(f"apertium  es→en  {apertium.pair_version('es', 'en')}")


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
    from flows.engines import argos_packages as model_store

    if package_file is not None:
        done = model_store.install_file(package_file, source, target)
    else:
        done = model_store.install_from_index(source, target)
    click.echo(f"installed argos {done.from_code}→{done.to_code} {done.version} in {done.path}")


# The output root every command that reads a run's datasets takes.
OUTPUT_ROOT = click.option(
    "--out", default="outputs", show_default=True, type=click.Path(path_type=Path)
)
OUTPUT_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="A table for people; a JSON array or CSV (with a header) for scripts.",
)


@main.command()
@OUTPUT_ROOT
@click.option(
    "--doc", "doc_id", default=None, metavar="ID", help="Only this document (an id or its prefix)."
)
@click.option("--all", "show_all", is_flag=True, help="Also show sentences carried over (copied).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@OUTPUT_FORMAT
@click.option(
    "--explain",
    is_flag=True,
    help="Also why each tweet has its language, as `detect --explain` says it.",
)
@reports_errors
def show(
    out: Path, doc_id: str | None, show_all: bool, limit: int, fmt: str, explain: bool
) -> None:
    """Originals and translations side by side, with their article."""
    from flows.views.show import render_pairs

    render_pairs(out, doc_id=doc_id, show_all=show_all, limit=limit, fmt=fmt, explain=explain)


@main.command()
@OUTPUT_ROOT
@OUTPUT_FORMAT
@reports_errors
def docs(out: Path, fmt: str) -> None:
    """The documents under OUT: id prefix, title, tweets, Spanish tweets, run date."""
    from flows.views.show import render_documents

    render_documents(out, fmt=fmt)


@main.command()
@OUTPUT_ROOT
@OUTPUT_FORMAT
@reports_errors
def runs(out: Path, fmt: str) -> None:
    """The runs under OUT: documents each wrote, how many are still there, how many moved."""
    from flows.views.show import render_runs

    render_runs(out, fmt=fmt)


@main.command()
@OUTPUT_ROOT
@click.option(
    "--run-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run date to report (YYYY-MM-DD)  [default: the latest]",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the report here  [default: <out>/reports/run_date=<D>/index.html]",
)
@reports_errors
def report(out: Path, run_date: Any, html_path: Path | None) -> None:
    """The self-contained HTML report of a run date (opens offline); prints its path."""
    from flows.views.report_html import write_report

    click.echo(str(write_report(out, run_date.date() if run_date else None, html_path)))


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tmx", "moses", "jsonl"]),
    required=True,
    help="TMX 1.4b, Moses plain text (PATH.<src> + PATH.<tgt>), or JSON lines.",
)
@OUTPUT_ROOT
@click.option(
    "--dest",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File to write (moses: the stem)  [default: <out>/exports/sentence_pairs.<format>]",
)
@click.option(
    "--min-score",
    type=float,
    default=None,
    metavar="X",
    help="Only pairs whose engine score is at least X (pairs without a score are left out).",
)
@reports_errors
def export(fmt: str, out: Path, dest: Path | None, min_score: float | None) -> None:
    """The translated sentence pairs for MT and translation-memory tools (each distinct pair
    once, with its count)."""
    from flows.views.export import export_pairs

    done = export_pairs(out, fmt, dest, min_score)
    click.echo(
        f"{done.pairs} pairs ({done.sentences} sentences) → {', '.join(map(str, done.paths))}"
    )


@main.command()
@OUTPUT_ROOT
@click.option(
    "--repair",
    is_flag=True,
    help="Move the runs that wrote damaged files to OUT/.quarantine/ (processed again next run).",
)
@reports_errors
def check(out: Path, repair: bool) -> None:
    """Read every Parquet file's footer and schema; list the damaged ones (exit 1), or repair."""
    from flows.store import integrity as checking
    from flows.store.datasets import DATASETS, part_files, run_id_of
    from flows.store.lock import output_lock

    if not out.is_dir():
        raise BilingualError(f"{out}: no output root here; run `bilingual run --out {out}` first")
    damaged = checking.damaged_files(out)
    for d in damaged:
        click.echo(f"damaged: {d.path}: {d.reason}")
    if not damaged:
        n = sum(len(part_files(out, dataset)) for dataset in DATASETS)
        click.echo(f"ok: {n} Parquet files under {out}, none damaged")
        return
    if not repair:
        raise BilingualError(
            f"{len(damaged)} damaged file(s) under {out}; "
            f"run `bilingual check --out {out} --repair` to move them aside"
        )
    with output_lock(out):
        moves = checking.repair(out, checking.damaged_files(out))
    for source, target in moves:
        click.echo(f"moved: {source} → {target}")
    runs = {run_id_of(source) for source, _ in moves}
    click.echo(
        f"repaired: {len(moves)} files of {len(runs)} run(s) moved to "
        f"{out / checking.QUARANTINE}; the next run processes their inputs again"
    )


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--cron", required=True, help='Schedule, e.g. "0 * * * *" for every hour.')
@OUTPUT_ROOT
@click.option("--engine", type=ENGINES, default="auto", show_default=True)
@click.option("--scope", type=SCOPE, default="tweets", show_default=True)
@click.option("--name", default="bilingual-scheduled", show_default=True, help="Deployment name.")
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=None,
    help="Processes that segment and detect  [default: number of cores]",
)
@record_fields
@reports_errors
def serve(
    paths: tuple[Path, ...],
    cron: str,
    out: Path,
    engine: str,
    scope: str,
    name: str,
    workers: int | None,
    text_field: str | None,
    title_field: str | None,
    id_field: str | None,
) -> None:
    """Run the flow on a schedule as a Prefect deployment (starts a local server if needed)."""
    from flows.orchestration.runner import serve_forever
    from flows.settings import RunSettings

    settings = RunSettings(
        paths=tuple(str(Path(p).resolve()) for p in paths) or (str(Path("seeds").resolve()),),
        out=str(out.resolve()),
        engine=engine,
        scope=scope,
        workers=workers,
        text_field=text_field,
        title_field=title_field,
        id_field=id_field,
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
    from flows.orchestration import local_server as local

    click.echo(f"starting a local Prefect server (database in {local.server_dir()})…", err=True)
    running, started = local.start(port)
    state = "started" if started else "already running"
    click.echo(f"Prefect server {state}: {running.ui_url} (PID {running.pid})")


@server.command("stop")
@reports_errors
def server_stop() -> None:
    """Stop the server `bilingual server start` started (by its recorded PID)."""
    from flows.orchestration import local_server as local

    stopped = local.stop()
    if stopped is None:
        click.echo("no local Prefect server was running")
    else:
        click.echo(f"stopped the Prefect server at {stopped.ui_url} (PID {stopped.pid})")


@server.command("status")
@reports_errors
def server_status() -> None:
    """Up (with its URL) or down; exit status 0 when up, 1 when down."""
    from flows.orchestration import local_server as local

    recorded = local.recorded()
    if recorded is None:
        click.echo("down")
        sys.exit(1)
    if not local.healthy(recorded.api_url):
        click.echo(f"not answering: {recorded.ui_url} (PID {recorded.pid}; starting, or stuck)")
        sys.exit(1)
    click.echo(f"up: {recorded.ui_url} (PID {recorded.pid})")


# Set by `-q`/`-v` (on every command): -1 quiet, 0 default, 1 verbose.
VERBOSITY = {"level": 0}
LIBRARY_LOGGERS = ("distributed", "httpx", "prefect")


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        VERBOSITY["level"] = 1 if param.name == "verbose" else -1
        level = {-1: "ERROR", 1: "INFO"}[VERBOSITY["level"]]
        os.environ.update(logging_environment(level))  # read when Prefect is imported
        os.environ["DASK_LOGGING__DISTRIBUTED"] = level.lower()
        for name in LIBRARY_LOGGERS:
            logging.getLogger(name).setLevel(level)
    return value


def _add_verbosity_options(command: click.Command) -> None:
    """`-q/--quiet` and `-v/--verbose` on `command` and every command under it."""
    command.params += [
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_set_verbosity,
            help="Only results and errors: no status lines, library logs from errors up.",
        ),
        click.Option(
            ["-v", "--verbose"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_set_verbosity,
            help="Library logs (Prefect, Dask's distributed, httpx) from INFO up.",
        ),
    ]
    for sub in getattr(command, "commands", {}).values():
        _add_verbosity_options(sub)


def _quiet_prefect() -> None:
    """Prefect's own logs in the terminal only from warnings up (a run's still reach
    Prefect), no telemetry from the client (`DO_NOT_TRACK`) nor from the local server, and
    time for its temporary server to start on a busy machine (Prefect waits 20 s)."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    terminal = os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING")
    for name, value in logging_environment(terminal).items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


_quiet_prefect()
_add_verbosity_options(main)


if __name__ == "__main__":
    main()
