"""Screenshots of the running dashboard in a real headless Chromium, and a check for exception boxes.

    python -m devtools.dashboard_screenshots --url http://127.0.0.1:8501 --user supervisor \
        --password ... --out var/screenshots          # from the checkout's root

Drives Debian's ``chromium`` over the DevTools protocol (websockets, already a Streamlit
dependency): for each page it opens the deep link, signs in through the real form, waits until
Streamlit has finished running the script, saves a PNG and reports any exception box.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from websockets.sync.client import connect

log = logging.getLogger(__name__)

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)
# (url path, what the page is called in the report)
PAGES = (
    ("", "overview"), ("call", "call"), ("review", "review"), ("reports", "reports"), ("hotspots", "hotspots"),
    ("routing", "routing"), ("audit", "audit"),
)

_READY_JS = """(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const running = document.querySelector('[data-testid="stStatusWidget"]');
  const main = document.querySelector('[data-testid="stMain"]');
  // Elements of the previous run stay on screen, marked stale, until the new run replaces them.
  const stale = document.querySelector('[data-stale="true"]');
  // Charts, tables and metrics are loaded lazily: a grey skeleton stands in until their code arrives.
  const loading = document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"], [data-testid="stAppSkeleton"]');
  return Boolean(app && main && !running && !stale && !loading && main.innerText.trim().length > 0);
})()"""
_EXCEPTIONS_JS = """Array.from(document.querySelectorAll('[data-testid="stException"]')).map(e => e.innerText.slice(0, 500))"""
_CONTENT_HEIGHT_JS = """(() => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  return main ? main.getBoundingClientRect().top + main.scrollHeight + 40 : document.body.scrollHeight;
})()"""
_TITLE_JS = """(document.querySelector('h1') || {innerText: ''}).innerText"""
_PASSWORD_JS = """document.querySelector('input[aria-label="密码"]')"""
_CLICK_BUTTON_JS = """((label) => {
  const b = Array.from(document.querySelectorAll('button')).find(b => b.innerText.trim() === label);
  if (b) { b.click(); return true; } return false;
})(%s)"""
_FOCUS_JS = """((label) => {
  const i = document.querySelector(`input[aria-label="${label}"]`);
  if (i) { i.focus(); i.select(); return true; } return false;
})(%s)"""


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass(frozen=True)
class PageShot:
    name: str
    url: str
    png: Path
    title: str
    exceptions: tuple[str, ...]
    load_s: float


class Browser:
    """One headless Chromium with a fresh profile, driven over its DevTools websocket."""

    def __init__(self, binary: str, width: int = 1440, height: int = 1000):
        self._width, self._height = width, height
        self._profile = tempfile.TemporaryDirectory(prefix="hotline-chromium-", ignore_cleanup_errors=True)
        self._proc = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self._profile.name}", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Its own process group: Chromium's renderer and helper processes outlive the main one
            # and keep writing into the profile, so close() ends the whole group.
            start_new_session=True,
        )
        self._ids = itertools.count(1)
        self._stack = ExitStack()
        try:
            port = self._devtools_port(timeout_s=30.0)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as resp:
                target = next(t for t in json.load(resp) if t["type"] == "page")
            self._ws = self._stack.enter_context(connect(target["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024))
            self.call("Page.enable")
            self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.close()
            raise

    def _devtools_port(self, timeout_s: float) -> int:
        # Chromium writes the port it picked (for --remote-debugging-port=0) into the profile.
        marker = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"chromium exited with {self._proc.returncode}")
            if marker.is_file() and marker.read_text().strip():
                return int(marker.read_text().splitlines()[0])
            time.sleep(0.1)
        raise TimeoutError("chromium did not open its DevTools port")

    def call(self, method: str, **params) -> dict:
        msg_id = next(self._ids)
        self._ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._ws.recv(timeout=60))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_until(self, expression: str, timeout_s: float, settle_s: float = 0.6) -> None:
        """Until ``expression`` holds, and still holds ``settle_s`` later (Streamlit reruns in bursts)."""
        deadline = time.monotonic() + timeout_s
        held_since = None
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                held_since = held_since or time.monotonic()
                if time.monotonic() - held_since >= settle_s:
                    return
            else:
                held_since = None
            time.sleep(0.1)
        raise TimeoutError(f"page not ready after {timeout_s:.0f}s")

    def navigate(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def type_into(self, label: str, text: str) -> None:
        if not self.evaluate(_FOCUS_JS % json.dumps(label)):
            raise LookupError(f"no input labelled {label}")
        self.call("Input.insertText", text=text)

    def click(self, label: str) -> None:
        if not self.evaluate(_CLICK_BUTTON_JS % json.dumps(label)):
            raise LookupError(f"no button {label}")

    def screenshot(self, path: Path) -> None:
        # Streamlit scrolls inside its main area, not the document: grow the viewport to the
        # content's height so the whole page is in the picture, then restore it.
        height = int(self.evaluate(_CONTENT_HEIGHT_JS) or self._height)
        self.call("Emulation.setDeviceMetricsOverride", width=self._width, height=min(max(height, self._height), 8000), deviceScaleFactor=1, mobile=False)
        time.sleep(0.5)  # charts redraw at the new size
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        self.call("Emulation.setDeviceMetricsOverride", width=self._width, height=self._height, deviceScaleFactor=1, mobile=False)

    def close(self) -> None:
        self._stack.close()
        self._signal_group(signal.SIGTERM)
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._signal_group(signal.SIGKILL)
        self._proc.wait()
        # A helper that was mid-write when killed may still leave a file behind for a moment.
        for _ in range(20):
            try:
                shutil.rmtree(self._profile.name)
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.25)
        self._profile.cleanup()  # marks it done; ignores what is already gone

    def _signal_group(self, sig: signal.Signals) -> None:
        try:
            os.killpg(self._proc.pid, sig)
        except ProcessLookupError:
            pass

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def shoot_page(browser: Browser, base_url: str, path: str, name: str, out_dir: Path, username: str, password: str, timeout_s: float = 60.0) -> PageShot:
    """Open a deep link, sign in through the form, wait for the script to finish, save a PNG."""
    url = f"{base_url.rstrip('/')}/{path}"
    # Leave the previous page first: until the new document replaces it, its content would pass
    # for the new page's (and a log-in form would be looked for on the wrong page).
    browser.navigate("about:blank")
    browser.wait_until("location.href === 'about:blank' && document.readyState === 'complete'", timeout_s, settle_s=0.0)
    started = time.monotonic()
    browser.navigate(url)
    # Ready means: the log-in form is complete, or a page other than the log-in has its title.
    landed = f" && (Boolean({_PASSWORD_JS}) || ({_TITLE_JS}.length > 0 && !{_TITLE_JS}.endsWith('登录')))"
    browser.wait_until(_READY_JS + landed, timeout_s)
    if browser.evaluate(f"Boolean({_PASSWORD_JS})"):
        browser.type_into("用户名", username)
        browser.type_into("密码", password)
        browser.click("登录")
        signed_in = f" && !{_PASSWORD_JS} && !({_TITLE_JS}).endsWith('登录')"
        browser.wait_until(_READY_JS + signed_in, timeout_s)
    load_s = time.monotonic() - started
    png = out_dir / f"{username}-{name}.png"
    browser.screenshot(png)
    return PageShot(name, url, png, browser.evaluate(_TITLE_JS) or "", tuple(browser.evaluate(_EXCEPTIONS_JS) or ()), load_s)


def shoot_all(base_url: str, username: str, password: str, out_dir: Path, pages=PAGES) -> list[PageShot]:
    binary = find_chromium()
    if binary is None:
        raise FileNotFoundError("no chromium on PATH (Debian: apt-get install chromium)")
    out_dir.mkdir(parents=True, exist_ok=True)
    with Browser(binary) as browser:
        return [shoot_page(browser, base_url, path, name, out_dir, username, password) for path, name in pages]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8501")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", type=Path, default=Path("var/screenshots"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shots = shoot_all(args.url, args.user, args.password, args.out)
    failed = False
    for shot in shots:
        status = "EXCEPTION " + " | ".join(shot.exceptions) if shot.exceptions else "ok"
        log.info("%-9s %-40s %5.2fs  %s  → %s", shot.name, shot.title, shot.load_s, status, shot.png)
        failed |= bool(shot.exceptions)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
