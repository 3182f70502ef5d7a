"""Charts for the HTML report, drawn by matplotlib's SVG backend into strings that the page
holds inline. Text stays text (searchable, escaped by matplotlib), `$` is never read as
math, and no date or random id goes into the SVG, so the same counts give the same bytes.
pyplot is not used: its global backend and figure registry are left alone."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_IN = 5.6
COLOURS = ("#2f6db5", "#e08a2c", "#4a9b58", "#c44e52", "#8172b2", "#937860", "#8c8c8c")
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "bilingual",
    "text.parse_math": False,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def _style() -> AbstractContextManager[None]:
    import matplotlib

    return matplotlib.rc_context(_RC)  # type: ignore[arg-type]


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata=_NO_METADATA)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # no XML declaration or DOCTYPE inside HTML


def _figure(height_in: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    return fig, fig.add_subplot()


def _bar_height(n_rows: int) -> float:
    return 1.2 + 0.22 * max(n_rows, 1)


def bars(items: Sequence[tuple[str, int]], xlabel: str) -> str | None:
    """Horizontal bars, first item on top; None when there is nothing to draw."""
    if not items:
        return None
    with _style():
        fig, ax = _figure(_bar_height(len(items)))
        labels = [label for label, _ in items][::-1]
        values = [value for _, value in items][::-1]
        ax.barh(range(len(items)), values, color=COLOURS[0])
        ax.set_yticks(range(len(items)), labels)
        ax.bar_label(ax.containers[0], padding=2)  # type: ignore[arg-type]
        ax.set_xlabel(xlabel)
        ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
        return _svg(fig)


def stacked_bars(
    rows: Sequence[str], series: Mapping[str, Sequence[int]], xlabel: str
) -> str | None:
    """Horizontal bars per row, one coloured part per series (e.g. kinds by language)."""
    if not rows or not series:
        return None
    with _style():
        fig, ax = _figure(_bar_height(len(rows)) + 0.3)
        positions = range(len(rows))[::-1]
        left = [0] * len(rows)
        for i, (name, values) in enumerate(series.items()):
            ax.barh(positions, values, left=left, label=name, color=COLOURS[i % len(COLOURS)])
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_yticks(list(positions), list(rows))
        ax.set_xlabel(xlabel)
        ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.35 if len(rows) < 4 else -0.2),
            ncols=min(len(series), 6),
            frameon=False,
        )
        return _svg(fig)


def histogram(series: Mapping[str, Sequence[float]], xlabel: str, bins: int = 20) -> str | None:
    """Stacked histogram of each series' values: over [0, 1] when they all lie there
    (probabilities, shares), else over their own range (log-probabilities)."""
    present = {name: list(values) for name, values in series.items() if values}
    if not present:
        return None
    low = min(min(v) for v in present.values())
    high = max(max(v) for v in present.values())
    if low >= 0 and high <= 1:
        low, high = 0.0, 1.0
    elif high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    with _style():
        fig, ax = _figure(2.4)
        ax.hist(
            list(present.values()),
            bins=bins,
            range=(low, high),
            stacked=True,
            label=list(present),
            color=[COLOURS[i % len(COLOURS)] for i in range(len(present))],
        )
        ax.set_xlabel(xlabel)
        ax.set_ylabel("count")
        ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
        ax.ticklabel_format(axis="x", useOffset=False)
        ax.legend(loc="best", frameon=False)
        return _svg(fig)
