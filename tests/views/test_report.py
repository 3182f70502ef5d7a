"""The HTML report as a person sees it: opened in headless Chromium, screenshotted, asserted
on its DOM and on every request the page makes (none may leave it). Also `run --json`."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from flows.cli import main
from flows.engines import apertium
from flows.store import datasets
from flows.views.report_html import report_path
from tests.conftest import ROOT, SEED
from tests.support.browser import Browser, Page, chromium, chromium_path

EVAL = ROOT.parent / "shared" / "eval"
needs_apertium = pytest.mark.skipif(
    not apertium.is_available("es", "en"),
    reason="apertium-eng-spa is not installed (make test installs it)",
)
needs_chromium = pytest.mark.skipif(
    chromium_path() is None, reason="chromium is not installed (.ci/run installs it)"
)
N_CHARTS = 6
# Every attribute through which an element can load something.
RESOURCE_URLS = """
[...document.querySelectorAll('*')].flatMap(e =>
  ['src', 'href', 'srcset', 'poster', 'data', 'xlink:href', 'action', 'background']
    .map(a => e.getAttribute(a)).filter(Boolean)
    .filter(v => !v.startsWith('#')).map(v => e.tagName + ' ' + v))
"""
TWEET_ROWS = """
[...document.querySelectorAll('#tweets tbody tr')].map(r => ({
  cells: r.cells.length,
  author: r.cells[0].textContent, handle: r.cells[0].querySelector('small')?.textContent,
  original: r.cells[2].textContent,
  english: r.cells[3].textContent, status: r.cells[6].textContent,
  marked: [...r.querySelectorAll('.handle, .hashtag, .link')].map(m => m.textContent),
  context: r.querySelector('a').getAttribute('href'),
  hidden: r.hidden}))
"""


def run_cli(args: list[str]) -> None:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if chromium_path() is None:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    with chromium() as b:
        yield b


def assert_self_contained(browser: Browser, page: Page) -> None:
    """The page asked for nothing but itself, names no resource outside itself, and the
    browser reported no error (a blocked request is one)."""
    assert [unquote(u) for u in page.requests] == [unquote(page.url)]
    assert browser.evaluate(RESOURCE_URLS) == []
    assert page.console_errors == []
    assert page.dialogs == []


def assert_png(path: Path, width: int) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24])[0] == width


def spanish_tweets(out: Path) -> dict[str, dict]:
    """handle → the tweet's text and its English, from the Parquet."""
    tweets = {
        s["segment_id"]: s
        for s in datasets.read_dataset(out, "segments").to_pylist()
        if s["kind"] == "tweet"
    }
    pairs: dict[str, list[dict]] = {}
    for p in sorted(
        datasets.read_dataset(out, "sentence_pairs").to_pylist(),
        key=lambda p: (p["segment_id"], p["sentence_index"]),
    ):
        pairs.setdefault(p["segment_id"], []).append(p)
    return {
        tweets[sid]["author_handle"]: {
            "text": tweets[sid]["text"],
            "english": " ".join(p["tgt_text"] for p in own),
            # one status, or how many sentences have each (an entity-only one may be copied)
            "status": own[0]["status"]
            if len({p["status"] for p in own}) == 1
            else ", ".join(
                f"{st} {n}" for st, n in sorted(Counter(p["status"] for p in own).items())
            ),
        }
        for sid, own in pairs.items()
    }


# --- the request log can fail ---------------------------------------------------------


@needs_chromium
def test_the_request_log_sees_a_page_that_reaches_out(browser: Browser, tmp_path: Path) -> None:
    page_file = tmp_path / "reaches-out.html"
    page_file.write_text(
        '<!DOCTYPE html><link rel="stylesheet" href="http://example.com/a.css">'
        '<img src="https://example.org/b.png"><p>x</p>',
        encoding="utf-8",
    )
    page = browser.open(page_file)
    assert {"http://example.com/a.css", "https://example.org/b.png"} <= set(page.requests)
    assert len(browser.evaluate(RESOURCE_URLS)) == 2


