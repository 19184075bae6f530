"""The routing day rollups (work_order_days, ...): whatever the work-order stream did (orders dispatched,
returned, transferred, closed late, reopened, left open past their due time, events replayed,
calls and inspections arriving after their orders, a re-inspection changing the suggested
category, orders of no landed call), the rollup-backed routing pages return what the base
queries return for every scope and window warehouse/rollups.py sends to them; a change of the
routing rules is followed; the quantiles read from buckets of hours are within 0.5 % of the
exact ones; and a warehouse that held orders before the migration gets its rollups filled."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from hotline.contracts import WorkOrderEvent
from hotline.settings import WarehouseSettings
from hotline.warehouse import rollups, schema
from hotline.warehouse.reader import open_snapshot, query_frame
from hotline.warehouse.reference import load_reference, store_reference
from hotline.warehouse.snapshot import publish_snapshot
from hotline.warehouse.store import open_writer, store_batch
from test_warehouse_messages import DAY1, make_inspection, make_meta, make_transcript

PAGES = ("access_routing_kpis", "access_routing_departments", "access_routing_agreement", "access_routing_bounces")
DEPARTMENTS = ("江州水务集团", "江南区城市管理局", "江北区城市管理局", "江州市生态环境局")
CATEGORIES = ("公用事业/供水", "城乡建设/噪音扰民", "环境保护/大气污染", "市政设施")
DISTRICTS = ("江南区", "江北区", None)
BATCHES = 5


def _order_events(rng: random.Random, wo: str, call_id: str | None, t0: datetime) -> list[WorkOrderEvent]:
    """One order's lifecycle, drawn at random: some bounce, some close late, some stay open."""
    n = iter(range(100))

    def ev(kind: str, at: datetime, **kw) -> WorkOrderEvent:
        return WorkOrderEvent(event_id=f"{wo}-{next(n)}", work_order_id=wo, call_id=call_id, kind=kind, occurred_at=at, **kw)

    fate = rng.choice(("straight", "bounced", "open_late", "open", "reopened", "undispatched"))
    due = {"due_at": t0 + timedelta(hours=2)} if fate == "open_late" else {}
    if fate == "open":
        due = {"due_at": datetime.now(UTC) + timedelta(days=30)}
    events = [ev("created", t0, category=rng.choice(CATEGORIES), district=rng.choice(DISTRICTS), **due)]
    if fate == "undispatched":
        return events
    at = t0 + timedelta(hours=rng.lognormvariate(0, 1.2))
    first = rng.choice(DEPARTMENTS)
    events.append(ev("dispatched", at, department=first))
    if fate in ("bounced", "reopened"):
        at += timedelta(hours=rng.uniform(1, 30))
        events.append(ev("returned", at, department=first, note="非本单位职责"))
        second = rng.choice([d for d in DEPARTMENTS if d != first])
        at += timedelta(hours=rng.uniform(0.1, 3))
        events.append(ev("dispatched", at, department=second))
        if rng.random() < 0.5:
            at += timedelta(hours=rng.uniform(1, 20))
            events.append(ev("transferred", at, department=first, from_department=second))
    if fate in ("open_late", "open"):
        return events
    at += timedelta(hours=rng.lognormvariate(3, 1))
    events.append(ev("closed", at))
    if rng.random() < 0.7:
        events.append(ev("callback", at + timedelta(hours=1), satisfaction=rng.choice(("satisfied", "basically_satisfied", "dissatisfied"))))
    if fate == "reopened":
        events.append(ev("reopened", at + timedelta(hours=2)))
        events.append(ev("closed", at + timedelta(hours=rng.uniform(3, 90))))
    return events


