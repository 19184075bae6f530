"""The real server starts from the command line the CLI will use, with settings from the environment."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from hotline.app.services import streamlit_command
from hotline.broker import free_port
from hotline.settings import Settings
from hotline.warehouse.store import seed_warehouse
from test_warehouse_messages import make_day


APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"


def test_streamlit_serves_the_app(tmp_path):
    s = Settings(
        warehouse={"database": tmp_path / "hotline.duckdb", "snapshot": tmp_path / "snapshot.duckdb"},
        dashboard={"host": "127.0.0.1", "port": free_port()},
    )
    seed_warehouse(s.warehouse, make_day(n_calls=1))
    cfg = s.dashboard
    # The app loads its own settings in Streamlit's process: they travel in the environment.
    env = os.environ | {"HOTLINE_WAREHOUSE__DATABASE": str(s.warehouse.database), "HOTLINE_WAREHOUSE__SNAPSHOT": str(s.warehouse.snapshot)}
    env.pop("HOTLINE_SETTINGS_FILE", None)
    command = streamlit_command(s)
    assert str(APP) in command
    proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://{cfg.host}:{cfg.port}/_stcore/health", timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None and health.status_code == 200 and health.text == "ok", proc.poll()
        page = httpx.get(f"http://{cfg.host}:{cfg.port}/call?call_id=call-000", timeout=5.0)
        assert page.status_code == 200 and "<html" in page.text.lower()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_no_pages_folder_beside_the_entry_script():
    # A pages/ folder there puts Streamlit in its older multipage mode: deep links such as
    # /call?call_id=... would run the page without app.py and its navigation.
    assert not (APP.parent / "pages").exists()
