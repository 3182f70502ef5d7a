"""Failures a user meets outside the inputs (a full disk, a folder they may not write, a
read-only file system, a crash of ours): one line `error: <what> (<path>): <reason>` on
stderr, exit status 1, the committed data intact; a traceback only with `--debug`."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flows.cli import main, one_line_error
from flows.store.integrity import damaged_files
from tests.conftest import SEED

RUN = ("--run-date", "2026-01-02", "--engine", "apertium", "--no-progress")
IS_ROOT = os.geteuid() == 0


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            OSError(errno.ENOSPC, "No space left on device", "/o/.staging/r/part-r.parquet"),
            "error: No space left on device (/o/.staging/r/part-r.parquet): "
            "the data already committed is intact; free some space and run again",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied", "/o/documents"),
            "error: Permission denied (/o/documents): this user may not read or write there; "
            "fix the permissions or use another --out",
        ),
        (
            OSError(errno.EROFS, "Read-only file system", "/o/x"),
            "error: Read-only file system (/o/x): the file system is read-only; use another --out",
        ),
        (OSError(errno.EIO, "Input/output error", "/o/y"), "error: Input/output error (/o/y): EIO"),
        (
            PermissionError(errno.EACCES, "Permission denied", "/o/.staging/a", None, "/o/b"),
            "error: Permission denied (/o/.staging/a → /o/b): this user may not read or write "
            "there; fix the permissions or use another --out",
        ),
        (
            KeyError("doc_id"),
            "error: unexpected KeyError: 'doc_id'; run with --debug for details",
        ),
    ],
    ids=["disk-full", "permission", "read-only", "io", "rename", "unexpected"],
)
def test_errors_reaching_the_top_are_one_line(error: Exception, line: str) -> None:
    assert one_line_error(error) == (line, 1)


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from flows.views import show

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EIO, "Input/output error", str(tmp_path))

    monkeypatch.setattr(show, "pair_rows", crash)
    quiet = CliRunner().invoke(main, ["show", "--out", str(tmp_path)])
    assert (quiet.exit_code, quiet.stderr) == (1, f"error: Input/output error ({tmp_path}): EIO\n")
    loud = CliRunner().invoke(main, ["--debug", "show", "--out", str(tmp_path)])
    assert loud.exit_code == 1 and isinstance(loud.exception, OSError)  # raised, not reported


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs (root only)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)])
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def bilingual(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.skipif(not IS_ROOT, reason="mounting a small file system needs root")
@pytest.mark.usefixtures("prefect_harness")
def test_a_full_disk_is_one_line_and_the_next_run_completes(
    tiny_disk: Path, tmp_path: Path
) -> None:
    inputs, out = tmp_path / "in", tiny_disk / "out"
    inputs.mkdir()
    shutil.copy(SEED, inputs / SEED.name)
    filler = tiny_disk / "filler"
    with open(filler, "wb") as fh:  # leave 4 KiB: the lock fits, the first Parquet file not
        fh.write(bytes(os.statvfs(tiny_disk).f_bavail * os.statvfs(tiny_disk).f_frsize - 4096))
    full = bilingual("run", str(inputs), "--out", str(out), *RUN)
    assert full.exit_code == 1
    assert full.stderr.startswith(f"error: No space left on device ({out}/.staging/")
    assert full.stderr.endswith(
        ".parquet): the data already committed is intact; free some space and run again\n"
    )
    assert full.stderr.count("\n") == 1
    filler.unlink()
    again = bilingual("run", str(inputs), "--out", str(out), *RUN)
    assert again.exit_code == 0, again.stderr
    assert damaged_files(out) == [] and not (out / ".staging").exists()


@pytest.mark.skipif(IS_ROOT, reason="root writes whatever the folder's mode")
@pytest.mark.usefixtures("prefect_harness")
def test_a_dataset_folder_that_is_not_writable_is_one_line(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    shutil.copy(SEED, inputs / SEED.name)
    assert bilingual("run", str(inputs), "--out", str(out), *RUN).exit_code == 0
    (inputs / "new.txt").write_text("New\n\nAnother article.\n", "utf-8")
    partition = out / "documents" / "run_date=2026-01-02"
    partition.chmod(0o555)
    try:
        denied = bilingual("run", str(inputs), "--out", str(out), *RUN)
    finally:
        partition.chmod(0o755)
    assert denied.exit_code == 1
    assert denied.stderr.startswith("error: Permission denied (")
    assert str(partition) in denied.stderr
    assert denied.stderr.endswith(
        "): this user may not read or write there; fix the permissions or use another --out\n"
    )
    assert denied.stderr.count("\n") == 1


def fill(disk: Path) -> None:
    """Leave no free block on `disk`."""
    free = os.statvfs(disk)
    with open(disk / "filler", "wb") as fh:
        fh.write(bytes(free.f_bavail * free.f_frsize))


@pytest.mark.skipif(not IS_ROOT, reason="mounting a small file system needs root")
@pytest.mark.parametrize(
    ("command", "what"),
    [
        (("report", "--html"), "cannot write the report"),
        (("export", "--format", "jsonl", "--dest"), "cannot write"),
    ],
    ids=["report", "export"],
)
def test_a_full_disk_while_a_report_or_export_is_written_leaves_no_temporary_file(
    command: tuple[str, ...], what: str, seed_run: tuple[Path, Result], tiny_disk: Path
) -> None:
    out, _ = seed_run
    folder = tiny_disk / "written"
    folder.mkdir()
    fill(tiny_disk)
    dest = folder / "file"
    full = bilingual(*command[:1], "--out", str(out), *command[1:], str(dest))
    assert (full.exit_code, full.stderr) == (
        1,
        f"error: {dest}: {what} (No space left on device)\n",
    )
    assert list(folder.iterdir()) == []  # neither the file nor its `.file.<pid>.tmp`
