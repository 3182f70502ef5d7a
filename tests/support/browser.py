"""Headless Chromium driven over the DevTools protocol on a pipe (standard library only):
open a page, record every request the page makes, read its DOM, run a script in it, take
a screenshot.

The page's requests come from the protocol's `Network.requestWillBeSent` events, so they
are the page's own and not the browser's background chatter. That chatter (update checks,
time sync) is sent to a proxy on a closed loopback port, where it fails without leaving the
machine."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens here
TIMEOUT_S = 120


def chromium_path() -> str | None:
    return next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p),
        None,
    )


@dataclass
class Page:
    """What a loaded page did and holds."""

    url: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)  # alert(), confirm()… that a script opened


class Browser:
    """One headless Chromium process; pages are opened one after the other."""

    def __init__(self, process: subprocess.Popen, to_browser: BinaryIO, from_browser: BinaryIO):
        self._process = process
        self._out = to_browser
        self._in = from_browser
        self._buffer = b""
        self._next_id = 0
        self._session: str | None = None
        self._page: Page | None = None

    # --- protocol -----------------------------------------------------------------------

    def _send(self, method: str, params: dict | None = None, session: bool = True) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self._session:
            message["sessionId"] = self._session
        self._out.write(json.dumps(message).encode() + b"\0")
        self._out.flush()
        return self._next_id

    def _receive(self) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._in], [], [], TIMEOUT_S)
            if not ready:
                raise RuntimeError(f"chromium did not answer within {TIMEOUT_S} s")
            chunk = os.read(self._in.fileno(), 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        self._record(message)
        return message

    def _record(self, message: dict) -> None:
        page, method = self._page, message.get("method")
        if page is None:
            return
        params = message.get("params", {})
        if method == "Network.requestWillBeSent":
            page.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            page.console_errors.append(str(params.get("args")))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            page.console_errors.append(params["entry"].get("text", ""))
        elif method == "Page.javascriptDialogOpening":
            page.dialogs.append(params.get("message", ""))
            self._send("Page.handleJavaScriptDialog", {"accept": True})  # or the page hangs

    def call(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        wanted = self._send(method, params, session)
        while True:
            message = self._receive()
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def _wait_for(self, event: str) -> None:
        while self._receive().get("method") != event:
            pass

    # --- pages --------------------------------------------------------------------------

    def open(self, path: Path | str, width: int = 1280, height: int = 900) -> Page:
        """Load `path` (a file, or a URL) in a new tab and wait for its load event (scripts
        have run)."""
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.call(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, False
        )
        self._session = attached["sessionId"]
        self._page = Page(path if isinstance(path, str) else path.resolve().as_uri())
        for domain in ("Network", "Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        self.call("Page.navigate", {"url": self._page.url})
        self._wait_for("Page.loadEventFired")
        return self._page

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def dom(self) -> str:
        return self.evaluate("document.documentElement.outerHTML")

    def screenshot(self, dest: Path) -> Path:
        """The whole page, not only the window, as PNG."""
        shot = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        dest.write_bytes(base64.b64decode(shot["data"]))
        return dest


def _pipe() -> tuple[int, int]:
    """A pipe whose ends are numbered 10 and up, clear of the 3 and 4 Chromium reads."""
    ends = []
    for end in os.pipe():
        ends.append(fcntl.fcntl(end, fcntl.F_DUPFD, 10))
        os.close(end)
    return ends[0], ends[1]


@contextmanager
def chromium(loopback: bool = False) -> Iterator[Browser]:
    """A headless Chromium with a private profile, its traffic sent to a dead proxy; with
    `loopback`, requests to servers on this machine's loopback go to them directly."""
    binary = chromium_path()
    if binary is None:
        raise RuntimeError("chromium is not installed (.ci/run installs it)")
    profile = Path(tempfile.mkdtemp(prefix="bilingual-chromium-"))
    to_browser_r, to_browser_w = _pipe()
    from_browser_r, from_browser_w = _pipe()
    args = [
        "--headless",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-quic",
        "--hide-scrollbars",
        "--remote-debugging-pipe",
        f"--user-data-dir={profile}",
        f"--proxy-server={DEAD_PROXY}",
        f"--proxy-bypass-list={'<local>' if loopback else '<-loopback>'}",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "about:blank",
    ]
    # Chromium reads commands on fd 3 and writes on fd 4; bash (not dash: fds above 9) puts
    # the pipes there.
    r, w = to_browser_r, from_browser_w
    redirect = f'exec "$0" "$@" 3<&{r} 4>&{w} {r}<&- {w}>&-'
    process = subprocess.Popen(
        ["bash", "-c", redirect, binary, *args],
        pass_fds=(to_browser_r, from_browser_w),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=open(profile / "stderr.log", "wb"),  # noqa: SIM115 (closed with the process)
        start_new_session=True,
    )
    os.close(to_browser_r)
    os.close(from_browser_w)
    with os.fdopen(to_browser_w, "wb") as out, os.fdopen(from_browser_r, "rb") as inp:
        browser = Browser(process, out, inp)
        try:
            yield browser
        finally:
            with suppress(RuntimeError, OSError):
                browser.call("Browser.close", session=False)
            try:
                process.wait(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            shutil.rmtree(profile, ignore_errors=True)
