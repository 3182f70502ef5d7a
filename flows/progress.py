"""A terminal progress bar over the flow's steps, or nothing when there is no terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Progress:
    def __init__(self, enabled: bool) -> None:
        self._bar: Any = None
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description:<28}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),  # stdout stays for the summary (`run --json`)
            )

    def __enter__(self) -> Progress:
        if self._bar:
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar:
            self._bar.__exit__(*exc)

    def step(self, description: str, total: int) -> Callable[[int], None]:
        """A new bar of `total` units; returns the function that advances it."""
        if self._bar is None:
            return lambda n: None
        task_id = self._bar.add_task(description, total=max(total, 0))
        return lambda n: self._bar.advance(task_id, n)
