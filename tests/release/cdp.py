"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``).

The reports forbid scripts (their CSP), so measurements the command line cannot take — the page's
scroll width at a given window width, a PDF's page count, a screenshot of a given size — are taken
through the DevTools protocol: Chromium reads JSON messages (NUL-terminated) on file descriptor 3 and
answers on 4. No third-party package is needed. Used by the layout tests and by
``python -m tests.release.cdp`` (which regenerates the screenshots in docs/).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
         "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """One Chromium process and one page target, attached in flat mode."""

    def __init__(self, proc: subprocess.Popen[bytes], to_browser: int, from_browser: int) -> None:
        self.proc = proc
        self.out = to_browser
        self.inp = from_browser
        self.next_id = 0
        self.buffer = b""
        self.session = ""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable")

    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            chunk = os.read(self.inp, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self.out, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read_message()
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result

    def wait_for(self, event: str) -> dict[str, Any]:
        while True:
            message = self._read_message()
            if message.get("method") == event:
                params: dict[str, Any] = message.get("params", {})
                return params

    def open(self, path: Path, *, width: int = 1280, height: int = 900) -> None:
        """Load ``path`` in a window ``width`` CSS pixels wide (device scale 1)."""
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)
        self.call("Page.navigate", url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def overflow(self) -> tuple[int, int]:
        """(document.scrollingElement.scrollWidth, innerWidth)."""
        width, inner = self.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        return int(width), int(inner)

    def pdf(self) -> bytes:
        data = self.call("Page.printToPDF", printBackground=True, preferCSSPageSize=True,
                         displayHeaderFooter=False)["data"]
        return base64.b64decode(data)

    def screenshot(self, *, full_page: bool = False, max_height: int = 4000) -> bytes:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            height = min(int(self.evaluate("document.scrollingElement.scrollHeight")), max_height)
            width = int(self.evaluate("innerWidth"))
            params["clip"] = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
            params["captureBeyondViewport"] = True
        return base64.b64decode(self.call("Page.captureScreenshot", **params)["data"])


def pdf_pages(data: bytes) -> int:
    """Pages of a PDF Chromium wrote (its page objects are plain ``/Type /Page`` dictionaries)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


@contextmanager
def browser() -> Iterator[Browser]:
    """A headless Chromium for the ``with`` block (``RuntimeError`` without one)."""
    path = chromium_path()
    if path is None:
        raise RuntimeError("headless Chromium not installed (Debian: apt-get install chromium)")
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()
    profile = tempfile.mkdtemp(prefix="afasgov-chromium-")

    def wire() -> None:  # in the child: fd 3 = what we write, fd 4 = where it answers
        reader, writer = os.dup(to_browser_r), os.dup(from_browser_w)  # never clobbered by the dup2s below
        os.dup2(reader, 3)
        os.dup2(writer, 4)

    # 3 and 4 are kept open in the child (subprocess closes every other descriptor after ``wire``)
    proc = subprocess.Popen([path, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            pass_fds=(3, 4, to_browser_r, from_browser_w), preexec_fn=wire)
    os.close(to_browser_r)
    os.close(from_browser_w)
    try:
        yield Browser(proc, to_browser_w, from_browser_r)
    finally:
        os.close(to_browser_w)
        os.close(from_browser_r)
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)
