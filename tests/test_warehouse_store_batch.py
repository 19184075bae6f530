"""The set-based write path against a real DuckDB file: a batch written in one go leaves exactly
the rows its messages leave when written one at a time, in order, however the stream is split."""

from __future__ import annotations

import random
from datetime import timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from hotline.contracts import WorkOrderEvent
from hotline.settings import WarehouseSettings
from hotline.warehouse import sqlfiles
from hotline.warehouse.store import open_writer, store_batch
from test_warehouse_messages import DAY1, make_alert, make_dead_letter, make_inspection, make_meta, make_transcript
from test_warehouse_store_insights import make_insightful_inspection

TABLES = {
    "calls": "call_id",
    "turns": "call_id, turn_no",
    "inspections": "call_id",
    "check_results": "call_id, item_no",
    "llm_judgements": "call_id, item_no",
    "sentiment_turns": "call_id, turn_no",
    "demands": "call_id, idx",
    "alerts": "call_id, kind, start_s",
    "dead_letters": "dl_key",
    "work_order_events": "event_id",
    "work_order_state": "work_order_id",
    "queue_calls": "call_id",
}
SCRATCH = ("sink_batch_calls", "sink_batch_inspections", "sink_batch_alerts", "sink_batch_dead_letters")


def dump(con) -> dict[str, pl.DataFrame]:
    # work_order_state's "overdue" of open orders depends on now(): compare the stored facts only.
    return {t: con.sql(f"SELECT * FROM {t} ORDER BY {order}").pl() for t, order in TABLES.items()}


def event(event_id: str, order: str, kind: str, minutes: int, department: str | None = None) -> WorkOrderEvent:
    return WorkOrderEvent(
        event_id=event_id, work_order_id=order, call_id=f"call-{order[-1]}", kind=kind, department=department,
        category="市政设施/路灯", recorded_type="投诉", district="江北区", occurred_at=DAY1 + timedelta(minutes=minutes),
    )


def stream(seed: int) -> list:
    """A shuffled mix of everything the sink stores, with replays, late partials and rewrites."""
    rng = random.Random(seed)
    msgs: list = []
    for i in range(6):
        meta = make_meta(f"call-{i}", agent=f"agent-{i % 2}")
        msgs += [make_transcript(meta, is_final=False, turns=2), make_transcript(meta, turns=3 + i % 3)]
        msgs.append(make_insightful_inspection(meta) if i % 2 else make_inspection(meta, score=70.0 + i))
        msgs.append(make_alert(f"call-{i}", start_s=float(i % 2)))
        msgs.append(make_dead_letter(f"call-{i}", offset=i % 3))
    msgs += [event(f"e{k}", f"WO-{k % 3}", kind, 10 * k, "江北区城市管理局") for k, kind in enumerate(["created", "dispatched", "created", "returned", "dispatched", "closed"])]
    replays = [rng.choice(msgs) for _ in range(12)]
    # A late partial for a call whose final transcript is already in the stream.
    replays.append(make_transcript(make_meta("call-2"), is_final=False, turns=1))
    # A later, different copy of a dead letter (first copy must win) and of an alert (last wins).
    replays.append(make_dead_letter("call-0", offset=0).model_copy(update={"reason": "again"}))
    replays.append(make_alert("call-1", start_s=1.0).model_copy(update={"quote": "改过的引文"}))
    mixed = msgs + replays
    rng.shuffle(mixed)
    return mixed


def split(messages: list, sizes: list[int]) -> list[list]:
    out, k = [], 0
    for n in sizes:
        out.append(messages[k : k + n])
        k += n
    if k < len(messages):
        out.append(messages[k:])
    return out


def write(tmp_path, name: str, batches: list[list]) -> dict[str, pl.DataFrame]:
    cfg = WarehouseSettings(database=tmp_path / f"{name}.duckdb", snapshot=tmp_path / f"{name}-snap.duckdb")
    con = open_writer(cfg)
    try:
        for batch in batches:
            store_batch(con, batch)
        for table in SCRATCH:
            assert con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0] == 0, f"{table} left rows behind"
        # Stored orders carry their call's scope and inspection, whichever of events, transcript
        # and inspection came first: they equal a fresh derivation, and none is left waiting.
        stale = con.sql("SELECT count(*) FROM (SELECT * EXCLUDE (overdue) FROM work_order_state EXCEPT SELECT * EXCLUDE (overdue) FROM work_orders_stored_derived)")
        assert stale.fetchall()[0][0] == 0
        assert con.sql("SELECT count(*) FROM work_order_state WHERE centre_id IS NULL OR inspected_category IS NULL").fetchall()[0][0] == 0
        assert con.sql("SELECT count(*) FROM work_orders_awaiting_call").fetchall()[0][0] == 0
        tables = dump(con)
        # The review queue's table equals what a fill from the stored rows gives.
        kept = con.sql("SELECT * FROM queue_calls WHERE queue_member ORDER BY call_id").pl()
        con.execute(sqlfiles.load("fill_queue_calls", "internal"))
        assert_frame_equal(kept, con.sql("SELECT * FROM queue_calls ORDER BY call_id").pl())
        assert kept.height == 6 and kept["inspected"].all() and (kept["alerts"] > 0).all()
        return tables
    finally:
        con.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_batch_leaves_what_one_message_at_a_time_leaves(tmp_path, seed):
    messages = stream(seed)
    one_by_one = write(tmp_path, "single", [[m] for m in messages])
    whole = write(tmp_path, "whole", [messages])
    rng = random.Random(seed)
    chunked = write(tmp_path, "chunked", split(messages, [rng.randint(1, 9) for _ in range(len(messages))]))
    assert one_by_one["calls"].height == 6 and one_by_one["sentiment_turns"].height > 0 and one_by_one["demands"].height > 0
    for table in TABLES:
        assert_frame_equal(whole[table], one_by_one[table], check_row_order=True)
        assert_frame_equal(chunked[table], one_by_one[table], check_row_order=True)


