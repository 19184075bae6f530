"""The scheduled jobs as plain functions on a real snapshot, the scheduler's no-double-run rule
(within one scheduler and across processes), hotspots materialised per scope, and the writer-side
maintenance the nightly job asks the sink for (transcript retention, compaction)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from datetime import date, timedelta

import polars as pl
import pytest

from devtools.samples.work_orders import sample_work_order_events
from hotline.settings import Settings
from hotline.warehouse.exports import read_export
from hotline.warehouse.jobs import (
    JobsPolicy,
    apply_retention,
    build_scheduler,
    export_recent,
    refresh_hotspots,
    request_writer_maintenance,
    run_job_once,
    write_nightly_reports,
)
from hotline.warehouse.access import User
from hotline.warehouse.hotspot_store import CURRENT, GENERATIONS, current_generation, read_for_user
from hotline.warehouse.reader import run_internal, run_query
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


ADMIN = User("admin", "A", "admin")
SUPERVISOR = User("sup", "S", "qa_supervisor", centre_id="centre-01")
LEAD_A = User("lead-a", "L", "team_lead", centre_id="centre-01", team_id="team-a")
LEAD_NEW = User("lead-z", "Z", "team_lead", centre_id="centre-01", team_id="team-z")


def test_hotspot_refresh_materialises_each_scope_and_alerts_each_spike_once(settings):
    policy = JobsPolicy(hotspot_lookback_days=30)
    as_of = DAY1.date() + timedelta(days=8)
    root = policy.root(settings) / "hotspots"
    assert read_for_user(root, ADMIN) is None  # before the first run: the page says so
    refresh_hotspots(settings, policy, as_of=as_of)
    first = current_generation(root)
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scopes"] == [[None, None], ["centre-01", None], ["centre-01", "team-a"], ["centre-01", "team-b"]]
    assert set(manifest["frames"]) == {"series", "spikes", "topics", "repeat_callers", "repeat_addresses", "triage", "assignments"}
    assert manifest["as_of"] == as_of.isoformat() and manifest["alpha"] == policy.spike_alpha

    calls = run_query(settings.warehouse, "access_hotspot_daily_counts", date_from=as_of - timedelta(days=29), date_to=as_of)
    team_a = run_query(settings.warehouse, "access_hotspot_daily_counts", date_from=as_of - timedelta(days=29), date_to=as_of, scope_team="team-a")
    admin, supervisor, lead = (read_for_user(root, u) for u in (ADMIN, SUPERVISOR, LEAD_A))
    assert admin["series"]["calls"].sum() == supervisor["series"]["calls"].sum() == calls["calls"].sum() > team_a["calls"].sum()
    assert lead["series"]["calls"].sum() == team_a["calls"].sum() > 0  # the team's own series, tested on its own
    assert admin.as_of == as_of and admin.generation == first.name
    # A team with no calls yet sees nothing, never a wider scope's rows.
    nothing = read_for_user(root, LEAD_NEW)
    assert all(f.is_empty() for f in nothing.frames.values()) and "calls" in nothing["series"].columns

    refresh_hotspots(settings, policy, as_of=as_of)
    assert current_generation(root) != first and json.loads((root / CURRENT).read_text())["generation"] == current_generation(root).name
    for _ in range(3):
        refresh_hotspots(settings, policy, as_of=as_of)
    assert len(list((root / GENERATIONS).iterdir())) == 3  # the current one and two before it

    # No spike in this small warehouse; a planted one is alerted once, not on every refresh.
    ledger = root / "spike_alerts.jsonl"
    spikes = pl.DataFrame({"category": ["公用事业/供水"], "district": ["江南区"], "day": [as_of], "calls": [20], "expected": [2.0], "p_value": [1e-9], "test": ["nb"]})
    from hotline.warehouse import jobs

    assert len(jobs._alert_new_spikes(ledger, spikes)) == 1
    assert jobs._alert_new_spikes(ledger, spikes) == []
    assert json.loads(ledger.read_text(encoding="utf-8").splitlines()[0])["p_value"] == 1e-9


def test_one_pass_over_all_scopes_gives_each_scopes_own_hotspots(settings):
    """The job reads each frame once for every scope; each scope's frames must be exactly what
    that scope's own scoped queries give (mine_hotspots, the dashboard's binding)."""
    from polars.testing import assert_frame_equal

    from hotline.warehouse.hotspots import mine_all_scopes, mine_hotspots
    from hotline.warehouse.reader import open_snapshot

    as_of = DAY1.date() + timedelta(days=8)
    scopes = [(None, None), ("centre-01", None), ("centre-01", "team-a"), ("centre-01", "team-b"), ("centre-01", "team-z"), ("centre-09", None)]
    con = open_snapshot(settings.warehouse)
    try:
        # max_texts=4: each scope keeps its own 4 most recent texts, not the 4 of everyone.
        for max_texts in (5000, 4):
            together = mine_all_scopes(con, scopes, as_of=as_of, lookback_days=30, max_texts=max_texts)
            for scope in scopes:
                alone = mine_hotspots(con, as_of=as_of, lookback_days=30, scope=scope, max_texts=max_texts).frames()
                for name, frame in together[scope].frames().items():
                    # list(DISTINCT ...) has no order in SQL: compare the members.
                    unordered = [c for c in ("categories", "districts") if c in frame.columns]
                    assert_frame_equal(
                        frame.with_columns(pl.col(unordered).list.sort()), alone[name].with_columns(pl.col(unordered).list.sort()),
                    ), (scope, name, max_texts)
        together = mine_all_scopes(con, scopes, as_of=as_of, lookback_days=30)
    finally:
        con.close()
    everyone, team_a, nobody = together[(None, None)], together[("centre-01", "team-a")], together[("centre-01", "team-z")]
    assert everyone.series["calls"].sum() > team_a.series["calls"].sum() > 0 and nobody.series.is_empty()
    # Not a comparison of empty frames: every kind of frame has rows somewhere.
    assert 0 < team_a.assignments.height < everyone.assignments.height and not together[("centre-01", None)].topics.is_empty()
    assert everyone.repeat_callers.height == team_a.repeat_callers.height == 1 and together[("centre-01", "team-b")].repeat_callers.is_empty()


def test_retention_keeps_the_hotspots_the_page_reads(settings):
    policy = JobsPolicy(hotspot_lookback_days=30, keep_hotspots_days=1)
    refresh_hotspots(settings, policy, as_of=DAY1.date() + timedelta(days=8))
    published = current_generation(policy.root(settings) / "hotspots")
    deleted = apply_retention(settings, policy, now=time.time() + 10 * 86400)
    assert deleted == [] and read_for_user(policy.root(settings) / "hotspots", ADMIN) is not None and published.is_dir()


_HOLD_LOCK = """
import sys, time
from pathlib import Path
from hotline.warehouse.job_lock import job_lock
with job_lock(Path(sys.argv[1]), "hotspots"):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_two_job_runners_never_run_one_job_at_once(settings):
    """A second process (another `hotline jobs`, a cron --once) skips a job the first is running."""
    policy = JobsPolicy(hotspot_lookback_days=30)
    root = policy.root(settings)
    other = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(root / "locks")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "held"
        assert run_job_once(settings, "hotspots", policy) is False
        assert current_generation(root / "hotspots") is None  # it did not run
    finally:
        other.communicate("done\n", timeout=30)
    # The holder exited: the lock is free again (the kernel drops it, even after a crash).
    assert run_job_once(settings, "hotspots", policy) is True
    assert current_generation(root / "hotspots") is not None


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


