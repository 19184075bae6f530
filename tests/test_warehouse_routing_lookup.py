"""Work orders read by call and by department: one call's order events go through the index on
work_order_state(call_id) (work_order_state_call_id) and answer what a plain join of the tables answers,
also after the sink derived an order again; the routing departments page counts what the stored
order rows say (its medians within 0.5 %: read from buckets of hours, hours_bucket)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from hotline.contracts import WorkOrderEvent
from hotline.settings import WarehouseSettings
from hotline.warehouse import sqlfiles
from hotline.warehouse.reader import open_snapshot, run_query
from hotline.warehouse.store import open_writer, seed_warehouse, store_batch
from test_dashboard_hotspots import analytics_messages

EVENT_COLUMNS = ["work_order_id", "occurred_at", "kind", "department", "from_department", "due_at", "satisfaction", "note", "source"]


@pytest.fixture(scope="module")
def cfg(tmp_path_factory) -> WarehouseSettings:
    root = tmp_path_factory.mktemp("routing_lookup")
    cfg = WarehouseSettings(database=root / "hotline.duckdb", snapshot=root / "snapshot.duckdb")
    seed_warehouse(cfg, analytics_messages())
    return cfg


def _tables(con) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return (
        con.sql("SELECT * FROM work_order_events").pl(),
        con.sql("SELECT work_order_id, call_id FROM work_order_state").pl(),
        con.sql("SELECT call_id, centre_id, team_id FROM calls").pl(),
    )


def _plain_join(tables, call_id: str, centre: str | None, team: str | None) -> pl.DataFrame:
    """The call's order events from whole tables, without any index or filter pushdown."""
    events, orders, calls = tables
    rows = events.join(orders.rename({"call_id": "order_call_id"}), on="work_order_id").join(
        calls, left_on="order_call_id", right_on="call_id"
    )
    rows = rows.filter(pl.col("order_call_id") == call_id)
    if centre is not None:
        rows = rows.filter(pl.col("centre_id") == centre)
    if team is not None:
        rows = rows.filter(pl.col("team_id") == team)
    return rows.sort("occurred_at", "event_id").select(EVENT_COLUMNS)


def _call_events(con, call_id: str, centre: str | None = None, team: str | None = None) -> pl.DataFrame:
    params = {"call_id": call_id, "scope_centre": centre, "scope_team": team}
    return con.sql(sqlfiles.load("access_call_work_order_events"), params=params).pl()


def test_work_orders_are_indexed_by_call(cfg):
    con = open_snapshot(cfg)
    try:
        indexes = con.sql("SELECT table_name, expressions FROM duckdb_indexes() WHERE index_name = 'work_order_state_call_id'").fetchall()
        assert indexes == [("work_order_state", "[call_id]")]
        centre, team = con.sql("SELECT centre_id, team_id FROM calls ORDER BY call_id LIMIT 1").fetchall()[0]
        for scope in ({"scope_centre": None, "scope_team": None}, {"scope_centre": centre, "scope_team": team}):
            plan = con.execute(
                "EXPLAIN ANALYZE " + sqlfiles.load("access_call_work_order_events"), {"call_id": "n-00"} | scope
            ).fetchall()[0][1]
            # The bound call id is looked up, not scanned for. (DuckDB takes the index only while the
            # call id is the one filter on work_order_state: the scope is checked on the call.)
            assert "Index Scan" in plan
    finally:
        con.close()


def test_a_calls_order_events_are_what_a_plain_join_finds_in_every_scope(cfg):
    con = open_snapshot(cfg)
    try:
        tables = _tables(con)
        scopes = con.sql("SELECT DISTINCT centre_id, team_id FROM calls ORDER BY ALL").fetchall()
        assert len(scopes) >= 2
        calls = sorted(set(tables[1]["call_id"].drop_nulls()))
        assert len(calls) > 10
        for call_id in [*calls, "no-such-call"]:
            for centre, team in [(None, None), *scopes, (scopes[0][0], None)]:
                got = _call_events(con, call_id, centre, team)
                assert_frame_equal(got, _plain_join(tables, call_id, centre, team))
        # Someone else's call shows nothing; the events of a bounced call are all there.
        bounced = next(c for c in calls if c.startswith("n-"))
        assert _call_events(con, bounced).height == _plain_join(tables, bounced, None, None).height > 3
    finally:
        con.close()


