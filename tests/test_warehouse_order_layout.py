"""Where the work-order rows lie in the file: grouped by centre and team, in created_at order
within each (see work_order_state.sql), so a scoped routing page's reads skip other scopes' row
groups. The sink appends orders out of that order; compacting the file lays them out again
(order_compaction_work_orders) and changes nothing else: the same rows, the index on call_id,
the same page results."""

from __future__ import annotations


import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from hotline.settings import WarehouseSettings
from hotline.warehouse import sqlfiles
from hotline.warehouse.maintenance import compact_database
from hotline.warehouse.reader import open_snapshot, run_query
from hotline.warehouse.snapshot import publish_snapshot
from hotline.warehouse.store import open_writer, seed_warehouse
from test_dashboard_hotspots import analytics_messages

LAYOUT = ["centre_id", "team_id", "created_at", "work_order_id"]


def _rows_in_file_order(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("SELECT * EXCLUDE (handoffs, route), to_json(handoffs) AS handoffs, to_json(route) AS route FROM work_order_state ORDER BY rowid").pl()


def _in_layout(rows: pl.DataFrame) -> bool:
    return rows.select(LAYOUT).equals(rows.select(LAYOUT).sort(LAYOUT, nulls_last=True))


def _index_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.sql("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'work_order_state'").fetchall()]


def _pages(cfg: WarehouseSettings, call_id: str) -> dict[str, pl.DataFrame]:
    return {
        "kpis": run_query(cfg, "access_routing_kpis"),
        "departments": run_query(cfg, "access_routing_departments"),
        "team": run_query(cfg, "access_routing_kpis", scope_team="team-b"),
        # The routing day rollups (work_order_days, ...) and their macros travel with the file.
        "kpis_rollup": run_query(cfg, "access_routing_kpis_rollup"),
        "departments_rollup": run_query(cfg, "access_routing_departments_rollup"),
        "bounces_rollup": run_query(cfg, "access_routing_bounces_rollup"),
        "call": run_query(cfg, "access_call_work_order_events", call_id=call_id),
    }


@pytest.fixture
def cfg(tmp_path) -> WarehouseSettings:
    cfg = WarehouseSettings(database=tmp_path / "hotline.duckdb", snapshot=tmp_path / "snapshot.duckdb")
    seed_warehouse(cfg, analytics_messages())
    return cfg


def test_compaction_lays_the_sinks_appended_orders_out_by_scope(cfg):
    con = open_writer(cfg)
    before = _rows_in_file_order(con)
    call_id = before.filter(pl.col("team_id") == "team-b")["call_id"][0]
    # The sink wrote the orders as their calls and events arrived: both teams' orders interleave.
    assert before.height > 40 and before["team_id"].n_unique() == 2 and not _in_layout(before)
    pages = _pages(cfg, call_id)
    assert pages["kpis"]["work_orders"][0] == before.height and pages["call"].height > 0

    con, compacted = compact_database(con, cfg)
    try:
        assert compacted
        after = _rows_in_file_order(con)
        assert _in_layout(after)
        assert_frame_equal(after.sort("work_order_id"), before.sort("work_order_id"))
        assert _index_names(con) == ["work_order_state_call_id"]
        publish_snapshot(con, cfg)
    finally:
        con.close()
    for name, frame in _pages(cfg, call_id).items():
        assert_frame_equal(frame, pages[name], check_row_order=name != "departments"), name
    reader = open_snapshot(cfg)
    try:
        # The call page still looks its call's orders up by the index (as in test_warehouse_routing_lookup).
        plan = reader.execute("EXPLAIN ANALYZE " + sqlfiles.load("access_call_work_order_events"),
                              {"call_id": call_id, "scope_centre": None, "scope_team": None}).fetchall()[0][1]
        assert "Index Scan" in plan
    finally:
        reader.close()


