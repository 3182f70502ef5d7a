"""Charts for the HTML report: horizontal bars, stacked bars and stacked histograms, written
as SVG strings that the page holds inline.

Plain string building, not a plotting library: importing matplotlib and drawing the six
charts cost about 2 s of every run (half of a one-article run's flow). Text stays text,
escaped here; the same counts give the same bytes (no dates, no random ids); each bar's
exact count is in its `<title>` (shown on hover).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from html import escape

WIDTH = 560
FONT_PX = 11
CHAR_PX = 6.2  # a generous average glyph width at FONT_PX, to leave room for labels
ROW_PX = 20  # one horizontal bar and its gap
HISTOGRAM_PX = 130  # height of a histogram's plot area
PAD = 8
COLOURS = ("#2f6db5", "#e08a2c", "#4a9b58", "#c44e52", "#8172b2", "#937860", "#8c8c8c")
INK, MUTED, GRID = "#1f2328", "#59636e", "#d8dee4"


def bars(items: Sequence[tuple[str, int]], xlabel: str) -> str | None:
    """Horizontal bars, first item on top, each with its count at its end; None when there
    is nothing to draw."""
    if not items:
        return None
    rows = [label for label, _ in items]
    return _horizontal(rows, {"": [value for _, value in items]}, xlabel, value_labels=True)


def stacked_bars(
    rows: Sequence[str], series: Mapping[str, Sequence[int]], xlabel: str
) -> str | None:
    """Horizontal bars per row, one coloured part per series (e.g. kinds by language), with
    a legend below."""
    if not rows or not series:
        return None
    return _horizontal(list(rows), dict(series), xlabel, value_labels=False)


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
    counts = {name: bin_counts(values, low, high, bins) for name, values in present.items()}
    totals = [sum(column) for column in zip(*counts.values(), strict=True)]
    y_ticks = ticks(0, max(totals), integer=True)
    x_ticks = ticks(low, high)
    label_x = PAD + FONT_PX  # the baseline of "count", turned upright
    left = label_x + 8 + CHAR_PX * max(len(_number(t)) for t in y_ticks)
    legend, legend_h = _legend(list(present), left, WIDTH - PAD)
    top = PAD + legend_h
    plot_w, plot_h = WIDTH - PAD - left, HISTOGRAM_PX
    x = _Scale(x_ticks[0], x_ticks[-1], left, left + plot_w)
    y = _Scale(0, y_ticks[-1], top + plot_h, top)
    parts = [legend]
    parts += _grid_y(y_ticks, y, left, left + plot_w)
    step = (high - low) / bins
    base = [0] * bins
    for colour, (name, column) in zip(_colours(), counts.items(), strict=False):
        for i, n in enumerate(column):
            if n:
                x0, x1 = x(low + i * step), x(low + (i + 1) * step)
                y0, y1 = y(base[i]), y(base[i] + n)
                what = (
                    f"{name}: {n} in [{_number(low + i * step)}, {_number(low + (i + 1) * step)})"
                )
                parts.append(_rect(x0, y1, x1 - x0, y0 - y1, colour, what))
                base[i] += n
    parts += _axis_x(x_ticks, x, top + plot_h, left, left + plot_w)
    bottom = top + plot_h + 2 * FONT_PX + 10
    parts.append(_text(left + plot_w / 2, bottom, xlabel, anchor="middle"))
    middle = top + plot_h / 2
    parts.append(
        f'<text x="{label_x:.1f}" y="{middle:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 {label_x:.1f} {middle:.1f})">count</text>'
    )
    return _svg(bottom + PAD, parts)


def bin_counts(values: Sequence[float], low: float, high: float, bins: int) -> list[int]:
    """How many values fall in each of `bins` equal bins over [low, high]; the last bin is
    closed, so `high` itself is counted (as numpy's histogram does)."""
    counts = [0] * bins
    width = (high - low) / bins
    for value in values:
        if low <= value <= high:
            counts[min(int((value - low) / width), bins - 1)] += 1
    return counts


def ticks(low: float, high: float, *, integer: bool = False, target: int = 5) -> list[float]:
    """About `target` round tick values (steps of 1, 2 or 5 × 10^k) covering [low, high];
    whole numbers when `integer`, and at least one step above `low`."""
    span = high - low
    if span <= 0:
        span = 1.0
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    if integer:
        step = max(1, round(step))
    first = math.floor(low / step + 1e-9)
    last = max(math.ceil(high / step - 1e-9), first + 1)
    return [round(i * step, 10) for i in range(first, last + 1)]


# --- drawing ----------------------------------------------------------------------------


def _horizontal(
    rows: list[str], series: dict[str, Sequence[int]], xlabel: str, *, value_labels: bool
) -> str:
    totals = [sum(column) for column in zip(*series.values(), strict=True)]
    x_ticks = ticks(0, max(totals), integer=True)
    left = PAD + min(CHAR_PX * max(len(r) for r in rows), WIDTH * 0.45)
    right = WIDTH - PAD - (CHAR_PX * len(str(max(totals))) + 4 if value_labels else 0)
    top, plot_h = PAD, ROW_PX * len(rows)
    x = _Scale(0, x_ticks[-1], left, right)
    parts = _grid_x(x_ticks, x, top, top + plot_h)
    for r, label in enumerate(rows):
        row_y = top + r * ROW_PX
        parts.append(_text(left - 4, row_y + ROW_PX / 2 + FONT_PX / 3, label, anchor="end"))
        start = 0
        for colour, (name, values) in zip(_colours(), series.items(), strict=False):
            if values[r]:
                what = f"{label}: {name} {values[r]}" if name else f"{label}: {values[r]}"
                x0, x1 = x(start), x(start + values[r])
                parts.append(_rect(x0, row_y + 3, x1 - x0, ROW_PX - 6, colour, what))
                start += values[r]
        if value_labels:
            parts.append(_text(x(start) + 3, row_y + ROW_PX / 2 + FONT_PX / 3, str(start)))
    parts += _axis_x(x_ticks, x, top + plot_h, left, right)
    bottom: float = top + plot_h + 2 * FONT_PX + 10
    parts.append(_text((left + right) / 2, bottom, xlabel, anchor="middle"))
    if names := [name for name in series if name]:  # `bars` has one unnamed series
        legend, legend_h = _legend(names, PAD, WIDTH - PAD, top=bottom + 6)
        parts.append(legend)
        bottom += 6 + legend_h
    return _svg(bottom + PAD, parts)


def _legend(names: list[str], left: float, right: float, top: float = PAD) -> tuple[str, float]:
    """Coloured squares and names, in as many lines as the width needs; (svg, height)."""
    parts, x, line = [], left, 0
    for colour, name in zip(_colours(), names, strict=False):
        width = 14 + CHAR_PX * len(name) + 12
        if x + width > right and x > left:
            x, line = left, line + 1
        y = top + line * (FONT_PX + 6)
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(x + 14, y + 9, name))
        x += width
    return "".join(parts), (line + 1) * (FONT_PX + 6) + 4