def test_the_index_follows_the_sinks_refresh_of_an_order(cfg, tmp_path):
    # A private writer copy: the module's warehouse stays as seeded for the other tests.
    own = WarehouseSettings(database=tmp_path / "hotline.duckdb", snapshot=tmp_path / "snapshot.duckdb")
    seed_warehouse(own, analytics_messages())
    con = open_writer(own)
    try:
        call_id, order_id, last = con.sql(
            "SELECT w.call_id, w.work_order_id, max(e.occurred_at) FROM work_order_state AS w "
            "JOIN work_order_events AS e USING (work_order_id) WHERE w.call_id LIKE 'n-%' "
            "GROUP BY ALL ORDER BY w.call_id LIMIT 1"
        ).pl().row(0)
        before = _call_events(con, call_id)
        late = WorkOrderEvent(event_id=f"{order_id}-late", work_order_id=order_id, call_id=call_id, kind="reopened",
                              occurred_at=last + timedelta(days=1))
        store_batch(con, [late])  # deletes the order's stored row and inserts it derived again
        after = _call_events(con, call_id)
        assert after.height == before.height + 1 and after["kind"][-1] == "reopened"
        assert_frame_equal(after, _plain_join(_tables(con), call_id, None, None))
        assert con.sql("SELECT count(*) FROM work_order_state WHERE call_id = $c", params={"c": call_id}).fetchall() == [(1,)]
    finally:
        con.close()


def _departments_by_counting(orders: pl.DataFrame, departments: pl.DataFrame) -> pl.DataFrame:
    """access_routing_departments from the stored order rows, counted in Python."""
    received = orders.select(pl.col("route").explode().alias("department")).drop_nulls().group_by("department").len("received")
    hops = orders.select(pl.col("handoffs").explode()).drop_nulls().unnest("handoffs")
    returned = hops.filter(pl.col("kind") == "returned").drop_nulls("department").group_by("department").len("returned")
    passed = (
        hops.filter(pl.col("kind") == "transferred").drop_nulls("from_department")
        .group_by("from_department").len("transferred_away").rename({"from_department": "department"})
    )
    sat = pl.col("satisfaction")
    owned = orders.filter(pl.col("current_department").is_not_null()).group_by(pl.col("current_department").alias("department")).agg(
        pl.len().alias("owned"),
        pl.col("is_closed").sum().alias("closed"),
        pl.col("overdue").fill_null(False).sum().alias("overdue"),
        pl.col("hours_to_close").median().alias("median_hours_to_close"),
        (sat.is_in(["satisfied", "basically_satisfied"]).sum() / sat.count()).alias("satisfied_share"),
        sat.count().alias("rated"),
    )
    handled = pl.concat([received.select("department"), returned.select("department")]).unique()
    out = (
        handled.join(departments, on="department", how="left")
        .join(received, on="department", how="left").join(returned, on="department", how="left")
        .join(passed, on="department", how="left").join(owned, on="department", how="left")
        .with_columns(pl.col("received", "returned", "transferred_away", "owned", "closed", "overdue", "rated").fill_null(0))
    )
    return out.with_columns(
        pl.when(pl.col("received") > 0).then((pl.col("returned") + pl.col("transferred_away")) / pl.col("received")).alias("bounce_rate")
    ).sort(["received", "department"], descending=[True, False])


def test_routing_departments_count_the_stored_orders_in_every_scope_and_window(cfg):
    con = open_snapshot(cfg)
    try:
        orders = con.sql("SELECT * FROM work_orders").pl()
        departments = con.sql("SELECT department, kind, district FROM departments").pl()
        first, last = con.sql("SELECT min(created_at)::DATE, max(created_at)::DATE FROM work_order_state").fetchall()[0]
    finally:
        con.close()
    scopes = [(None, None), *orders.select("centre_id", "team_id").unique().drop_nulls().rows()]
    windows = [(None, None), (last - timedelta(days=6), last), (first, first + timedelta(days=2))]
    for centre, team in scopes:
        for date_from, date_to in windows:
            got = run_query(cfg, "access_routing_departments", scope_centre=centre, scope_team=team, date_from=date_from, date_to=date_to)
            day = pl.col("created_at").dt.convert_time_zone("Asia/Shanghai").dt.date()
            scoped = orders.filter(
                (pl.col("centre_id") == centre) if centre else pl.lit(True),
                (pl.col("team_id") == team) if team else pl.lit(True),
                (day >= date_from) if date_from else pl.lit(True),
                (day <= date_to) if date_to else pl.lit(True),
            )
            want = _departments_by_counting(scoped, departments).select(got.columns)
            assert got.height > 0
            median = "median_hours_to_close"
            assert_frame_equal(got.drop(median), want.drop(median), check_dtypes=False, check_exact=False)
            # Read from buckets of hours (hours_bucket): within 0.5 % of the exact median.
            for have, exact in zip(got[median], want[median], strict=True):
                assert (have is None and exact is None) or have == pytest.approx(exact, rel=0.005)


def test_a_window_with_no_orders_lists_no_departments(cfg):
    got = run_query(cfg, "access_routing_departments", scope_centre=None, scope_team=None, date_from=date(1999, 1, 1), date_to=date(1999, 1, 31))
    assert got.height == 0
