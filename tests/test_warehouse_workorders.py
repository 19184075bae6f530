"""Work-order events: the sample history, CSV import, the derived work_orders view, the sink."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from polars.testing import assert_frame_equal

from hotline.bus import StopFlag
from devtools.samples.work_orders import assign_stories, sample_calls_from_scripts, sample_work_order_events
from hotline.settings import WarehouseSettings
from hotline.warehouse.reader import open_snapshot, run_query
from hotline.warehouse.sink import run_sink
from hotline.contracts import WorkOrderEvent
from hotline.warehouse.store import open_writer, seed_warehouse, store_batch
from hotline.warehouse.workorders import (
    WorkOrderCsvError,
    publish_work_order_events,
    read_work_order_csv,
    store_work_order_events,
    write_work_order_csv,
)


@pytest.fixture
def cfg(tmp_path) -> WarehouseSettings:
    return WarehouseSettings(database=tmp_path / "wh" / "hotline.duckdb", snapshot=tmp_path / "wh" / "snapshot.duckdb")


def _orders_by_story(cfg) -> dict[str, dict]:
    calls = sample_calls_from_scripts()
    stories = assign_stories(calls)
    truth = {c.call_id: c for c in calls}
    con = open_snapshot(cfg)
    try:
        rows = con.sql("SELECT * FROM work_orders").pl().to_dicts()
    finally:
        con.close()
    out: dict[str, dict] = {}
    for row in rows:
        row["truth_department"] = truth[row["call_id"]].department
        out.setdefault(stories[row["call_id"]], row)
    return out


def test_sample_history_is_deterministic_and_tells_every_story():
    first, second = sample_work_order_events(), sample_work_order_events()
    assert first == second
    stories = set(assign_stories(sample_calls_from_scripts()).values())
    assert {"rerouted", "bounced", "reopened", "overdue_open", "overdue_closed", "normal", "praise"} <= stories
    assert len({e.event_id for e in first}) == len(first)
    assert len({e.work_order_id for e in first}) == len(sample_calls_from_scripts())


def test_work_orders_view_derives_the_lifecycle(cfg):
    seed_warehouse(cfg, sample_work_order_events())
    orders = _orders_by_story(cfg)

    rerouted = orders["rerouted"]
    assert rerouted["returns"] == 1 and rerouted["assignments"] == 2
    assert rerouted["first_department"] != rerouted["truth_department"]
    assert rerouted["current_department"] == rerouted["truth_department"]
    assert rerouted["is_closed"] and rerouted["overdue"] is False

    bounced = orders["bounced"]
    assert (bounced["transfers"], bounced["returns"], bounced["is_closed"]) == (1, 1, False)
    assert bounced["route"][0] == bounced["route"][-1] == bounced["truth_department"] and len(bounced["route"]) == 3
    assert bounced["overdue"] is True  # open, and its due time (2025) has long passed

    reopened = orders["reopened"]
    assert reopened["reopens"] == 1 and reopened["is_closed"]
    assert reopened["satisfaction"] == "basically_satisfied"  # the last callback, after reopening

    late = orders["overdue_closed"]
    assert late["extensions"] == 1 and late["is_closed"] and late["overdue"] is True
    # The extension's due time replaced the original one.
    assert late["due_at"] > late["created_at"] and late["hours_to_close"] > (late["due_at"] - late["created_at"]).total_seconds() / 3600

    normal = orders["normal"]
    assert normal["is_closed"] and normal["overdue"] is False and normal["returns"] == 0
    assert 0 < normal["hours_to_dispatch"] < 2
    assert normal["satisfaction"] in ("satisfied", "basically_satisfied")

    praise = orders["praise"]
    assert praise["first_department"] is None and praise["is_closed"]


def test_csv_round_trip_and_idempotent_import(cfg, tmp_path):
    events = sample_work_order_events()
    path = write_work_order_csv(events, tmp_path / "orders.csv")
    assert read_work_order_csv(path) == events
    con = open_writer(cfg)
    try:
        for _ in range(2):  # a second import of the same file changes nothing
            con.begin()
            store_work_order_events(con, read_work_order_csv(path), source="csv")
            con.commit()
        counts = con.sql("SELECT count(*) AS n, count(DISTINCT source) AS s FROM work_order_events").fetchall()[0]
        assert counts == (len(events), 1)
    finally:
        con.close()


def test_csv_local_times_are_beijing_and_bad_rows_fail_the_file(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("event_id,work_order_id,kind,occurred_at,department\ne1,WO1,dispatched,2025-03-10 09:00:00,江州水务集团\n", encoding="utf-8")
    (event,) = read_work_order_csv(good)
    assert event.occurred_at == datetime(2025, 3, 10, 1, 0, tzinfo=timezone.utc)
    assert event.department == "江州水务集团" and event.call_id is None

    bad = tmp_path / "bad.csv"
    bad.write_text("event_id,work_order_id,kind,occurred_at\ne1,WO1,dispatched,2025-03-10 09:00\ne2,WO1,teleported,2025-03-10 10:00\n", encoding="utf-8")
    with pytest.raises(WorkOrderCsvError, match=r"1 bad row.*line 3: kind"):
        read_work_order_csv(bad)
    odd = tmp_path / "odd.csv"
    odd.write_text("event_id,work_order_id,kind,occurred_at,colour\n", encoding="utf-8")
    with pytest.raises(WorkOrderCsvError, match="unknown column.*colour"):
        read_work_order_csv(odd)


def test_reference_data_is_loaded_by_the_writer(cfg):
    seed_warehouse(cfg, [])
    con = open_snapshot(cfg)
    try:
        teams = con.sql("SELECT team_id, centre_id FROM teams ORDER BY team_id").fetchall()
        assert teams == [("team-01", "centre-01"), ("team-02", "centre-01")]
        assert con.sql("SELECT count(*) FROM districts").fetchall()[0][0] == 4
        rule = con.sql("SELECT department FROM routing_rules WHERE category = '公用事业/供水'").fetchall()[0]
        assert rule == ("江州水务集团",)
    finally:
        con.close()


def test_sink_stores_work_order_events_once(settings):
    events = sample_work_order_events()
    publish_work_order_events(settings.kafka, events)
    assert run_sink(settings, StopFlag(), idle_exit_s=2.0) == len(events)
    first = run_query(settings.warehouse, "access_routing_chains")
    con = open_snapshot(settings.warehouse)
    try:
        stored = con.sql("SELECT event_id, kind, source FROM work_order_events ORDER BY event_id").pl()
    finally:
        con.close()
    assert stored.height == len(events) and set(stored["source"]) == {"kafka"}
    publish_work_order_events(settings.kafka, events[:5])  # a replay
    assert run_sink(settings, StopFlag(), idle_exit_s=2.0) == 5
    assert_frame_equal(run_query(settings.warehouse, "access_routing_chains"), first)


def test_a_later_batch_updates_the_derived_order(cfg):
    events = sample_work_order_events()
    con = open_writer(cfg)
    try:
        store_batch(con, events)
        open_order = con.sql("SELECT work_order_id, current_department FROM work_orders WHERE NOT is_closed ORDER BY work_order_id").fetchall()[0]
        last = max(e.occurred_at for e in events if e.work_order_id == open_order[0])
        closing = WorkOrderEvent(event_id=f"{open_order[0]}-late", work_order_id=open_order[0], kind="closed", occurred_at=last + timedelta(days=1))
        store_batch(con, [closing])
        row = con.sql("SELECT is_closed, closed_at, events FROM work_orders WHERE work_order_id = $id", params={"id": open_order[0]}).pl().row(0)
        assert row[0] is True and row[1] == closing.occurred_at
        assert row[2] == 1 + sum(e.work_order_id == open_order[0] for e in events)
        # The stored state equals a fresh derivation from all events.
        diff = con.sql("SELECT count(*) FROM (SELECT * EXCLUDE (overdue) FROM work_order_state EXCEPT SELECT * EXCLUDE (overdue) FROM work_orders_stored_derived)").fetchall()[0][0]
        assert diff == 0
    finally:
        con.close()


def test_orders_carry_their_calls_scope_and_suggestion_whenever_the_call_lands(cfg):
    from test_warehouse_messages import DAY1, make_inspection, make_meta, make_transcript

    def order_row(con) -> tuple:
        return con.sql(
            "SELECT centre_id, team_id, inspected_category, suggested_category, "
            "(SELECT count(*) FROM work_orders_awaiting_call) FROM work_order_state WHERE work_order_id = 'WO-late'"
        ).fetchall()[0]

    def fresh(con) -> int:
        return con.sql(
            "SELECT count(*) FROM (SELECT * EXCLUDE (overdue) FROM work_order_state EXCEPT SELECT * EXCLUDE (overdue) FROM work_orders_stored_derived)"
        ).fetchall()[0][0]

    meta = make_meta("call-late", team="team-b")
    events = [
        WorkOrderEvent(event_id=f"late-{k}", work_order_id="WO-late", call_id="call-late", kind=kind, department=dept,
                       from_department=src, category="市政设施/路灯", district="江北区", occurred_at=DAY1 + timedelta(minutes=k))
        for k, (kind, dept, src) in enumerate([
            ("created", None, None), ("dispatched", "江北区住建局", None), ("transferred", "江北区城市管理局", "江北区住建局"),
            ("returned", "江北区城市管理局", None), ("dispatched", "江北区城市管理局", None),
        ])
    ]
    con = open_writer(cfg)
    try:
        # The work-order system is faster than the recording: the order arrives before its call.
        store_batch(con, events)
        assert order_row(con) == (None, None, None, None, 1)
        store_batch(con, [make_transcript(meta)])  # the transcript: scope known, no inspection yet
        assert order_row(con) == ("centre-01", "team-b", None, None, 1)
        store_batch(con, [make_inspection(meta, category="市政设施")])
        assert order_row(con) == ("centre-01", "team-b", "市政设施", "市政设施", 0)
        store_batch(con, [make_inspection(meta, category="城乡建设")])  # re-inspected: the order follows
        assert order_row(con)[2:] == ("城乡建设", "城乡建设", 0)
        assert fresh(con) == 0
        hops = con.sql("SELECT handoffs FROM work_order_state WHERE work_order_id = 'WO-late'").fetchall()[0][0]
        assert [(h["kind"], h["department"], h["from_department"]) for h in hops] == [
            ("transferred", "江北区城市管理局", "江北区住建局"), ("returned", "江北区城市管理局", None)]
    finally:
        con.close()