# --- the seed ---------------------------------------------------------------------------


@needs_chromium
def test_seed_report_in_chromium(
    seed_run: tuple[Path, Result], browser: Browser, tmp_path: Path
) -> None:
    out, _ = seed_run
    html = report_path(out, datasets.read_dataset(out, "runs").column("run_date")[0].as_py())
    assert html.is_file()
    page = browser.open(html)
    assert_self_contained(browser, page)
    assert_png(browser.screenshot(tmp_path / "seed.png"), 1280)

    rows = browser.evaluate(TWEET_ROWS)
    expected = spanish_tweets(out)
    assert sorted(expected) == ["m_ebrard", "rosaicela_"]
    assert len(rows) == 2
    for row in rows:
        [handle] = [h for h in expected if f"@{h}" in row["author"]]
        assert row["original"] == expected[handle]["text"]
        assert row["english"] == expected[handle]["english"]
        assert row["status"] == expected[handle]["status"]
    by_handle = {h: r for r in rows for h in expected if f"@{h}" in r["author"]}
    assert by_handle["m_ebrard"]["english"].startswith("Results of the dialogue on security")
    # the entities are marked in the original and in the English
    for entity in ("@LSRTweets", "#EEUU", "#Canadá", "pic.twitter.com/L9axrJpOKj"):
        assert by_handle["rosaicela_"]["marked"].count(entity) == 2

    assert browser.evaluate("document.querySelectorAll('figure > svg').length") == N_CHARTS
    assert browser.evaluate("document.querySelectorAll('svg text').length") > 20

    # each tweet links to its context: the segments around it, the tweet itself marked
    for row in rows:
        context = browser.evaluate(
            f"document.getElementById({json.dumps(row['context'][1:])}).querySelector('.this')"
            ".textContent"
        )
        assert row["original"] in context
    # following the link opens the collapsed context
    target = json.dumps(rows[1]["context"][1:])
    assert browser.evaluate(f"document.getElementById({target}).closest('details').open") is False
    browser.evaluate(f"document.querySelector('a[href=\"#' + {target} + '\"]').click()")
    assert browser.evaluate(f"document.getElementById({target}).closest('details').open") is True

    # the filter box (the page's one script, allowed by the CSP's hash) hides what it misses
    browser.evaluate(
        "const f = document.getElementById('filter'); f.value = 'ebrard';"
        "f.dispatchEvent(new Event('input'))"
    )
    shown = [r for r in browser.evaluate(TWEET_ROWS) if not r["hidden"]]
    assert [("@m_ebrard" in r["author"]) for r in shown] == [True]
    assert browser.evaluate("document.getElementById('shown').textContent") == "1 of 2 shown"


@needs_chromium
def test_seed_report_without_its_csp_still_asks_for_nothing(
    seed_run: tuple[Path, Result], browser: Browser, tmp_path: Path
) -> None:
    """The policy would block a request; without it, the content itself must make none."""
    out, _ = seed_run
    [html] = (out / "reports").glob("run_date=*/index.html")
    text = html.read_text(encoding="utf-8")
    start = text.index('<meta http-equiv="Content-Security-Policy"')
    bare = tmp_path / "no-csp.html"
    bare.write_text(text[:start] + text[text.index(">", start) + 1 :], encoding="utf-8")
    page = browser.open(bare)
    assert_self_contained(browser, page)
    assert browser.evaluate("document.querySelectorAll('figure > svg').length") == N_CHARTS


def test_report_is_not_a_dataset(seed_run: tuple[Path, Result]) -> None:
    out, _ = seed_run
    [html] = (out / "reports").glob("run_date=*/index.html")
    assert html.parent.parent.name == "reports" and "reports" not in datasets.DATASETS
    for dataset in datasets.DATASETS:
        assert all(p.suffix == ".parquet" for p in datasets.part_files(out, dataset))
    # what a reader globbing every dataset at once sees: Parquet files only
    assert all(pq.read_schema(p) for p in out.glob("*/*/*.parquet"))
    assert html not in set(out.glob("*/*/*.parquet"))


