"""One writer per output root: an advisory `flock` on `<root>/.bilingual.lock`."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.errors import BilingualError, OutputLocked

LOCK_NAME = ".bilingual.lock"
_held: dict[Path, int] = {}  # roots this process holds, with how many times it entered
_guard = threading.Lock()


@contextmanager
def output_lock(root: Path) -> Iterator[None]:
    """Hold the output root for one run; a second run exits at once with one line instead of
    waiting or writing beside the first. Re-entrant within a process (the command line takes
    the lock before Prefect starts, the flow takes it again); the kernel releases it if the
    holder dies."""
    key = root.resolve()
    with _guard:
        if key in _held:
            _held[key] += 1
            acquired_fd = None
        else:
            acquired_fd = _acquire(root)
            _held[key] = 1
    try:
        yield
    finally:
        with _guard:
            _held[key] -= 1
            if _held[key] == 0:
                del _held[key]
                if acquired_fd is not None:
                    os.close(acquired_fd)


def _acquire(root: Path) -> int:
    path = root / LOCK_NAME
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BilingualError(f"{root}: cannot write the output here ({exc.strerror})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        holder = path.read_text(encoding="utf-8").strip() or "another process"
        raise OutputLocked(
            f"{root}: another bilingual run ({holder}) is writing here; "
            "wait for it to finish and run again"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"pid {os.getpid()}".encode())
    return fd