def _axis_x(values: list[float], x: _Scale, y: float, left: float, right: float) -> list[str]:
    parts = [_line(left, y, right, y, INK)]
    for value in values:
        parts.append(_line(x(value), y, x(value), y + 4, INK))
        parts.append(_text(x(value), y + 4 + FONT_PX, _number(value), anchor="middle"))
    return parts


def _grid_x(values: list[float], x: _Scale, top: float, bottom: float) -> list[str]:
    return [_line(x(v), top, x(v), bottom, GRID) for v in values[1:]]


def _grid_y(values: list[float], y: _Scale, left: float, right: float) -> list[str]:
    parts = []
    for value in values:
        parts.append(_line(left, y(value), right, y(value), GRID))
        parts.append(_text(left - 4, y(value) + FONT_PX / 3, _number(value), anchor="end"))
    return parts


class _Scale:
    """A linear map of data values onto pixels."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        self.low, self.factor, self.start = low, (end - start) / ((high - low) or 1), start

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) * self.factor


def _colours() -> Iterator[str]:
    while True:
        yield from COLOURS


def _number(value: float) -> str:
    return f"{value:.10g}" if value != int(value) else str(int(value))


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    where = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return f'<text x="{x:.1f}" y="{y:.1f}"{where}>{escape(text, quote=False)}</text>'


def _rect(x: float, y: float, w: float, h: float, colour: str, title: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}">'
        f"<title>{escape(title, quote=False)}</title></rect>"
    )


def _line(x0: float, y0: float, x1: float, y1: float, colour: str) -> str:
    return f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{colour}"/>'


def _svg(height: float, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" font-size="{FONT_PX}" fill="{INK}" '
        f'font-family="system-ui, \'DejaVu Sans\', sans-serif" role="img">'
        + "".join(parts)
        + "</svg>"
    )
