"""The `bilingual` command line: each command builds its settings, calls one library function
and prints what it returns. Domain errors become one line on stderr and an exit status here,
at the edge: 1 for a failure, 2 for a usage error. Every import of the library inside a command
is there for start-up time: `bilingual --help` and `bilingual show` do not load Prefect."""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from flows.engines import COMPUTE_TYPES, ENGINE_CHOICES, MAX_BEAM_SIZE, ArgosOptions
from flows.errors import BilingualError, SigTerm, Terminated
from flows.orchestration.prefect_config import logging_environment, quiet_prefect_environment
from flows.settings import DEFAULTS, RunSettings
from flows.translation.align import SCOPES

if TYPE_CHECKING:
    from flows.orchestration.runner import RunOutcome

LIBRARY_LOGGERS = ("distributed", "httpx", "prefect")
# What to do about the file-system errors a user meets, by errno.
OS_ADVICE = {
    errno.ENOSPC: "the data already committed is intact; free some space and run again",
    errno.EDQUOT: "the data already committed is intact; free some space and run again",
    errno.EACCES: "this user may not read or write there; fix the permissions or use another --out",
    errno.EPERM: "this user may not read or write there; fix the permissions or use another --out",
    errno.EROFS: "the file system is read-only; use another --out",
}


@dataclass
class CliState:
    """What the options on every command set (`--debug`, `-q`, `-v`), kept in click's
    context for the commands and the error handler of one invocation."""

    debug: bool = False
    verbosity: int = 0  # -1 quiet, 0 default, 1 verbose


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
        state = kwargs.setdefault("obj", CliState())
        kwargs["standalone_mode"] = False
        quiet_library_logs()
        try:
            status = super().main(args, *pos, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:  # a bare `bilingual`: its help
            click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message(), err=True)
            sys.exit(2)
        except click.exceptions.Abort:  # Ctrl-C
            click.echo("error: interrupted; the next run repairs what this one left", err=True)
            sys.exit(130)
        except Exception as exc:
            if state.debug and not isinstance(exc, click.UsageError):
                raise
            line, status = one_line_error(exc)
            click.echo(line, err=True)
        sys.exit(status if isinstance(status, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SigTerm:  # one `error:` line (click would print a blank line before it)
            raise Terminated from None


def quiet_library_logs() -> None:
    """Prefect's, Dask's and httpx's logs in the terminal only from warnings up (`-v` says
    more), and no telemetry: set when a command starts, never at import."""
    quiet_prefect_environment()
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.ensure_object(CliState).debug = True
    return value


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        level = 1 if param.name == "verbose" else -1
        ctx.ensure_object(CliState).verbosity = level
        name = {-1: "ERROR", 1: "INFO"}[level]
        os.environ.update(logging_environment(name))  # read when Prefect is imported
        os.environ["DASK_LOGGING__DISTRIBUTED"] = name.lower()
        for logger in LIBRARY_LOGGERS:
            logging.getLogger(logger).setLevel(name)
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


# --- options shared by commands ---------------------------------------------------------


def _options(*options: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The decorators `options`, applied in the order listed (as if written on top)."""

    def apply(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


output_root = click.option(
    "--out",
    default=DEFAULTS.out,
    show_default=True,
    type=click.Path(path_type=Path),
    help="Output root of the Parquet datasets.",
)
output_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="A table for people; a JSON array or CSV (with a header) for scripts.",
)


def record_field(name: str, what: str, tried: str) -> Callable[[Any], Any]:
    return click.option(
        name,
        default=None,
        metavar="NAME",
        help=f"Records: the field holding {what}  [default: the first of {tried}]",
    )


# What `run` and `serve` both take, with `RunSettings`' defaults (it checks them again, so a
# deployment is refused what the command line refuses).
run_options = _options(
    click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
    output_root,
    click.option(
        "--engine",
        type=click.Choice(list(ENGINE_CHOICES)),
        default=DEFAULTS.engine,
        show_default=True,
        help="Translation engine: an installed Argos package, Apertium, or auto.",
    ),
    click.option(
        "--scope",
        type=click.Choice(list(SCOPES)),
        default=DEFAULTS.scope,
        show_default=True,
        help="Translate Spanish tweets only, or every Spanish segment.",
    ),
    click.option(
        "--source-lang",
        default=DEFAULTS.source_lang,
        show_default=True,
        help="Language to translate from.",
    ),
    click.option(
        "--target-lang",
        default=DEFAULTS.target_lang,
        show_default=True,
        help="Language to translate to.",
    ),
    click.option(
        "--workers",
        type=click.IntRange(1),
        default=DEFAULTS.workers,
        help="Processes that segment and detect  [default: number of cores]",
    ),
    click.option(
        "--follow-symlinks",
        is_flag=True,
        default=DEFAULTS.follow_symlinks,
        help="Follow symbolic links that lead outside PATHS (and links to folders).",
    ),
    record_field("--text-field", "the text", "text, content, body, articleBody"),
    record_field("--title-field", "the title", "title, headline"),
    record_field("--id-field", "the record's id", "id, doc_id, article_id, uuid"),
)

_ARGOS = ArgosOptions()
argos_options = _options(
    click.option(
        "--beam-size",
        default=_ARGOS.beam_size,
        show_default=True,
        type=click.IntRange(1, MAX_BEAM_SIZE),
        help="Argos: beam size.",
    ),
    click.option(
        "--compute-type",
        default=_ARGOS.compute_type,
        show_default=True,
        type=click.Choice(list(COMPUTE_TYPES)),
        help="Argos: CTranslate2 compute type.",
    ),
    click.option(
        "--inter-threads",
        default=_ARGOS.inter_threads,
        show_default="number of cores",
        type=click.IntRange(1),
        help="Argos: batches translated in parallel.",
    ),
    click.option(
        "--intra-threads",
        default=_ARGOS.intra_threads,
        show_default=True,
        type=click.IntRange(0),
        help="Argos: threads per batch (0: CTranslate2 decides).",
    ),
)


def run_settings(options: dict[str, Any], *, absolute: bool = False, **more: Any) -> RunSettings:
    """`RunSettings` from a command's options (its Argos ones grouped); `absolute` resolves
    the paths, for a deployment that runs from another working directory."""
    argos = {f.name: options.pop(f.name) for f in fields(ArgosOptions) if f.name in options}
    paths = tuple(str(p) for p in options.pop("paths")) or DEFAULTS.paths
    out = Path(options.pop("out"))
    if absolute:
        paths, out = tuple(str(Path(p).resolve()) for p in paths), out.resolve()
    return RunSettings(paths=paths, out=str(out), argos=ArgosOptions(**argos), **options, **more)


# --- commands ---------------------------------------------------------------------------


@main.command()
@run_options
@click.option(
    "--run-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Partition to write (YYYY-MM-DD)  [default: today]",
)
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
@click.option(
    "--force",
    is_flag=True,
    default=DEFAULTS.force,
    help="Process articles again even if already processed.",
)
@argos_options
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
@click.pass_obj
def run(
    state: CliState,
    /,
    run_date: Any,
    task_runner: str,
    dask_address: str | None,
    progress: bool | None,
    as_json: bool,
    **options: Any,
) -> None:
    """Run the flow once over every article under PATHS (default: seeds/): .txt files, HTML
    pages, and one article per record of .jsonl, .json, .csv and .parquet files."""
    started = time.perf_counter()
    from flows.orchestration.runner import Launch, run_command  # Prefect: once it runs

    if progress is None:
        progress = sys.stderr.isatty() and state.verbosity >= 0
    day = run_date.date() if run_date else date.today()
    settings = run_settings(options, run_date=day, progress=progress)
    launch = Launch(task_runner, dask_address, state.debug, quiet=state.verbosity < 0)
    outcome = run_command(settings, launch)
    show_run(outcome, as_json=as_json, wall_seconds=time.perf_counter() - started)


def show_run(outcome: RunOutcome, *, as_json: bool, wall_seconds: float) -> None:
    """A run's outcome as the summary table, or as one JSON object."""
    from flows.views.summary import render_terminal  # rich: start-up

    summary, report = outcome.summary, str(outcome.report) if outcome.report else None
    if summary is None:
        click.echo(f"warning: {outcome.nothing}; nothing to do", err=True)
    elif as_json:
        row = {**summary.as_dict(), "wall_seconds": round(wall_seconds, 3)}
        row.update(status=summary.status, report=report)
        click.echo(json.dumps(row, ensure_ascii=False))
    else:
        render_terminal(summary, wall_seconds=wall_seconds, rejects=outcome.rejects)
        if report:
            click.echo(f"report: {report}")


@main.command()
@click.argument("source", type=click.File("r", encoding="utf-8"), metavar="FILE|-")
@click.option(
    "--explain",
    is_flag=True,
    help="Also the cleaned text langdetect saw, the word evidence and the rules that fired.",
)
def detect(source: Any, explain: bool) -> None:
    """Detect the language of each line: one JSON object per line (line, lang, confidence,
    reason, candidates)."""
    from flows.language import detection, explanation  # the model loads: start-up

    try:
        lines = list(source)
    except UnicodeDecodeError as exc:
        raise BilingualError(f"{source.name}: not UTF-8 text (byte {exc.start})") from None
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\n")
        if explain:
            answer = explanation.explain(text, number)
        else:
            answer = explanation.as_json(detection.detect(text), number)
        click.echo(json.dumps(answer, ensure_ascii=False))


@main.group()
def models() -> None:
    """List and install Argos Translate model packages."""


@models.command("list")
def models_list() -> None:
    """Installed Argos packages (and whether Apertium is available)."""
    from flows.engines import apertium, argos_packages  # argostranslate: start-up

    installed = argos_packages.list_installed()
    if not installed:
        click.echo(f"no Argos packages installed in {argos_packages.packages_dir()}")
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
def models_install(source: str, target: str, package_file: Path | None) -> None:
    """Install an es→en package from the Argos index, or from a local .argosmodel file."""
    from flows.engines import argos_packages  # argostranslate: start-up

    if package_file is not None:
        done = argos_packages.install_file(package_file, source, target)
    else:
        done = argos_packages.install_from_index(source, target)
    click.echo(f"installed argos {done.from_code}→{done.to_code} {done.version} in {done.path}")


@main.command()
@output_root
@click.option(
    "--doc", "doc_id", default=None, metavar="ID", help="Only this document (an id or its prefix)."
)
@click.option("--all", "show_all", is_flag=True, help="Also show sentences carried over (copied).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@output_format
@click.option(
    "--explain",
    is_flag=True,
    help="Also why each tweet has its language, as `detect --explain` says it.",
)
def show(
    out: Path, doc_id: str | None, show_all: bool, limit: int, fmt: str, explain: bool
) -> None:
    """Originals and translations side by side, with their article."""
    # views (pyarrow, rich): only for the command that shows them
    from flows.views.show import pair_rows, render_pairs

    rows = pair_rows(out, doc_id=doc_id, show_all=show_all, explain=explain)
    render_pairs(rows, out, doc_id=doc_id, show_all=show_all, limit=limit, fmt=fmt, explain=explain)


@main.command()
@output_root
@output_format
def docs(out: Path, fmt: str) -> None:
    """The documents under OUT: id prefix, title, tweets, Spanish tweets, run date."""
    # views (pyarrow, rich): only for the command that shows them
    from flows.views.show import document_rows, render_documents

    render_documents(document_rows(out), out, fmt=fmt)


@main.command()
@output_root
@output_format
def runs(out: Path, fmt: str) -> None:
    """The runs under OUT: documents each wrote, how many are still there, how many moved."""
    # views (pyarrow, rich): only for the command that shows them
    from flows.views.show import render_runs, run_rows

    render_runs(run_rows(out), fmt=fmt)


@main.command()
@output_root
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
def report(out: Path, run_date: Any, html_path: Path | None) -> None:
    """The self-contained HTML report of a run date (opens offline); prints its path."""
    # views (pyarrow, rich): only for the command that shows them
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
@output_root
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
def export(fmt: str, out: Path, dest: Path | None, min_score: float | None) -> None:
    """The translated sentence pairs for MT and translation-memory tools (each distinct pair
    once, with its count)."""
    # views (pyarrow, rich): only for the command that shows them
    from flows.views.export import export_pairs

    done = export_pairs(out, fmt, dest, min_score)
    click.echo(
        f"{done.pairs} pairs ({done.sentences} sentences) → {', '.join(map(str, done.paths))}"
    )


@main.command()
@output_root
@click.option(
    "--repair",
    is_flag=True,
    help="Move the runs that wrote damaged files to OUT/.quarantine/ (processed again next run).",
)
def check(out: Path, repair: bool) -> None:
    """Read every Parquet file's footer and schema; list the damaged ones (exit 1), or repair."""
    from flows.store.integrity import QUARANTINE, check_root  # pyarrow: start-up

    found = check_root(out, repair_damage=repair)
    for damage in found.damaged:
        click.echo(f"damaged: {damage.path}: {damage.reason}")
    if not found.damaged:
        click.echo(f"ok: {found.files} Parquet files under {out}, none damaged")
        return
    if not repair:
        raise BilingualError(
            f"{len(found.damaged)} damaged file(s) under {out}; "
            f"run `bilingual check --out {out} --repair` to move them aside"
        )
    for source, target in found.moves:
        click.echo(f"moved: {source} → {target}")
    click.echo(
        f"repaired: {len(found.moves)} files of {found.runs_moved} run(s) moved to "
        f"{out / QUARANTINE}; the next run processes their inputs again"
    )


@main.command()
@run_options
@click.option("--cron", required=True, help='Schedule, e.g. "0 * * * *" for every hour.')
@click.option("--name", default="bilingual-scheduled", show_default=True, help="Deployment name.")
def serve(cron: str, name: str, **options: Any) -> None:
    """Run the flow on a schedule as a Prefect deployment (starts a local server if needed)."""
    from flows.orchestration.runner import serve_forever  # Prefect: start-up

    serve_forever(run_settings(options, absolute=True), cron=cron, name=name)


@main.group()
def server() -> None:
    """A local Prefect server that outlives one run (one-off runs then start in seconds)."""


@server.command("start")
@click.option(
    "--port", default=4200, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
def server_start(port: int) -> None:
    """Start it in the background on 127.0.0.1; its database lives under the user's data dir."""
    from flows.orchestration import local_server  # httpx: start-up

    click.echo(
        f"starting a local Prefect server (database in {local_server.server_dir()})…", err=True
    )
    running, started = local_server.start(port)
    state = "started" if started else "already running"
    click.echo(f"Prefect server {state}: {running.ui_url} (PID {running.pid})")


@server.command("stop")
def server_stop() -> None:
    """Stop the server `bilingual server start` started (by its recorded PID)."""
    from flows.orchestration import local_server  # httpx: start-up

    stopped = local_server.stop()
    if stopped is None:
        click.echo("no local Prefect server was running")
    else:
        click.echo(f"stopped the Prefect server at {stopped.ui_url} (PID {stopped.pid})")


@server.command("status")
def server_status() -> None:
    """Up (with its URL) or down; exit status 0 when up, 1 when down."""
    from flows.orchestration import local_server  # httpx: start-up

    recorded = local_server.recorded()
    if recorded is None:
        click.echo("down")
        sys.exit(1)
    if not local_server.healthy(recorded.api_url):
        click.echo(f"not answering: {recorded.ui_url} (PID {recorded.pid}; starting, or stuck)")
        sys.exit(1)
    click.echo(f"up: {recorded.ui_url} (PID {recorded.pid})")


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


_add_verbosity_options(main)


if __name__ == "__main__":
    main()
