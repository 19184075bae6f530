"""Snapshots and the reader API on a real DuckDB file (no broker needed)."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from hotline.settings import WarehouseSettings
from hotline.warehouse import sqlfiles
from hotline.warehouse.reader import SnapshotMissing, open_snapshot, query_frame, run_internal, run_query
from hotline.warehouse.snapshot import SnapshotPublisher, publish_snapshot
from hotline.warehouse.store import open_writer, seed_warehouse, store_batch
from test_warehouse_messages import make_day, make_inspection, make_meta, make_transcript

# Page queries as the pages run them for an administrator: the scope bound, unrestricted.
ADMIN = {"scope_centre": None, "scope_team": None}


@pytest.fixture
def cfg(tmp_path) -> WarehouseSettings:
    return WarehouseSettings(database=tmp_path / "wh" / "hotline.duckdb", snapshot=tmp_path / "wh" / "snapshot.duckdb", snapshot_min_interval_s=10.0)


def test_no_snapshot_is_a_clear_error(cfg):
    with pytest.raises(SnapshotMissing, match="no calls landed yet.*hotline demo"):
        open_snapshot(cfg)
    with pytest.raises(FileNotFoundError):
        run_query(cfg, "access_kpis", **ADMIN)


def test_writer_and_snapshot_must_be_different_files(tmp_path):
    same = tmp_path / "one.duckdb"
    with pytest.raises(ValueError, match="different files"):
        open_writer(WarehouseSettings(database=same, snapshot=same))


def test_an_open_reader_keeps_its_view_and_a_new_one_sees_the_next_snapshot(cfg):
    con = open_writer(cfg)
    try:
        store_batch(con, make_day(n_calls=1))
        publish_snapshot(con, cfg)
        before = open_snapshot(cfg)
        meta = make_meta("call-next")
        store_batch(con, [make_transcript(meta), make_inspection(meta)])
        publish_snapshot(con, cfg)
        after = open_snapshot(cfg)
        # The writer still holds its file; readers never touched it.
        assert query_frame(before, "access_kpis", **ADMIN)["calls_landed"][0] == 1
        assert query_frame(after, "access_kpis", **ADMIN)["calls_landed"][0] == 2
        before.close()
        after.close()
    finally:
        con.close()
    assert not list(cfg.snapshot.parent.glob("*.tmp")), "a temporary snapshot was left behind"


def test_publisher_throttles_until_flushed(cfg):
    now = [100.0]
    con = open_writer(cfg)
    try:
        publisher = SnapshotPublisher(con, cfg, clock=lambda: now[0])
        assert publisher.publish_if_due()  # the first one goes out at once (readers see the schema)
        assert not publisher.publish_if_due()  # nothing new
        store_batch(con, make_day(n_calls=1))
        publisher.mark_dirty()
        now[0] += 1.0
        assert not publisher.publish_if_due()  # too soon after the last one
        assert run_query(cfg, "access_kpis", **ADMIN)["calls_landed"][0] == 0
        now[0] += cfg.snapshot_min_interval_s
        assert publisher.publish_if_due()
        assert run_query(cfg, "access_kpis", **ADMIN)["calls_landed"][0] == 1
        store_batch(con, [make_transcript(make_meta("call-idle"))])
        publisher.mark_dirty()
        assert publisher.flush()  # at idle or exit: no waiting
        assert run_query(cfg, "access_kpis", **ADMIN)["calls_landed"][0] == 2
    finally:
        con.close()


def test_days_are_counted_in_beijing_time(cfg):
    late_evening_utc = datetime(2025, 3, 3, 20, 0, tzinfo=timezone.utc)  # 04:00 on 4 March in Beijing
    meta = make_meta("call-night", started_at=late_evening_utc)
    seed_warehouse(cfg, [make_transcript(meta)])
    daily = run_query(cfg, "access_daily", **ADMIN)
    assert [str(d) for d in daily["day"]] == ["2025-03-04"]
    assert run_query(cfg, "access_calls", date_from=datetime(2025, 3, 4).date(), **ADMIN)["call_id"].to_list() == ["call-night"]
    assert run_query(cfg, "access_calls", date_to=datetime(2025, 3, 3).date(), **ADMIN).is_empty()


def test_run_query_binds_filters_and_rejects_unknown_parameters(cfg):
    seed_warehouse(cfg, make_day(n_calls=3))
    assert run_query(cfg, "access_calls", **ADMIN)["call_id"].len() == 3
    assert run_query(cfg, "access_calls", team="team-b", **ADMIN)["call_id"].to_list() == ["call-002"]
    assert run_query(cfg, "access_calls", agent="agent-2", review_state="mandatory_review", **ADMIN)["call_id"].to_list() == ["call-001"]
    assert run_query(cfg, "access_calls", limit=1, **ADMIN).height == 1
    # A filter value is data, never SQL.
    assert run_query(cfg, "access_calls", team="x' OR '1'='1", **ADMIN).is_empty()
    with pytest.raises(TypeError, match="unknown teem"):
        run_query(cfg, "access_calls", teem="team-b", **ADMIN)


def test_internal_reads_run_apart_from_page_queries(cfg):
    seed_warehouse(cfg, make_day(n_calls=3))
    # The platform's own reads (sql/internal/) run on a snapshot as page queries do, bound the same way ...
    # (every call the warehouse knows: the three landed and the one only a dead letter names)
    assert sorted(run_internal(cfg, "accounting")["call_id"]) == ["call-000", "call-001", "call-002", "call-lost"]
    assert run_internal(cfg, "accounting", limit=1).height == 1
    with pytest.raises(TypeError, match="unknown scope_centre"):
        run_internal(cfg, "accounting", scope_centre="centre-01")
    # ... but neither runner finds the other's names: a page query is never run as an internal read, nor the reverse.
    with pytest.raises(sqlfiles.UnknownQuery):
        run_query(cfg, "accounting")
    with pytest.raises(sqlfiles.UnknownQuery):
        run_internal(cfg, "access_calls", **ADMIN)


def test_snapshot_is_read_only(cfg):
    seed_warehouse(cfg, make_day(n_calls=1))
    con = open_snapshot(cfg)
    try:
        with pytest.raises(duckdb.Error, match="read-only|read only"):
            con.execute("DELETE FROM calls")
    finally:
        con.close()
