"""The processes of a run, read from /proc: its descendants while it lives and its process
group after it died (orphans are re-parented away from it, their group stays)."""

from __future__ import annotations

import os
import signal
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Proc:
    """One live process: a pid with its start time (so a reused pid is not mistaken for it)."""

    pid: int
    ppid: int
    pgid: int
    started: int
    cmdline: str

    def __str__(self) -> str:
        return f"{self.pid} (ppid {self.ppid}, pgid {self.pgid}): {self.cmdline[:120]}"


def _read(pid: int) -> Proc | None:
    """The process `pid`, or None when it is gone or a zombie (dead, awaiting its reaper)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    if fields[0] in ("Z", "X"):
        return None
    cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return Proc(pid, int(fields[1]), int(fields[2]), int(fields[19]), cmdline)


def is_alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie is dead: it only awaits its parent's `wait`)."""
    return _read(pid) is not None


def processes() -> list[Proc]:
    """Every live process this user can see."""
    found = (_read(int(p.name)) for p in PROC.iterdir() if p.name.isdigit())
    return [p for p in found if p is not None]


def descendants(pid: int) -> list[Proc]:
    """The live processes below `pid` (children, their children, …)."""
    everyone = processes()
    below: list[Proc] = []
    parents = {pid}
    while True:
        new = [p for p in everyone if p.ppid in parents and p not in below]
        if not new:
            return below
        below += new
        parents = {p.pid for p in new}


def survivors(pgid: int, known: list[Proc]) -> list[Proc]:
    """Which processes of a run are still alive: any in its process group `pgid`, any of
    `known` (its descendants seen earlier, matched by pid and start time), and theirs."""
    everyone = {p.pid: p for p in processes()}
    alive = {p.pid for p in known if everyone.get(p.pid) == p}
    alive |= {p.pid for p in everyone.values() if p.pgid == pgid}
    while True:
        more = {p.pid for p in everyone.values() if p.ppid in alive} - alive
        if not more:
            return [everyone[pid] for pid in sorted(alive)]
        alive |= more


def wait_for_none(pgid: int, known: list[Proc], seconds: float) -> list[Proc]:
    """`survivors` once none is left, or after `seconds` (then the ones still alive)."""
    deadline = time.monotonic() + seconds
    while (left := survivors(pgid, known)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def kill_all(procs: list[Proc]) -> None:
    """SIGKILL what a failed check found, so one failure does not leak into the next test."""
    for p in procs:
        if _read(p.pid) == p:
            with suppress(ProcessLookupError):
                os.kill(p.pid, signal.SIGKILL)
