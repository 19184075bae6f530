"""Writer-side maintenance through the real sink: the jobs process leaves a request, the running
sink (real broker, real DuckDB file) purges old transcripts and compacts its file when idle, keeps
every call's accounting and scores, and goes on writing to the compacted file."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

from hotline.bus import StopFlag
from hotline.warehouse.jobs import JobsPolicy, request_writer_maintenance
from hotline.warehouse.maintenance import request_path
from hotline.warehouse.reader import SnapshotMissing, open_snapshot, run_internal, run_query
from hotline.warehouse.sink import run_sink
from test_warehouse_messages import DAY1, make_meta, make_transcript
from test_warehouse_reports import report_messages
from test_warehouse_sink import publish


def _wait_for(predicate, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except SnapshotMissing:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the sink")


COUNTS = {t: f"SELECT count(*) FROM {t}" for t in ("calls", "turns", "inspections")}  # constant table names


def _count(settings, table: str) -> int:
    con = open_snapshot(settings.warehouse)
    try:
        return con.sql(COUNTS[table]).fetchall()[0][0]
    finally:
        con.close()


def test_the_sink_carries_out_a_maintenance_request_between_batches(settings):
    settings = settings.model_copy(update={"warehouse": settings.warehouse.model_copy(update={"snapshot_min_interval_s": 0.0})})
    stop = StopFlag()
    sink = threading.Thread(target=run_sink, args=(settings, stop), daemon=True)
    sink.start()
    try:
        publish(settings, report_messages())  # 5 calls on DAY1, 5 a week later, three turns each
        _wait_for(lambda: _count(settings, "inspections") == 10)
        accounting = run_internal(settings.warehouse, "accounting").sort("call_id")
        scores = run_query(settings.warehouse, "access_calls", limit=100).select("call_id", "score").sort("call_id")
        assert scores.height == accounting.height == 10 and scores["score"].is_not_null().all()
        # Keep transcripts of calls newer than the middle of that week: DAY1's words go.
        keep = (datetime.now(timezone.utc) - (DAY1 + timedelta(days=3))).days
        request_writer_maintenance(settings, JobsPolicy(keep_transcripts_days=keep))
        _wait_for(lambda: not request_path(settings.warehouse).exists() and _count(settings, "turns") == 5 * 3)

        assert run_internal(settings.warehouse, "accounting").sort("call_id").equals(accounting)
        assert run_query(settings.warehouse, "access_calls", limit=100).select("call_id", "score").sort("call_id").equals(scores)
        # The sink writes on, to the compacted file.
        publish(settings, [make_transcript(make_meta("after-compaction"))])
        _wait_for(lambda: _count(settings, "calls") == 11)
    finally:
        stop.set()
        sink.join(timeout=60)
    assert not sink.is_alive()
