"""The few domain exceptions. Each carries a located, one-line message; the CLI turns them
into `error: <message>` and an exit status at the edge, never a traceback."""

from __future__ import annotations

from pathlib import Path


class BilingualError(Exception):
    """Base class: an error a user can cause and fix. `str()` is the one-line message."""

    exit_code = 1


class UsageError(BilingualError):
    """A bad argument or option value (exit status 2)."""

    exit_code = 2


class InputError(BilingualError):
    """A problem with one input file, located by path and (when known) line number."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class EngineUnavailable(BilingualError):
    """The translation engine asked for cannot run on this machine."""


class ModelPackageError(BilingualError):
    """An Argos model package that cannot be installed or used."""


class OutputLocked(BilingualError):
    """Another run holds the output root."""


class DamagedFile(BilingualError):
    """A Parquet file under the output root that cannot be read (truncated, overwritten,
    another schema). The message names the file and the command that repairs the root."""

    def __init__(self, path: Path | str, reason: str, root: Path | str) -> None:
        self.path = str(path)
        super().__init__(
            f"damaged Parquet file ({path}): {reason}; run `bilingual check --out {root} --repair`"
        )


class SigTerm(KeyboardInterrupt):
    """SIGTERM, raised in the main thread. A BaseException, as Ctrl-C's KeyboardInterrupt
    is: no `except Exception` on the way out (Prefect's, ours) takes it for a failure of a
    task, and Prefect marks the run CRASHED."""


class Terminated(BilingualError):
    """A run stopped by SIGTERM (a scheduler, a container runtime, `kill`), said in one line
    with the exit status a shell gives a process SIGTERM ends (128 + 15)."""

    exit_code = 143

    def __init__(self) -> None:
        super().__init__("terminated (SIGTERM); the next run repairs what this one left")
