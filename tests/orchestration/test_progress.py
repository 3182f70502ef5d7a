"""The run's progress bars: each labelled with its unit and a rate, drawn by a plain
function of the counts and the clock; plain lines (no cursor codes) off a terminal."""

from __future__ import annotations

import io

from rich.console import Console

from flows.orchestration.progress import count_text, rate_text, rich_progress


def test_rate_is_units_per_second_and_a_dash_before_the_first_unit() -> None:
    assert rate_text(12, 1.5, "articles") == "8.0 articles/s"
    assert rate_text(0, 3.0, "articles") == "– articles/s"
    assert rate_text(5, 0.0, "articles") == "– articles/s"
    assert rate_text(1, 2.0, "") == ""
    assert count_text(12, 40, "articles") == "12/40 articles"
    assert count_text(1, 1, "") == "1/1"


def test_bars_render_with_units_and_rates_in_80_columns_off_a_terminal() -> None:
    now = [0.0]
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=False, color_system=None)
    with rich_progress(console, get_time=lambda: now[0]) as bars:
        analyse = bars.add_task("segmenting and detecting", total=40, unit="articles")
        now[0] = 2.0
        bars.advance(analyse, 10)
        now[0] = 4.0
        bars.advance(analyse, 30)  # done: 40 articles in 4 s
        now[0] = 9.0  # the rate of a finished bar stays
        write = bars.add_task("writing", total=1, unit="")
        bars.advance(write, 1)
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()
    assert [line.split() for line in lines] == [
        ["segmenting", "and", "detecting", "━" * 20, "40/40", "articles", "10.0", "articles/s"],
        ["writing", "━" * 20, "1/1"],
    ]
    assert all(len(line) <= 80 for line in lines)