MONDAY = date(2025, 3, 3)


def test_maintenance_purges_old_transcripts_keeps_scores_and_accounting_then_compacts(tmp_path):
    """What the nightly `maintenance` job asks of the sink, carried out on the writer's connection."""
    from hotline.warehouse.maintenance import WriterMaintenance, request_path
    from hotline.warehouse.snapshot import publish_snapshot
    from hotline.warehouse.store import open_writer, store_batch

    settings = Settings(paths={"data_dir": tmp_path}, warehouse={"database": tmp_path / "wh.duckdb", "snapshot": tmp_path / "snap.duckdb"})
    cfg = settings.warehouse
    con = open_writer(cfg)
    try:
        store_batch(con, report_messages())  # 5 calls on DAY1, 5 a week later, three turns each
        publish_snapshot(con, cfg)
        accounting = run_internal(cfg, "accounting").sort("call_id")
        scores = con.sql("SELECT call_id, score, fatal, defects FROM inspections ORDER BY call_id").fetchall()
        assert len(scores) == 10 and accounting.height == 10
        maintenance = WriterMaintenance(cfg, now=lambda: DAY1 + timedelta(days=1, hours=1))
        assert maintenance.run_if_requested(con) == (con, False)  # nothing asked: nothing done

        request_writer_maintenance(settings, JobsPolicy(keep_transcripts_days=1), day=MONDAY)
        old_con = con
        con, done = maintenance.run_if_requested(con)
        assert done and con is not old_con and not request_path(cfg).exists()
        assert con.sql("SELECT count(*) FROM turns").fetchall()[0][0] == 5 * 3  # the recent week's words stay
        quoted = "SELECT count(*) FROM check_results WHERE list_bool_or(list_transform(evidence, lambda e: e.quote IS NOT NULL))"
        assert con.sql(quoted + " AND call_id IN (SELECT call_id FROM calls WHERE started_at < $d)", params={"d": DAY1 + timedelta(days=1)}).fetchall()[0][0] == 0
        assert con.sql(quoted).fetchall()[0][0] > 0
        publish_snapshot(con, cfg)
        # Every call still accounted for, with its score: statistics outlive the words.
        assert run_internal(cfg, "accounting").sort("call_id").equals(accounting)
        assert con.sql("SELECT call_id, score, fatal, defects FROM inspections ORDER BY call_id").fetchall() == scores
        store_batch(con, report_messages())  # the compacted file takes writes (replays land on the same rows)
        assert con.sql("SELECT count(*) FROM calls").fetchall()[0][0] == 10
        # Nothing old left to purge: the request is done without rewriting the file (minutes at scale).
        request_writer_maintenance(settings, JobsPolicy(keep_transcripts_days=400_000), day=MONDAY)
        assert maintenance.run_if_requested(con) == (con, True) and not request_path(cfg).exists()
        # Except on the weekly compaction day (Sunday by default): rewritten all the same.
        request_writer_maintenance(settings, JobsPolicy(keep_transcripts_days=400_000), day=MONDAY + timedelta(days=6))
        old_con = con
        con, done = maintenance.run_if_requested(con)
        assert done and con is not old_con and not request_path(cfg).exists()
        assert con.sql("SELECT count(*) FROM calls").fetchall()[0][0] == 10
        request_writer_maintenance(settings, JobsPolicy(keep_transcripts_days=400_000, compact_weekday=None), day=MONDAY + timedelta(days=6))
        assert maintenance.run_if_requested(con) == (con, True)
    finally:
        con.close()
