"""One writer per output root: an advisory `flock` on `<root>/.bilingual.lock`."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.errors import BilingualError, OutputLocked

LOCK_NAME = ".bilingual.lock"


@contextmanager
def output_lock(root: Path) -> Iterator[None]:
    """Hold the output root for one run; a second run exits at once with one line instead of
    waiting or writing beside the first. The kernel releases the lock if the holder dies."""
    path = root / LOCK_NAME
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BilingualError(f"{root}: cannot write the output here ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = path.read_text(encoding="utf-8").strip() or "another process"
            raise OutputLocked(
                f"{root}: another bilingual run ({holder}) is writing here; "
                "wait for it to finish and run again"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        yield
    finally:
        os.close(fd)
