"""A run as a user of scheduled runs sees it: in Prefect's UI, on the server of `bilingual
server start --port P` (P not 4200), opened in headless Chromium. The run is named for its
date, root and id; its logs say what it read, found, translated and wrote, and warn of what a
user must act on; its artifacts link the HTML report. A control, the same server started
with the settings Prefect's UI had before (an API URL on another port), proves the page
check can fail. Logs are read back through Prefect's REST API."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from flows.engines import apertium
from flows.orchestration import local_server, run_log
from flows.records import Reject
from tests.conftest import ROOT, SEED
from tests.orchestration.test_local_server import ui_api_url
from tests.support.browser import Browser, chromium, chromium_path

DOCS_SCREENSHOT = ROOT / "docs" / "prefect-ui.png"
RUN_DATE = "2026-01-02"
# A tweet whose handle is longer than Twitter allows: its attribution stays article text.
MISSED = "— Somebody Else (@a_handle_far_too_long) April 13, 2023"

needs_apertium = pytest.mark.skipif(
    not apertium.is_available("es", "en"),
    reason="apertium-eng-spa is not installed (make test installs it)",
)
needs_chromium = pytest.mark.skipif(
    chromium_path() is None, reason="chromium is not installed (.ci/run installs it)"
)


# --- plain functions ------------------------------------------------------------------------


def test_a_run_name_says_date_root_and_run() -> None:
    run_id = "9ddedf0f-5600-40aa-a804-a178af397d42"
    params = {"run_date": date(2026, 1, 2), "out": "/data/news-desk"}
    assert run_log.run_name(params, run_id) == "bilingual 2026-01-02 news-desk 9ddedf0f"
    today = date(2026, 3, 4)
    assert run_log.run_name({"out": "outputs/"}, run_id, today).startswith(
        "bilingual 2026-03-04 outputs "
    )


def test_attribution_like_text_is_found_and_other_embeds_are_not() -> None:
    assert run_log.attribution_like(f"Text.\n{MISSED}\nMore.") == [MISSED]
    assert run_log.attribution_like("Ebrard (@m_ebrard) 13 de abril de 2023") != []
    for text in (
        "said Marcelo Ebrard (@m_ebrard) on Tuesday.",
        "A post shared by Somebody (@somebody) on Mar 6, 2022 at 10:00am PST",
        "— Reuters, April 13, 2023",
    ):
        assert run_log.attribution_like(text) == [], text


def test_rejects_worth_a_warning_leave_duplicates_out() -> None:
    dup = Reject("b.txt", "duplicate", "same content as a.txt")
    assert run_log.rejects_to_look_at([dup]) is None
    bad = Reject("c.txt", "binary", "contains NUL bytes: not a text file")
    warning = run_log.rejects_to_look_at([dup, bad])
    assert warning == (
        "1 input could not be read as an article: "
        "c.txt (binary: contains NUL bytes: not a text file)"
    )
    assert run_log.rejects_by_reason([dup, bad, bad]) == "rejected 3 inputs: binary 2, duplicate 1"


def test_runs_found_dead_are_a_warning_and_none_is_silence() -> None:
    assert run_log.dead_runs(set(), []) is None
    assert run_log.dead_runs({"b", "a"}, ["a"]) == (
        "removed the uncommitted files of 2 runs found dead (a, b); 1 of them marked crashed "
        "in Prefect"
    )


def test_records_for_prefect_only_stay_off_a_terminal_handler() -> None:
    logger = logging.getLogger("bilingual-test-terminal")
    logger.propagate = False
    shown: list[str] = []
    handler = logging.StreamHandler()
    handler.emit = lambda record: shown.append(record.getMessage())  # type: ignore[method-assign]
    logger.addHandler(handler)
    run_log.keep_off_terminal(logger)
    run_log.keep_off_terminal(logger)  # once is enough
    assert len(handler.filters) == 1
    logger.warning("for everyone")
    logger.warning("for Prefect", extra={"audience": run_log.PREFECT_ONLY})
    assert shown == ["for everyone"]


# --- a real local_server, a real run, a real browser ---------------------------------------------


@dataclass(frozen=True)
class Server:
    url: str
    env: dict[str, str]
    home: Path


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`bilingual server start --port P` in a private data dir; Prefect's logging settings
    are left to the command line (none inherited from the test session)."""
    home = tmp_path_factory.mktemp("prefect-ui")
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "PREFECT_API_URL" and not k.startswith("PREFECT_LOGGING_")
    }
    env.update(XDG_DATA_HOME=str(home / "xdg"), PREFECT_HOME=str(home / "client-home"))
    port = local_server.free_port()
    assert port != local_server.DEFAULT_PORT
    started = _cli("server", "start", "--port", str(port), env=env)
    assert started.returncode == 0, started.stderr
    try:
        yield Server(f"http://127.0.0.1:{port}", env, home)
    finally:
        _cli("server", "stop", env=env)


