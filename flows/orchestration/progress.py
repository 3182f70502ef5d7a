"""A terminal progress bar over the flow's steps, each labelled with its unit and rate
(`12/40 articles  8.3 articles/s`), or nothing when there is no terminal. Rich redraws it
in place on a terminal; on a pipe or a file (`--progress` forced) it prints each bar's
final state once, as plain lines, when the run ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def rate_text(completed: float, elapsed: float | None, unit: str) -> str:
    """The average rate so far (`8.3 articles/s`): `completed` units in `elapsed`
    seconds; a dash until a unit is done (a rate of nothing says nothing)."""
    if not unit:
        return ""
    if not completed or not elapsed:
        return f"– {unit}/s"
    return f"{completed / elapsed:.1f} {unit}/s"


def count_text(completed: float, total: float | None, unit: str) -> str:
    """`12/40 articles`."""
    shown = f"{int(completed)}/{int(total)}" if total is not None else f"{int(completed)}"
    return f"{shown} {unit}".rstrip()


class Progress:
    def __init__(self, enabled: bool, get_time: Callable[[], float] | None = None) -> None:
        self._bar: Any = None
        if enabled:
            # rich: only when something is drawn (start-up)
            from rich.console import Console

            # stdout stays for the summary (`run --json`)
            self._bar = rich_progress(Console(stderr=True), get_time)

    def __enter__(self) -> Progress:
        if self._bar:
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar:
            self._bar.__exit__(*exc)

    def step(
        self, description: str, total: int | None, unit: str = "articles"
    ) -> Callable[[int], None]:
        """A new bar of `total` units (None: not known before they are read, as the records
        of a row file; `unit` names them, "" for a step that is no count of things, without
        a rate); returns the function that advances it."""
        if self._bar is None:
            return lambda n: None
        task_id = self._bar.add_task(
            description, total=None if total is None else max(total, 0), unit=unit
        )
        return lambda n: self._bar.advance(task_id, n)


def rich_progress(console: Any, get_time: Callable[[], float] | None = None) -> Any:
    """Rich's progress display with our columns: step, bar, `done/total unit`, rate."""
    # rich: only when something is drawn (start-up)
    from rich.progress import BarColumn, ProgressColumn, Task, TextColumn
    from rich.progress import Progress as RichProgress
    from rich.text import Text

    class Count(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(count_text(task.completed, task.total, task.fields.get("unit", "")))

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            elapsed = task.finished_time if task.finished else task.elapsed
            return Text(rate_text(task.completed, elapsed, task.fields.get("unit", "")))

    return RichProgress(
        TextColumn("{task.description:<24}"),
        BarColumn(bar_width=20),
        Count(),
        Rate(),
        console=console,
        get_time=get_time,
    )
