"""The report's charts: well-formed SVG whose bars are as long as their counts, text kept as
text, the same bytes for the same counts. (The whole page is looked at in Chromium in
test_report.py.)"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

from flows.views.report_charts import bars, bin_counts, histogram, stacked_bars, ticks

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str | None) -> ET.Element:
    assert svg is not None
    return ET.fromstring(svg)


def bars_of(root: ET.Element) -> list[tuple[float, float, str]]:
    """(width, height, title) of every bar (rects with a title; legend squares have none)."""
    return [
        (float(r.get("width", 0)), float(r.get("height", 0)), r.findtext(f"{SVG}title") or "")
        for r in root.iter(f"{SVG}rect")
        if r.find(f"{SVG}title") is not None
    ]


def texts_of(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("low", "high", "integer"),
    [(0, 7, True), (0, 1, False), (-3.2, -0.1, False), (0, 0, True), (0, 12345, True)],
)
def test_ticks_are_round_and_cover_the_range(low: float, high: float, integer: bool) -> None:
    values = ticks(low, high, integer=integer)
    assert values[0] <= low and values[-1] >= high and len(values) >= 2
    steps = {round(b - a, 9) for a, b in pairwise(values)}
    assert len(steps) == 1
    [step] = steps
    assert round(step / 10 ** math.floor(math.log10(step)), 9) in {1, 2, 5}
    assert not integer or all(v == int(v) for v in values)


def test_bin_counts_count_every_value_once_and_the_top_in_the_last_bin() -> None:
    assert bin_counts([0.0, 0.05, 0.5, 0.99, 1.0, 1.5], 0.0, 1.0, 10) == [
        2, 0, 0, 0, 0, 1, 0, 0, 0, 2,
    ]  # fmt: skip


def test_bars_are_as_long_as_their_counts_and_labels_are_text() -> None:
    label = '<b>Bold</b> & $5 "costs" $6'
    svg = bars([(label, 6), ("@ana", 3), ("@luis", 1)], "tweets")
    root = parse(svg)
    drawn = bars_of(root)
    assert [title for _, _, title in drawn] == [f"{label}: 6", "@ana: 3", "@luis: 1"]
    widths = [w for w, _, _ in drawn]
    assert widths[0] / widths[1] == pytest.approx(2, rel=0.01)
    assert widths[0] / widths[2] == pytest.approx(6, rel=0.01)
    assert label in texts_of(root) and {"6", "3", "1", "tweets"} <= set(texts_of(root))
    assert "<b>" not in svg  # escaped, never markup
    assert bars([(label, 6), ("@ana", 3), ("@luis", 1)], "tweets") == svg


def test_stacked_bars_split_each_row_by_series_with_a_legend() -> None:
    root = parse(stacked_bars(["tweet", "paragraph"], {"en": [3, 40], "es": [2, 0]}, "segments"))
    drawn = bars_of(root)
    assert [title for _, _, title in drawn] == ["tweet: en 3", "tweet: es 2", "paragraph: en 40"]
    assert drawn[0][0] / drawn[1][0] == pytest.approx(1.5, rel=0.01)
    assert {"en", "es", "tweet", "paragraph", "segments"} <= set(texts_of(root))


def test_histogram_stacks_its_series_per_bin() -> None:
    values = {"es": [0.97, 0.99, 1.0, 0.42], "other languages": [0.98, 0.41]}
    root = parse(histogram(values, "probability", bins=10))
    drawn = bars_of(root)
    counted = {title: height for _, height, title in drawn}
    assert set(counted) == {
        "es: 1 in [0.4, 0.5)",
        "es: 3 in [0.9, 1)",
        "other languages: 1 in [0.4, 0.5)",
        "other languages: 1 in [0.9, 1)",
    }
    assert counted["es: 3 in [0.9, 1)"] == pytest.approx(3 * counted["es: 1 in [0.4, 0.5)"])
    assert {"probability", "count", "0", "1", "es", "other languages"} <= set(texts_of(root))


def test_nothing_to_draw_is_none() -> None:
    assert bars([], "tweets") is None
    assert stacked_bars([], {"en": []}, "segments") is None
    assert histogram({"es": []}, "probability") is None