def stream(seed: int) -> list[list]:
    """Calls of two centres and their orders, in batches: an order's events spread over several
    batches (each re-derives it), some before their call or its inspection; a few calls
    re-inspected with another category; a few orders of no landed call; replays."""
    rng = random.Random(seed)
    batches: list[list] = [[] for _ in range(BATCHES)]
    for i in range(48):
        centre = "centre-01" if i % 3 else "centre-02"
        meta = make_meta(f"call-{i:02d}", started_at=DAY1 + timedelta(days=i % 12, hours=i % 7), team=f"team-{i % 2}")
        meta = meta.model_copy(update={"centre_id": centre})
        landed = rng.randrange(BATCHES)
        batches[landed].append(make_transcript(meta))
        batches[rng.randrange(landed, BATCHES)].append(make_inspection(meta, category=rng.choice(CATEGORIES)))
        if i % 7 == 0:
            batches[-1].append(make_inspection(meta, category=rng.choice(CATEGORIES)).model_copy(update={"inspected_at": datetime.now(UTC)}))
        events = _order_events(rng, f"WO-{i:02d}", meta.call_id, meta.started_at + timedelta(minutes=5))
        cut = sorted(rng.randrange(BATCHES) for _ in events)
        for event, b in zip(events, cut, strict=True):
            batches[b].append(event)
    for k in range(3):
        for event in _order_events(rng, f"WO-orphan-{k}", "no-such-call", DAY1 + timedelta(days=k)):
            batches[rng.randrange(BATCHES)].append(event)
    every = [m for b in batches for m in b if isinstance(m, WorkOrderEvent)]
    batches[-1] += rng.sample(every, 12)
    return batches


def seed_stream(cfg: WarehouseSettings, seed: int) -> None:
    """Write the stream batch by batch, as the sink would, and publish a snapshot."""
    con = open_writer(cfg)
    try:
        for batch in stream(seed):
            store_batch(con, batch)
        publish_snapshot(con, cfg)
    finally:
        con.close()


@pytest.fixture
def cfg(tmp_path) -> WarehouseSettings:
    return WarehouseSettings(database=tmp_path / "hotline.duckdb", snapshot=tmp_path / "snapshot.duckdb")


def _windows(con) -> list[tuple]:
    first, last = con.execute("SELECT min(created_at)::DATE, max(created_at)::DATE FROM work_order_state").fetchall()[0]
    return [(None, None), (first, first + timedelta(days=3)), (first + timedelta(days=4), last), (last + timedelta(days=1), None)]


def assert_variants_answer_as_base(cfg: WarehouseSettings) -> int:
    """Every rollup variant against its base query, for every scope and window it is picked for."""
    compared = 0
    con = open_snapshot(cfg)
    try:
        centres = [None, *(r[0] for r in con.execute("SELECT DISTINCT centre_id FROM work_order_state WHERE centre_id IS NOT NULL").fetchall())]
        for centre in centres:
            for k, (date_from, date_to) in enumerate(_windows(con)):
                for name in PAGES:
                    params = {"scope_centre": centre, "scope_team": None, "date_from": date_from, "date_to": date_to}
                    if name == "access_routing_bounces":
                        params["min_bounces"] = (None, 1, 3, 2)[k]
                    variant, taken = rollups.pick(name, params)
                    assert variant == f"{name}_rollup"
                    base = query_frame(con, name, **params)
                    got = query_frame(con, variant, **taken)
                    assert_frame_equal(got, base, check_dtypes=False, check_exact=False)
                    compared += base.height
    finally:
        con.close()
    return compared


def test_the_rollups_follow_every_batch_of_the_stream(cfg):
    con = open_writer(cfg)
    try:
        for batch in stream(34):
            store_batch(con, batch)
            publish_snapshot(con, cfg)
            assert_variants_answer_as_base(cfg)
        states = con.execute(
            "SELECT count(*) FILTER (WHERE NOT is_closed AND due_at < now()), count(*) FILTER (WHERE reopens > 0), "
            "count(*) FILTER (WHERE len(handoffs) > 0), count(*) FILTER (WHERE centre_id IS NULL), "
            "count(DISTINCT suggested_category) FROM work_order_state"
        ).fetchall()[0]
        assert con.execute("SELECT count(*) FROM sink_work_order_shift").fetchall() == [(0,)]
        # Each order once, although a batch may derive an order twice (its events, then its call).
        assert con.execute("SELECT count(*) = count(DISTINCT work_order_id) FROM work_order_state").fetchall() == [(True,)]
    finally:
        con.close()
    # The stream exercised what the rollups must get right.
    open_late, reopened, bounced, orphans, categories = states
    assert open_late > 0 and reopened > 0 and bounced > 0 and orphans == 3 and categories >= 3
    assert assert_variants_answer_as_base(cfg) > 40
    # The rollups are per centre: a team scope bound on a variant anyway counts nothing.
    con = open_snapshot(cfg)
    try:
        forged = {"scope_centre": "centre-01", "scope_team": "team-0", "date_from": None, "date_to": None}
        assert query_frame(con, "access_routing_kpis_rollup", **forged)["work_orders"].to_list() == [0]
        assert query_frame(con, "access_routing_departments_rollup", **forged).height == 0
        assert query_frame(con, "access_routing_agreement_rollup", **forged).height == 0
        assert query_frame(con, "access_routing_bounces_rollup", **forged | {"min_bounces": None}).height == 0
        assert query_frame(con, "access_routing_kpis", **forged)["work_orders"].to_list()[0] > 0
    finally:
        con.close()


