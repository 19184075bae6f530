"""A real browser: headless Chromium signs in through the form on each page of the running app,
saves a screenshot, and the test fails on any Streamlit exception box."""

from __future__ import annotations

import os
import subprocess
import time

import httpx
import pytest

from hotline.app.services import streamlit_command
from hotline.broker import free_port
from devtools.dashboard_screenshots import Browser, find_chromium, shoot_page
from hotline.settings import Settings
from hotline.warehouse import access, audit
from hotline.warehouse.store import seed_warehouse
from test_dashboard_hotspots import analytics_messages
from test_warehouse_messages import make_day

PASSWORD = "browser-pass"
pytestmark = pytest.mark.skipif(find_chromium() is None, reason="chromium not installed (Debian: apt-get install chromium)")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    s = Settings(
        warehouse={"database": root / "hotline.duckdb", "snapshot": root / "snapshot.duckdb"},
        dashboard={"host": "127.0.0.1", "port": free_port(), "access_db": root / "access.sqlite3"},
    )
    # The cockpit's day of calls, and five weeks of work orders and demands for the analytics pages.
    seed_warehouse(s.warehouse, make_day(n_calls=6) + analytics_messages())
    access.create_demo_users(s.dashboard.access_db, centre_id="centre-01", team_id="team-a", password=PASSWORD)
    env = os.environ | {
        "HOTLINE_WAREHOUSE__DATABASE": str(s.warehouse.database),
        "HOTLINE_WAREHOUSE__SNAPSHOT": str(s.warehouse.snapshot),
        "HOTLINE_DASHBOARD__ACCESS_DB": str(s.dashboard.access_db),
    }
    env.pop("HOTLINE_SETTINGS_FILE", None)
    proc = subprocess.Popen(streamlit_command(s), env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://{s.dashboard.host}:{s.dashboard.port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        with Browser(find_chromium()) as browser:
            yield url, browser, root, s.dashboard.access_db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(
    ("username", "path", "title"),
    [
        ("supervisor", "", "12345 热线质检总览"),
        ("supervisor", "call", "通话详情"),
        ("supervisor", "review", "复核与申诉"),
        ("teamlead", "", "12345 热线质检总览"),
        ("analyst", "call?call_id=call-001", "通话详情"),
        ("admin", "audit", "审计日志"),
        ("teamlead", "reports?team=team-a", "坐席与班组报告"),
        ("analyst", "hotspots", "热点诉求"),
        ("supervisor", "routing", "派单与工单"),
    ],
)
def test_each_page_renders_in_chromium_without_an_exception(served, username, path, title):
    url, browser, root, _ = served
    shot = shoot_page(browser, url, path, path.split("?")[0] or "overview", root, username, PASSWORD)
    assert shot.exceptions == ()
    assert shot.title == title
    assert shot.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.png.stat().st_size > 10_000


def test_a_deep_link_survives_the_log_in_and_stays_in_scope(served):
    url, browser, root, store = served
    shot = shoot_page(browser, url, "call?call_id=call-002", "denied", root, "teamlead", PASSWORD)  # team-b's call
    assert shot.exceptions == () and shot.title == "通话详情"
    assert "没有找到通话 call-002" in browser.evaluate("document.body.innerText")
    assert "call-002" in audit.read_log(store, action="view_denied", username="teamlead")["call_id"].to_list()
