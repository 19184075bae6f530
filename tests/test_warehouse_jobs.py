"""The scheduled jobs as plain functions on a real snapshot, and the scheduler's no-double-run rule."""

from __future__ import annotations

import json
import os
import threading
import time
import zipfile
from datetime import timedelta

import polars as pl
import pytest

from hotline.samples.work_orders import sample_work_order_events
from hotline.settings import Settings
from hotline.warehouse.exports import read_export
from hotline.warehouse.jobs import (
    JobsPolicy,
    apply_retention,
    build_scheduler,
    export_recent,
    refresh_hotspots,
    write_nightly_reports,
)
from hotline.warehouse.reader import run_query
from hotline.warehouse.store import seed_warehouse
from test_warehouse_messages import DAY1
from test_warehouse_reports import report_messages


@pytest.fixture
def settings(tmp_path) -> Settings:
    s = Settings(paths={"data_dir": tmp_path}, warehouse={"database": tmp_path / "wh" / "hotline.duckdb", "snapshot": tmp_path / "wh" / "snapshot.duckdb"})
    seed_warehouse(s.warehouse, report_messages() + sample_work_order_events())
    return s


def test_nightly_reports_write_html_csv_and_excel(settings):
    policy = JobsPolicy()
    day = (DAY1 + timedelta(days=7)).date()
    files = write_nightly_reports(settings, policy, day=day)
    names = {f.name for f in files}
    assert {"centre.html", "team-team-a.html", "team-team-b.html", "agent-agent-1.html", "rollup.csv", "coaching.csv", "reports.xlsx"} <= names
    agent_page = (policy.root(settings) / "reports" / day.isoformat() / "agent-agent-1.html").read_text(encoding="utf-8")
    assert "辅导要点" in agent_page and "「您好，12345热线」" in agent_page and "标准开场白" in agent_page
    rollup = pl.read_csv(policy.root(settings) / "reports" / day.isoformat() / "rollup.csv")
    assert rollup.height == run_query(settings.warehouse, "access_org_rollup", date_from=day - timedelta(days=29), date_to=day).height
    with zipfile.ZipFile(policy.root(settings) / "reports" / day.isoformat() / "reports.xlsx") as book:
        workbook = book.read("xl/workbook.xml").decode("utf-8")
    assert all(f'name="{sheet}"' in workbook for sheet in ("rollup", "pass_rates", "coaching", "review"))


def test_parquet_export_is_partitioned_by_day_and_idempotent(settings):
    policy = JobsPolicy()
    day = DAY1.date() + timedelta(days=1)  # exports DAY1 and the day after
    first = export_recent(settings, policy, day=day)
    assert any("calls/day=2025-03-03/part-0.parquet" in str(p) for p in first)
    calls = read_export(policy.root(settings) / "exports", "calls").collect()
    assert calls.height == 5 and set(calls["day"].cast(pl.String)) == {"2025-03-03"}  # DAY1 calls (the others start a week later)
    assert calls.filter(pl.col("call_id") == "agent-1-call-0")["score"].to_list() == [60.0]
    second = export_recent(settings, policy, day=day)
    assert sorted(second) == sorted(first)
    assert read_export(policy.root(settings) / "exports", "calls").collect().height == 5


def test_hotspot_refresh_writes_parquet_and_alerts_each_spike_once(settings, monkeypatch):
    policy = JobsPolicy(hotspot_lookback_days=30)
    as_of = DAY1.date() + timedelta(days=8)
    refresh_hotspots(settings, policy, as_of=as_of)
    latest = policy.root(settings) / "hotspots" / "latest"
    assert {p.stem for p in latest.glob("*.parquet")} == {"series", "spikes", "topics", "repeat_callers", "repeat_addresses", "triage"}
    # No spike in this small warehouse; a planted one is alerted once, not on every refresh.
    ledger = policy.root(settings) / "hotspots" / "spike_alerts.jsonl"
    spikes = pl.DataFrame({"category": ["公用事业/供水"], "district": ["江南区"], "day": [as_of], "calls": [20], "expected": [2.0], "p_value": [1e-9], "test": ["nb"]})
    from hotline.warehouse import jobs

    assert len(jobs._alert_new_spikes(ledger, spikes)) == 1
    assert jobs._alert_new_spikes(ledger, spikes) == []
    assert json.loads(ledger.read_text(encoding="utf-8").splitlines()[0])["p_value"] == 1e-9


def test_retention_deletes_only_what_is_old(settings, tmp_path):
    audio = tmp_path / "recordings"
    audio.mkdir()
    old_wav, new_wav = audio / "old.wav", audio / "new.wav"
    old_wav.write_bytes(b"x")
    new_wav.write_bytes(b"y")
    long_ago = time.time() - 200 * 86400
    os.utime(old_wav, (long_ago, long_ago))
    policy = JobsPolicy(audio_dirs=(audio,), keep_audio_days=180)
    deleted = apply_retention(settings, policy)
    assert deleted == [old_wav] and new_wav.is_file()


def test_the_scheduler_never_runs_a_job_twice_at_once():
    running, most, runs = [0], [0], [0]
    lock = threading.Lock()

    def slow() -> None:
        with lock:
            running[0] += 1
            runs[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.8)
        with lock:
            running[0] -= 1

    scheduler = build_scheduler({"slow": (slow, {"trigger": "interval", "seconds": 0.1})})
    scheduler.start()
    try:
        time.sleep(2.0)
    finally:
        scheduler.shutdown(wait=True)
    assert runs[0] >= 2 and most[0] == 1


def test_transcript_purge_keeps_scores_and_recent_words(tmp_path):
    from hotline.settings import WarehouseSettings
    from hotline.warehouse.retention import purge_expired_transcripts
    from hotline.warehouse.store import open_writer, store_batch

    cfg = WarehouseSettings(database=tmp_path / "wh.duckdb", snapshot=tmp_path / "snap.duckdb")
    con = open_writer(cfg)
    try:
        store_batch(con, report_messages())  # calls on DAY1 and a week later, three turns each
        assert purge_expired_transcripts(con, DAY1 + timedelta(days=1)) == 5 * 3
        remaining = con.sql("SELECT count(*) FROM turns").fetchall()[0][0]
        assert remaining == 5 * 3
        assert con.sql("SELECT count(*) FROM inspections").fetchall()[0][0] == 10
        assert purge_expired_transcripts(con, DAY1 + timedelta(days=1)) == 0
    finally:
        con.close()