@dataclass(frozen=True)
class Run:
    flow_run: dict[str, Any]
    out: Path
    done: subprocess.CompletedProcess[str]

    def logs(self, url: str, last: str) -> list[dict[str, Any]]:
        """The run's log records, oldest first, once the record containing `last` is in."""
        deadline = time.monotonic() + 60
        while True:
            body = {"logs": {"flow_run_id": {"any_": [self.flow_run["id"]]}}}
            logs: list[dict[str, Any]] = _post(
                f"{url}/api/logs/filter", {**body, "sort": "TIMESTAMP_ASC", "limit": 200}
            )
            if any(last in log["message"] for log in logs) or time.monotonic() > deadline:
                return logs
            time.sleep(0.5)


def _run(ui: Server, inputs: Path, out: Path, *flags: str) -> Run:
    args = ["run", str(inputs), "--out", str(out), "--engine", "apertium", *flags]
    done = _cli(*args, "--run-date", RUN_DATE, env=ui.env)
    assert done.returncode == 0, done.stderr[-2000:]
    runs = _post(f"{ui.url}/api/flow_runs/filter", {})
    [flow_run] = [r for r in runs if Path(r["parameters"]["out"]).name == out.name]
    return Run(flow_run, out, done)


@pytest.fixture(scope="module")
def seed_run(ui_server: Server) -> Run:
    """The seed run on the local_server, into an output root named `news-desk`."""
    inputs = ui_server.home / "in"
    inputs.mkdir()
    shutil.copy(SEED, inputs / SEED.name)
    return _run(ui_server, inputs, ui_server.home / "news-desk")


def _levels(logs: list[dict[str, Any]], level: int) -> list[str]:
    return [log["message"] for log in logs if log["level"] == level]


@needs_apertium
def test_the_run_is_named_for_its_date_root_and_id(ui_server: Server, seed_run: Run) -> None:
    run = seed_run.flow_run
    assert run["name"] == f"bilingual {RUN_DATE} news-desk {run['id'][:8]}"
    of_run = {"flow_runs": {"id": {"any_": [run["id"]]}}}
    tasks = _post(f"{ui_server.url}/api/task_runs/filter", of_run)
    assert sorted(t["name"] for t in tasks) == [
        "analyse w1 b1: 1 document",
        "translate (apertium) w1 b1: 2 sentences",
    ]


@needs_apertium
def test_the_run_tells_prefect_what_it_did_and_not_the_terminal(
    ui_server: Server, seed_run: Run
) -> None:
    report = seed_run.out.resolve() / "reports" / f"run_date={RUN_DATE}" / "index.html"
    logs = seed_run.logs(ui_server.url, "HTML report")
    assert _levels(logs, logging.WARNING) == []  # the seed gives no one anything to act on
    info = _levels(logs, logging.INFO)
    expected = [
        f"read {ui_server.home / 'in'}: 1 input file, in 1 window of up to 1000 files",
        "engine: apertium (apertium/",
        "window 1: 1 article to process, 0 already written (skipped), 0 rejected",
        "window 1: found 1 document, 19 segments, 2 tweets, 2 Spanish tweets",
        "window 1: 2 distinct sentences sent to apertium in 1 task; 2 sentences translated "
        "(0 from cache), 0 pending, 0 failed",
        "rejects: none",
        f"committed run {seed_run.flow_run['id']}: 1 document in ",
        f"HTML report: {report}",
    ]
    for line in expected:
        assert any(message.startswith(line) for message in info), (line, info)
    assert "as asked (--engine apertium)" in next(m for m in info if m.startswith("engine:"))
    # The terminal shows what it showed before: the summary table, no log line.
    assert seed_run.done.stderr == ""
    assert "│ Spanish tweets" in seed_run.done.stdout
    assert not any(line in seed_run.done.stdout for line in ("window 1", "engine: apertium"))
    # The summary artifact links the report and carries the run's signature.
    artifacts = _post(
        f"{ui_server.url}/api/artifacts/filter",
        {"artifacts": {"flow_run_id": {"any_": [seed_run.flow_run["id"]]}}},
    )
    summary = next(a for a in artifacts if a["key"] == "bilingual-summary")
    assert f"[{report}]({report.as_uri()})" in summary["description"]
    rows = {row["measure"]: row["value"] for row in json.loads(summary["data"])}
    from flows.store import datasets

    [signature] = datasets.read_dataset(seed_run.out, "runs").column("signature").to_pylist()
    assert rows["signature"] == signature