def test_report_command_writes_where_asked(seed_run: tuple[Path, Result], tmp_path: Path) -> None:
    out, _ = seed_run
    dest = tmp_path / "mail" / "report.html"
    result = CliRunner().invoke(main, ["report", "--out", str(out), "--html", str(dest)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(dest)
    assert "@m_ebrard" in dest.read_text(encoding="utf-8")
    missing = CliRunner().invoke(main, ["report", "--out", str(out), "--run-date", "2020-01-01"])
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: ") and len(missing.stderr.splitlines()) == 1
    empty = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "nothing")])
    assert empty.exit_code == 1 and "bilingual run" in empty.stderr


def test_run_json_prints_one_object_matching_the_runs_row(seed_run: tuple[Path, Result]) -> None:
    out, result = seed_run
    [line] = result.stdout.splitlines()  # the progress bar went to stderr
    assert "translating" in result.stderr
    summary = json.loads(line)
    [row] = datasets.read_dataset(out, "runs").to_pylist()
    assert summary["run_id"] == row["run_id"]
    assert summary["run_date"] == row["run_date"].isoformat()
    for key in ("inputs", "documents", "skipped", "segments", "tweets", "translated", "cached"):
        assert summary[key] == row[f"n_{key}"], key
    for key in ("pending", "failed", "spanish_tweets"):
        assert summary[key] == row[f"n_{key}"], key
    assert summary["rejected"] == row["n_rejects"]
    assert (summary["engine"], summary["model_id"]) == (row["engine"], row["model_id"])
    assert summary["status"] == row["status"]
    assert summary["report"] == str(report_path(out, row["run_date"]))
    assert (summary["documents"], summary["spanish_tweets"]) == (1, 2)