def test_a_team_scoped_page_reads_the_order_rows():
    for name in PAGES:
        params = {"scope_centre": "centre-01", "scope_team": "team-0", "date_from": None, "date_to": None}
        if name == "access_routing_bounces":
            params["min_bounces"] = None
        assert rollups.pick(name, params) == (name, params)


def test_a_change_of_the_routing_rules_is_followed(cfg):
    con = open_writer(cfg)
    try:
        for batch in stream(7):
            store_batch(con, batch)
        before = con.execute("SELECT sum(dispatched_suggested) FROM work_order_days").fetchall()[0][0]
        reference = load_reference()
        assert "市政设施" not in {r.category for r in reference.routing_rules}
        facilities = reference.routing_rules[0].model_copy(update={"category": "市政设施", "department": "{district}城市管理局"})
        store_reference(con, reference.model_copy(update={"version": "test-rule", "routing_rules": (*reference.routing_rules, facilities)}))
        after = con.execute("SELECT sum(dispatched_suggested) FROM work_order_days").fetchall()[0][0]
        publish_snapshot(con, cfg)
    finally:
        con.close()
    assert after > before  # the facilities orders of a known district have a suggestion now
    assert_variants_answer_as_base(cfg)


def test_quantiles_from_buckets_are_within_half_a_percent():
    con = duckdb.connect()
    try:
        schema.migrate(con)
        rng = np.random.default_rng(5)
        for values in (rng.lognormal(1, 1.5, 999), rng.uniform(0, 0.01, 50), np.array([3.0]), np.array([1.0, 40.0]),
                       np.concatenate([-rng.uniform(0, 2, 5), rng.exponential(30, 200)])):
            for q in (0.5, 0.9):
                got = con.execute(
                    "WITH h AS (SELECT hours_bucket(v) AS bucket, count(*) AS orders FROM (SELECT unnest($v) AS v) GROUP BY bucket), "
                    "c AS (SELECT bucket, sum(orders) OVER (ORDER BY bucket) AS upto FROM h) "
                    "SELECT bucket_quantile(list(bucket ORDER BY bucket), list(upto ORDER BY bucket), $q) FROM c",
                    {"v": values.tolist(), "q": q},
                ).fetchall()[0][0]
                assert got == pytest.approx(float(np.quantile(values, q)), rel=0.005, abs=1 / 3600)
        # Every bucket's middle lies in the bucket.
        mids = con.execute("SELECT b, hours_bucket(bucket_hours(b)) FROM range(-700, 1200) AS r(b)").fetchall()
        assert all(b == back for b, back in mids)
        assert con.execute("SELECT bucket_quantile([]::INTEGER[], []::BIGINT[], 0.5)").fetchall() == [(None,)]
    finally:
        con.close()