def test_a_late_partial_never_replaces_a_stored_final_transcript(tmp_path):
    cfg = WarehouseSettings(database=tmp_path / "wh.duckdb", snapshot=tmp_path / "snap.duckdb")
    meta, fresh = make_meta("call-final"), make_meta("call-new")
    con = open_writer(cfg)
    try:
        assert store_batch(con, [make_transcript(meta, turns=5)]) == 1
        # One batch: a stale partial of a stored final call, a partial then final of a new call,
        # a final then a stale partial of it again. Only the stale ones are skipped.
        written = store_batch(con, [
            make_transcript(meta, is_final=False, turns=2),
            make_transcript(fresh, is_final=False, turns=1),
            make_transcript(fresh, turns=4),
            make_transcript(fresh, is_final=False, turns=2),
            make_inspection(meta),
        ])
        assert written == 3
        turns = dict(con.sql("SELECT call_id, count(*) FROM turns GROUP BY call_id").fetchall())
        assert turns == {"call-final": 5, "call-new": 4}
        finals = dict(con.sql("SELECT call_id, transcript_final FROM calls").fetchall())
        assert finals == {"call-final": True, "call-new": True}
        # The inspection's metadata write kept the transcript summary of the call.
        assert con.sql("SELECT duration_s FROM calls WHERE call_id = 'call-final'").fetchall()[0][0] == 20.0
    finally:
        con.close()


def test_first_copy_of_a_dead_letter_wins_within_a_batch_and_against_the_store(tmp_path):
    cfg = WarehouseSettings(database=tmp_path / "wh.duckdb", snapshot=tmp_path / "snap.duckdb")
    first = make_dead_letter("call-x", offset=9)
    con = open_writer(cfg)
    try:
        store_batch(con, [first, first.model_copy(update={"reason": "second copy"})])
        store_batch(con, [first.model_copy(update={"reason": "third copy"})])
        assert con.sql("SELECT dl_key, reason FROM dead_letters").fetchall() == [("calls.audio.v1:1:9", first.reason)]
    finally:
        con.close()


def test_an_inspection_lists_the_items_waiting_for_a_person(tmp_path):
    from hotline.warehouse.reader import bind_parameters

    cfg = WarehouseSettings(database=tmp_path / "wh.duckdb", snapshot=tmp_path / "snap.duckdb")
    meta = make_meta("call-flagged")
    inspection = make_inspection(meta, review_state="mandatory_review")
    checks = tuple(c.model_copy(update={"status": "needs_review"}) if c.item_id in ("empathy", "greeting") else c for c in inspection.checks)
    con = open_writer(cfg)
    try:
        store_batch(con, [make_transcript(meta), inspection.model_copy(update={"checks": checks}), make_inspection(make_meta("call-plain"))])
        stored = dict(con.sql("SELECT call_id, items_needing_review FROM inspections").fetchall())
        assert stored == {"call-flagged": ["greeting", "empathy"], "call-plain": []}  # scorecard order
        name = "access_agent_calls_needing_review"
        listed = con.sql(sqlfiles.load(name), params=bind_parameters(name, {})).pl()
        assert listed.select("call_id", "items_needing_review").rows() == [("call-flagged", ["greeting", "empathy"])]
    finally:
        con.close()


def test_the_review_queue_table_follows_alerts_and_re_inspections(tmp_path):
    cfg = WarehouseSettings(database=tmp_path / "wh.duckdb", snapshot=tmp_path / "snap.duckdb")
    sent, alerted, plain = make_meta("call-sent"), make_meta("call-alerted"), make_meta("call-plain")
    con = open_writer(cfg)

    def queue() -> dict:
        return {r[0]: r[1:] for r in con.sql("SELECT call_id, review_state, alerts, queue_member FROM queue_calls").fetchall()}

    try:
        store_batch(con, [make_alert("call-alerted")])  # the alert before its call: nothing to list yet
        assert queue() == {}
        store_batch(con, [make_transcript(m) for m in (sent, alerted, plain)] + [
            make_inspection(sent, review_state="mandatory_review"), make_inspection(plain)])
        assert queue() == {"call-sent": ("mandatory_review", 0, True), "call-alerted": (None, 1, True)}
        store_batch(con, [make_inspection(alerted, review_state="sample_review"), make_alert("call-alerted", start_s=9.0),
                          make_inspection(sent)])  # re-inspected out of mandatory review
        assert queue() == {"call-sent": ("auto_pass", 0, False), "call-alerted": ("sample_review", 2, True)}
    finally:
        con.close()
