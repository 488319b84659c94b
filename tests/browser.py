"""Headless Chromium for tests: find it (installing Debian's `chromium` if need be), then
dump a page's DOM or screenshot it once its scripts have run.

The CI machine starts clean, so a missing browser is installed here rather than skipped:
a browser test that silently skips proves nothing.

The page is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`), in
real time: `--virtual-time-budget` never runs out on a page that long-polls (the Temporal
Web UI waits on a running workflow's history), and `--dump-dom` alone fires at load,
before a single-page app has drawn anything. `until=` returns as soon as texts appear.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

NAMES = ("chromium", "chromium-browser")
INSTALL_TIMEOUT_S = 900
# What a headless run in a container needs: no sandbox (root), no GPU, no /dev/shm (small
# in containers), no first-run dialogs and no background fetches to the internet.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)
_install_lock = threading.Lock()


def _find() -> str | None:
    return next((path for name in NAMES if (path := shutil.which(name))), None)


def _apt(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Wait for another apt run (a parallel test session) instead of failing on its lock.
    command = ["apt-get", "-o", "DPkg::Lock::Timeout=600", *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
    )


def chromium_path() -> str:
    """The chromium binary; installs Debian's `chromium` package when root and missing."""
    with _install_lock:
        if found := _find():
            return found
        if os.geteuid() != 0:
            pytest.fail(
                "headless browser tests need Debian's chromium: run `apt-get install -y chromium`"
                " as root (or run the suite as root, which installs it)",
                pytrace=False,
            )
        done = _apt("install", "-y", "chromium")
        if done.returncode != 0:  # a clean machine may not have the package lists yet
            _apt("update")
            done = _apt("install", "-y", "chromium")
        found = _find()
        if done.returncode != 0 or not found:
            output = (done.stderr or done.stdout)[-2000:]
            pytest.fail(f"`apt-get install -y chromium` failed:\n{output}", pytrace=False)
        return found


class _DevTools:
    """DevTools protocol over chromium's pipe: fd 3 carries commands in, fd 4 answers out;
    each message is JSON ended by a NUL byte."""

    def __init__(self, to_browser: int, from_browser: int) -> None:
        self.to_browser, self.from_browser = to_browser, from_browser
        self.buffer, self.next_id, self.session = b"", 0, None

    def call(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.from_browser], [], [], left)[0]:
                    raise AssertionError(f"chromium did not answer {method} in {timeout}s")
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise AssertionError(f"chromium closed its pipe during {method}")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self.next_id:  # events and other answers are skipped
                if "error" in answer:
                    raise AssertionError(f"chromium refused {method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)[
            "result"
        ].get("value")


def _child_fds(commands: int, answers: int) -> None:
    # Above 10 first, so placing them on 3 and 4 cannot overwrite one with the other.
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (commands, answers)]
    os.dup2(high[0], 3)
    os.dup2(high[1], 4)


@contextmanager
def _page(url: str, *, width: int, height: int) -> Iterator[_DevTools]:
    commands_r, commands_w = os.pipe()
    answers_r, answers_w = os.pipe()
    with tempfile.TemporaryDirectory(prefix="chromium-", ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen(
            [chromium_path(), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            start_new_session=True,  # its helper processes go with it (killpg below)
            preexec_fn=lambda: _child_fds(commands_r, answers_w),
        )
        os.close(commands_r)
        os.close(answers_w)
        tools = _DevTools(commands_w, answers_r)
        try:
            target = tools.call("Target.createTarget", url="about:blank")["targetId"]
            attached = tools.call("Target.attachToTarget", targetId=target, flatten=True)
            tools.session = attached["sessionId"]
            tools.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            tools.call("Page.navigate", url=url)
            yield tools
        finally:
            with contextlib.suppress(Exception):
                tools.call("Browser.close", timeout=5)
            os.close(commands_w)
            os.close(answers_r)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


# The page and its same-origin frames (the Web UI renders markdown in an iframe).
_DOCUMENTS = (
    "[document, ...Array.from(document.querySelectorAll('iframe'), f => {"
    " try { return f.contentDocument } catch (e) { return null } })].filter(d => d && d.body)"
)
_HTML = f"{_DOCUMENTS}.map(d => d.documentElement.outerHTML).join('\\n')"
_TEXT = f"{_DOCUMENTS}.map(d => d.body.innerText).join('\\n')"


def _settle(tools: _DevTools, wait_ms: int, until: Sequence[str]) -> None:
    """Wait `wait_ms`, or less once every text in `until` is visible on the page."""
    probe = f"({_TEXT})"
    check = " && ".join(f"{probe}.includes({json.dumps(text)})" for text in until)
    deadline = time.monotonic() + wait_ms / 1000
    while time.monotonic() < deadline:
        if check and tools.evaluate(f"document.readyState === 'complete' && {check}"):
            return
        time.sleep(0.25)


def dump_dom(
    url: str,
    *,
    wait_ms: int = 8000,
    until: Sequence[str] = (),
    width: int = 1400,
    height: int = 1000,
) -> str:
    """The serialized DOM of `url` (and of its same-origin frames, one after the other)
    after its scripts ran (see `_settle`)."""
    with _page(url, width=width, height=height) as tools:
        _settle(tools, wait_ms, until)
        html: str = tools.evaluate(_HTML)
        return html


def visible_text(
    url: str,
    *,
    wait_ms: int = 8000,
    until: Sequence[str] = (),
    width: int = 1400,
    height: int = 1000,
) -> str:
    """What a reader sees of `url` (its frames included), as text, once its scripts ran."""
    with _page(url, width=width, height=height) as tools:
        _settle(tools, wait_ms, until)
        text: str = tools.evaluate(_TEXT)
        return text


def screenshot(
    url: str,
    out_png: str | Path,
    *,
    width: int = 1400,
    height: int = 1000,
    wait_ms: int = 8000,
    until: Sequence[str] = (),
) -> Path:
    """A PNG of `url` once its scripts ran (see `_settle`); returns its path."""
    path = Path(out_png).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _page(url, width=width, height=height) as tools:
        _settle(tools, wait_ms, until)
        shot = tools.call("Page.captureScreenshot", format="png")["data"]
    path.write_bytes(base64.b64decode(shot))
    return path