@needs_apertium
@pytest.mark.usefixtures("prefect_harness")
def test_a_report_that_cannot_be_written_does_not_fail_the_run(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(SEED, tmp_path / "in" / SEED.name)
    out = tmp_path / "out"
    out.mkdir()
    (out / "reports").write_text("a file where the reports folder goes", encoding="utf-8")
    args = ["run", str(tmp_path / "in"), "--out", str(out), "--engine", "apertium", "--json"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["report"] is None and summary["translated"] > 0
    assert [r["status"] for r in datasets.read_dataset(out, "runs").to_pylist()] == ["completed"]
    failed = CliRunner().invoke(main, ["report", "--out", str(out)])
    assert failed.exit_code == 1
    assert failed.stderr.startswith("error: ") and "cannot write the report" in failed.stderr


# --- hostile text -----------------------------------------------------------------------

HOSTILE = """<b>Bold</b> & $5 costs $6 </td> in Madrid

Officials met in Madrid on Tuesday to discuss the new budget for the city and its schools.

Mirad lo que ha pasado hoy en el ayuntamiento <script>alert(1)</script> no me lo puedo creer
— <img src=x onerror=alert(2)> (@hostil) April 13, 2023

The mayor said the plan would be presented next week to the city council for a vote.

Hoy cerramos la tabla </td> y nos vamos todos a la playa con los amigos del barrio
— Ana "</td><td>" Pérez (@ana_td) April 14, 2023

The council will meet again next month.
"""


@needs_apertium
@needs_chromium
@pytest.mark.usefixtures("prefect_harness")
def test_hostile_tweet_text_renders_as_text(browser: Browser, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "out"
    run_cli(["run", str(tmp_path / "in"), "--out", str(out), "--engine", "apertium"])
    [html] = (out / "reports").glob("run_date=*/index.html")
    page = browser.open(html)
    assert_self_contained(browser, page)  # also: no alert() was opened
    assert browser.evaluate("document.querySelectorAll('script').length") == 1
    assert browser.evaluate("document.querySelectorAll('img').length") == 0
    assert (
        browser.evaluate("document.querySelectorAll('#tweets b, figure b, details b').length") == 0
    )
    rows = browser.evaluate(TWEET_ROWS)
    assert len(rows) == 2 and {r["cells"] for r in rows} == {8}
    originals = " ".join(r["original"] for r in rows)
    assert "<script>alert(1)</script>" in originals
    assert "la tabla </td> y nos" in originals
    authors = " ".join(r["author"] for r in rows)
    assert "<img src=x onerror=alert(2)>" in authors and 'Ana "</td><td>" Pérez' in authors
    # the title is drawn as text in the per-article chart, `$` not read as math
    labels = browser.evaluate("[...document.querySelectorAll('svg text')].map(t => t.textContent)")
    assert any(label.startswith("<b>Bold</b> & $5 costs $6") for label in labels)
    assert_png(browser.screenshot(tmp_path / "hostile.png"), 1280)


MISSED_CREDIT = "— Somebody Else (@a_handle_far_too_long) April 13, 2023"


@needs_apertium
@needs_chromium
@pytest.mark.usefixtures("prefect_harness")
def test_a_tweet_credit_that_became_no_tweet_is_counted_and_listed(
    browser: Browser, tmp_path: Path
) -> None:
    """A credit the segmenter cannot take (a handle longer than Twitter allows) is never a
    silent miss: `documents`, the run's counters and the report all say so."""
    (tmp_path / "in").mkdir()
    missed = tmp_path / "in" / "missed.txt"
    missed.write_text(f"A headline\n\nThe minister wrote.\n\nHola.\n{MISSED_CREDIT}\n", "utf-8")
    shutil.copy(SEED, tmp_path / "in" / "seed.txt")
    out = tmp_path / "out"
    run_cli(["run", str(tmp_path / "in"), "--out", str(out), "--engine", "apertium"])
    documents = datasets.read_dataset(out, "documents", ["source_path", "n_credits_missed"])
    by_path = {Path(r["source_path"]).name: r["n_credits_missed"] for r in documents.to_pylist()}
    assert by_path == {"missed.txt": 1, "seed.txt": 0}
    [counters] = datasets.read_dataset(out, "runs", ["counters"]).column("counters").to_pylist()
    assert dict(counters)["segment.credits_missed"] == 1
    [html] = (out / "reports").glob("run_date=*/index.html")
    browser.open(html)
    rows = browser.evaluate(
        "[...document.querySelectorAll('#credits-missed tbody tr')].map(r => r.textContent)"
    )
    assert len(rows) == 1 and "missed.txt" in rows[0] and rows[0].endswith("1")


# --- 200 generated articles -------------------------------------------------------------


@needs_apertium
@needs_chromium
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.skipif(not EVAL.is_dir(), reason="../shared/eval is not here")
def test_report_of_200_generated_articles(browser: Browser, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    subprocess.run(
        [
            sys.executable,
            str(EVAL / "tools" / "make_layouts.py"),
            "--n",
            "200",
            "--seed",
            "5",
            "--tweets",
            str(EVAL / "tweetlid2014" / "tweets.tsv"),
            "--dest",
            str(corpus),
        ],
        check=True,
        capture_output=True,
    )
    out = tmp_path / "out"
    run_cli(["run", str(corpus / "articles"), "--out", str(out), "--engine", "apertium"])
    [html] = (out / "reports").glob("run_date=*/index.html")
    page = browser.open(html)
    assert_self_contained(browser, page)
    assert_png(browser.screenshot(tmp_path / "200.png"), 1280)

    documents = datasets.read_dataset(out, "documents").to_pylist()
    assert len(documents) == 200
    rows = browser.evaluate(TWEET_ROWS)
    assert len(rows) == sum(d["n_spanish_tweets"] for d in documents) > 100
    assert browser.evaluate("document.querySelectorAll('figure > svg').length") == N_CHARTS
    # the per-author chart shows the most frequent authors
    counts = Counter(r["handle"] for r in rows if r["handle"])
    most = max(counts.values())
    leaders = [h for h, n in counts.items() if n == most]
    labels = browser.evaluate(
        "[...document.querySelectorAll('figure')[2].querySelectorAll('svg text')]"
        ".map(t => t.textContent)"
    )
    assert len(leaders) > 15 or set(leaders) <= set(labels)
    shutil.rmtree(corpus)


def test_a_long_day_lists_its_first_tweets_and_says_how_many(
    seed_run: tuple[Path, Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.views import report_html

    out, _ = seed_run
    run_date = report_html.latest_run_date(out)
    full = report_html.build(out, run_date)
    monkeypatch.setattr(report_html, "LISTED_TWEETS", 1)
    short = report_html.build(out, run_date)
    assert len(full.tweets) == full.tweets_total == short.tweets_total >= 2
    assert (short.tweets, short.contexts) == (full.tweets[:1], full.contexts[:1])
    assert (short.totals, short.charts) == (full.totals, full.charts)  # counted over every row
    page = report_html.render(short)
    assert f"The first 1 of {full.tweets_total} tweets in es" in page
    assert "The first" not in report_html.render(full)


def test_entities_are_marked_leftmost_first_and_longest_at_a_tie() -> None:
    from flows.views.report_html import Piece, mark_entities

    text = "hola @ab y @abc #t"
    pieces = mark_entities(text, {"handle": ["@ab", "@abc"], "hashtag": ["#t"], "link": []})
    assert pieces == (
        Piece("hola "),
        Piece("@ab", "handle"),
        Piece(" y "),
        Piece("@abc", "handle"),
        Piece(" "),
        Piece("#t", "hashtag"),
    )
    assert "".join(p.text for p in pieces) == text
    assert mark_entities("sin nada", {}) == (Piece("sin nada"),)


@needs_apertium
@pytest.mark.usefixtures("prefect_harness")
def test_the_days_report_merges_the_parts_its_runs_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run keeps its part of the day's report at its commit; the report merges them
    into the page it counts from the day's rows, and reads no row when every run kept one.
    A run that rewrites an earlier run's files (`--force`) drops that run's part."""
    from datetime import date

    from flows.views import report_html

    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    for folder, numbers in (("in1", (1, 2)), ("in2", (3, 4)), ("in3", (1,))):
        (tmp_path / folder).mkdir()
        for i in numbers:
            (tmp_path / folder / f"a{i}.txt").write_text(f"Article {i}\n{body}", "utf-8")
    out, day = tmp_path / "out", date(2026, 1, 2)
    common = ["--out", str(out), "--engine", "apertium", "--run-date", day.isoformat()]
    for folder in ("in1", "in2"):
        run_cli(["run", str(tmp_path / folder), *common])
    run_cli(["run", str(tmp_path / "in3"), *common, "--force"])
    runs = datasets.read_dataset(out, "runs", ["run_id", "started_at"]).to_pylist()
    first, *later = [r["run_id"] for r in sorted(runs, key=lambda r: r["started_at"])]
    kept = {p.stem for p in (out / datasets.AGGREGATES / f"run_date={day}").glob("*.json")}
    assert kept == set(later)  # the --force run rewrote the first run's files

    merged = report_html.build(out, day)
    assert dict(merged.totals)["documents"] == 4
    page = report_html.render(merged)
    assert report_html.render(report_html.build(out, day, from_rows=True)) == page
    shutil.rmtree(out / datasets.AGGREGATES)
    assert report_html.render(report_html.build(out, day)) == page  # each run from its rows

    for run_id in (first, *later):
        report_html.save_run_part(out, day, run_id)

    def no_rows(*args: object, **kwargs: object) -> Iterator[object]:
        raise AssertionError("the report read rows of a run that kept its part")

    monkeypatch.setattr(report_html, "_partition", no_rows)
    assert report_html.render(report_html.build(out, day)) == page