def test_the_routing_page_quantiles_are_those_of_the_order_rows(cfg):
    seed_stream(cfg, 11)
    reader = open_snapshot(cfg)
    try:
        orders = reader.sql("SELECT centre_id, current_department, hours_to_dispatch, hours_to_close FROM work_order_state").pl()
        for centre in (None, "centre-01"):
            rows = orders if centre is None else orders.filter(pl.col("centre_id") == centre)
            name, params = rollups.pick("access_routing_kpis", {"scope_centre": centre, "scope_team": None, "date_from": None, "date_to": None})
            kpis = query_frame(reader, name, **params).row(0, named=True)
            dispatch, close = rows["hours_to_dispatch"].drop_nulls().to_numpy(), rows["hours_to_close"].drop_nulls().to_numpy()
            assert kpis["median_hours_to_dispatch"] == pytest.approx(float(np.median(dispatch)), rel=0.005)
            assert kpis["p90_hours_to_dispatch"] == pytest.approx(float(np.quantile(dispatch, 0.9)), rel=0.005)
            assert kpis["median_hours_to_close"] == pytest.approx(float(np.median(close)), rel=0.005)
            name, params = rollups.pick("access_routing_departments", {"scope_centre": centre, "scope_team": None, "date_from": None, "date_to": None})
            for row in query_frame(reader, name, **params).iter_rows(named=True):
                owned = rows.filter(pl.col("current_department") == row["department"])["hours_to_close"].drop_nulls()
                if owned.len():
                    assert row["median_hours_to_close"] == pytest.approx(float(owned.median()), rel=0.005)
                else:
                    assert row["median_hours_to_close"] is None
    finally:
        reader.close()


def _lists_by_polars(orders: pl.DataFrame, now: datetime) -> dict[str, pl.DataFrame]:
    """access_routing_chains and access_routing_overdue (default thresholds) from the order rows."""
    hops = pl.col("assignments") + pl.col("returns")
    chains = (
        orders.filter((pl.col("assignments") > 1) | (pl.col("returns") > 0) | (pl.col("transfers") > 0), hops >= 2)
        .sort([hops, pl.col("created_at"), pl.col("work_order_id")], descending=[True, True, False])
        .head(200)
        .select("work_order_id", "call_id", "category", "district", "created_at", pl.col("route").list.join(" → "), "assignments",
                "transfers", "returns", "reopens", "current_department", "is_closed", "overdue")
    )
    late = pl.when(pl.col("is_closed")).then(pl.col("closed_at").dt.epoch("s")).otherwise(pl.lit(int(now.timestamp())))
    overdue = (
        orders.filter(pl.col("overdue"))
        .with_columns(((late - pl.col("due_at").dt.epoch("s")) / 3600).alias("hours_overdue"))
        .sort(["is_closed", "hours_overdue", "work_order_id"], descending=[False, True, False])
        .head(200)
        .select("work_order_id", "call_id", "category", "recorded_type", "district", "current_department", "created_at", "due_at",
                "closed_at", "is_closed", "extensions", "returns", "hours_overdue")
    )
    return {"access_routing_chains": chains, "access_routing_overdue": overdue}


def test_the_chains_and_overdue_lists_are_those_of_the_order_rows(cfg):
    """Both lists pick their rows by narrow columns first, then read them by rowid: the same lists."""
    seed_stream(cfg, 21)
    reader = open_snapshot(cfg)
    try:
        orders = reader.sql("SELECT * FROM work_orders").pl()
        now = datetime.now(UTC)
        shown = {"access_routing_chains": 0, "access_routing_overdue": 0}
        for centre, team in [(None, None), ("centre-01", None), ("centre-01", "team-1"), ("centre-02", "team-0")]:
            rows = orders.filter(pl.col("centre_id") == centre if centre else pl.lit(True), pl.col("team_id") == team if team else pl.lit(True))
            want = _lists_by_polars(rows, now)
            for name, expected in want.items():
                got = query_frame(reader, name, scope_centre=centre, scope_team=team)
                assert got.height == expected.height
                shown[name] += got.height
                exact = [c for c in got.columns if c != "hours_overdue"]
                assert_frame_equal(got.select(exact), expected.select(exact), check_dtypes=False)
                if "hours_overdue" in got.columns:  # open orders count to now: the clocks differ by seconds
                    assert got.height == 0 or (got["hours_overdue"] - expected["hours_overdue"]).abs().max() < 0.1
        assert min(shown.values()) > 10
    finally:
        reader.close()