@needs_apertium
def test_a_quiet_run_warns_prefect_of_what_to_act_on(ui_server: Server) -> None:
    inputs = ui_server.home / "mixed"
    inputs.mkdir()
    shutil.copy(SEED, inputs / SEED.name)
    (inputs / "damaged.txt").write_bytes(b"\x00\x01binary\x00")
    (inputs / "missed.txt").write_text(
        f"A headline\n\nThe minister wrote on Twitter.\n\nHola a todos.\n{MISSED}\n\nEnd.\n",
        encoding="utf-8",
    )
    run = _run(ui_server, inputs, ui_server.home / "mixed-out", "-q")
    warnings = _levels(run.logs(ui_server.url, "HTML report"), logging.WARNING)
    damaged = str(inputs / "damaged.txt")
    assert any(damaged in w and "(binary: " in w for w in warnings), warnings
    assert any("did not become a tweet" in w and "a_handle_far_too_long" in w for w in warnings)
    assert "could not be read" not in run.done.stdout + run.done.stderr
    assert "did not become a tweet" not in run.done.stdout + run.done.stderr


def _page_text(browser: Browser, url: str, wanted: list[str], timeout: float = 60) -> str:
    """The page's text once it shows every string of `wanted`, or when `timeout` is up."""
    browser.open(url, width=1400, height=1500)
    deadline = time.monotonic() + timeout
    while True:
        text = str(browser.evaluate("document.body.innerText"))
        if all(w in text for w in wanted) or time.monotonic() > deadline:
            return text
        time.sleep(0.5)


def _click_tab(browser: Browser, name: str) -> None:
    browser.evaluate(
        "[...document.querySelectorAll('[role=tablist] > *')]"
        f".find(e => e.textContent.trim() === {json.dumps(name)}).click()"
    )


@needs_apertium
@needs_chromium
def test_the_flow_run_page_shows_the_runs_logs_tasks_and_artifacts(
    ui_server: Server, seed_run: Run, tmp_path: Path
) -> None:
    assert ui_api_url(ui_server.url) == f"{ui_server.url}/api"
    page = f"{ui_server.url}/runs/flow-run/{seed_run.flow_run['id']}"
    seen = [
        seed_run.flow_run["name"],
        "engine: apertium",
        "window 1: found 1 document, 19 segments, 2 tweets, 2 Spanish tweets",
        "analyse w1 b1: 1 document",  # a task run's logs are labelled with its name
        "translate (apertium) w1 b1: 2 sentences",
    ]
    with chromium(loopback=True) as browser:
        text = _page_text(browser, page, seen)
        assert [w for w in seen if w not in text] == []
        shot = browser.screenshot(tmp_path / "prefect-ui.png")
        _click_tab(browser, "Artifacts")
        deadline = time.monotonic() + 30
        while "bilingual-preview" not in (text := str(browser.evaluate("document.body.innerText"))):
            assert time.monotonic() < deadline, text
            time.sleep(0.5)
        assert "bilingual-summary" in text and "HTML report: " in text
    if os.environ.get("UPDATE_DOCS"):  # the README's screenshot
        shutil.copy(shot, DOCS_SCREENSHOT)

    # The control: the same server and database, its UI told the API is elsewhere (as it was
    # told port 4200 before): the same page cannot show the run.
    stopped = _cli("server", "stop", env=ui_server.env)
    assert stopped.returncode == 0, stopped.stderr
    port = int(ui_server.url.rsplit(":", 1)[1])
    env = dict(ui_server.env, PREFECT_HOME=str(ui_server.home / "xdg" / "bilingual" / "prefect"))
    env.update(PREFECT_SERVER_UI_API_URL="http://127.0.0.1:9/api", PREFECT_SERVER_API_PORT="9")
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
    control = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        local_server.wait_until_healthy(control, f"{ui_server.url}/api", 180)
        assert ui_api_url(ui_server.url) == "http://127.0.0.1:9/api"
        with chromium(loopback=True) as browser:
            text = _page_text(browser, page, ["Can't connect to Server API"], timeout=30)
        assert "Can't connect to Server API at http://127.0.0.1:9/api" in text
        assert not [w for w in seen if w in text]
    finally:
        os.killpg(control.pid, signal.SIGTERM)
        control.wait(timeout=60)
