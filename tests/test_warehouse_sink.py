"""The sink against a real broker and a real DuckDB file: rows land once, replays change nothing,
poison is kept as a dead letter, offsets follow the database, readers never meet the writer's lock."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import polars as pl
import pytest
from kafka import KafkaProducer
from polars.testing import assert_frame_equal

from hotline.bus import Publisher, StopFlag
from hotline.contracts import TranscriptReady
from hotline.warehouse.reader import SnapshotMissing, open_snapshot, run_internal, run_query
from hotline.warehouse.sink import run_sink
from test_warehouse_messages import make_alert, make_dead_letter, make_day, make_inspection, make_meta, make_transcript

TABLES = {
    "calls": "call_id",
    "turns": "call_id, turn_no",
    "inspections": "call_id",
    "check_results": "call_id, item_no",
    "llm_judgements": "call_id, item_no",
    "alerts": "call_id, kind, start_s",
    "dead_letters": "dl_key",
}
IDLE_EXIT_S = 2.0


def publish(settings, messages) -> None:
    pub = Publisher.connect(settings.kafka)
    try:
        for msg in messages:
            pub.publish(msg, getattr(msg, "call_id", None) or "no-call")
        pub.flush()
    finally:
        pub.close()


def publish_raw(settings, topic: str, value: bytes, key: bytes = b"call-garbage") -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        producer.send(settings.kafka.topic(topic), key=key, value=value).get(timeout=30)
    finally:
        producer.close()


def dump_tables(settings) -> dict[str, pl.DataFrame]:
    con = open_snapshot(settings.warehouse)
    try:
        return {t: con.sql(f"SELECT * FROM {t} ORDER BY {order}").pl() for t, order in TABLES.items()}
    finally:
        con.close()


def test_sink_lands_every_message_and_replays_change_nothing(settings):
    messages = make_day(n_calls=3)
    publish(settings, messages)

    written = run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S)
    assert written == len(messages)

    first = dump_tables(settings)
    assert sorted(first["calls"]["call_id"].to_list()) == ["call-000", "call-001", "call-002"]
    assert first["turns"].height == 3 * 3
    assert first["inspections"].height == 3
    assert first["check_results"].height == 3 * 3
    assert first["llm_judgements"]["status"].to_list() == ["pending"] * 3
    assert first["alerts"].select("call_id", "kind", "start_s").rows() == [("call-001", "media_exposure", 4.0)]
    assert set(first["dead_letters"]["dl_key"]) == {"calls.audio.v1:1:7", "ingest::file:///recordings/broken.wav"}
    evidence = first["check_results"].filter(pl.col("item_id") == "greeting")["evidence"].to_list()[0]
    assert evidence[0]["quote"] == "您好，12345热线" and evidence[0]["verified"] is True

    kpis = run_query(settings.warehouse, "access_kpis", scope_centre=None, scope_team=None).select(
        "calls_landed", "calls_inspected", "coverage", "avg_score", "avg_max_score", "defect_share", "alerts", "dead_letters",
    )
    assert kpis.row(0, named=True) | {"avg_score": round(kpis["avg_score"][0], 6)} == {
        "calls_landed": 3, "calls_inspected": 3, "coverage": 1.0, "avg_score": 80.0, "avg_max_score": 100.0,
        "defect_share": pytest.approx(1 / 3), "alerts": 1, "dead_letters": 2,
    }

    # Offsets were committed with the rows: a restart reads nothing again.
    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == 0

    # Replay every message (as after a lost commit, or a re-run upstream): same rows, no duplicates.
    publish(settings, messages)
    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == len(messages)
    again = dump_tables(settings)
    for table in TABLES:
        assert_frame_equal(again[table], first[table], check_row_order=True)


def test_partial_transcript_never_replaces_the_final_one(settings):
    meta = make_meta("call-partial")
    final = make_transcript(meta, turns=5)
    late_partial = make_transcript(meta, is_final=False, turns=2)
    publish(settings, [final, late_partial, make_inspection(meta), make_alert("call-partial", start_s=1.0)])
    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == 4
    turns = run_query(settings.warehouse, "access_call_turns", call_id="call-partial", scope_centre=None, scope_team=None)
    assert turns.height == 5
    detail = run_query(settings.warehouse, "access_call", call_id="call-partial", scope_centre=None, scope_team=None)
    assert detail["transcript_final"].to_list() == [True]
    assert detail["review_state"].to_list() == ["auto_pass"]


def test_poison_messages_become_dead_letter_rows_and_are_committed(settings):
    publish_raw(settings, TranscriptReady.topic, b"\xff\xfe not json at all")
    publish_raw(settings, "calls.deadletter.v1", b'{"schema_version": 1, "stage": "nowhere"}', key=b"call-dl")
    good = make_dead_letter("call-ok", offset=3)
    publish(settings, [good])

    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == 3
    dead = run_internal(settings.warehouse, "dead_letters").sort("dl_key")
    assert dead.height == 3
    sink_made = dead.filter(pl.col("stage") == "sink").sort("original_topic")
    assert sink_made["error_type"].to_list() == ["ContractError", "ContractError"]
    assert sink_made["original_topic"].to_list() == [settings.kafka.topic("calls.deadletter.v1"), settings.kafka.topic(TranscriptReady.topic)]
    assert sink_made["call_id"].to_list() == ["call-dl", "call-garbage"]
    assert all(r.startswith(("DeadLetter:", "TranscriptReady:")) for r in sink_made["reason"])
    assert sink_made["has_payload"].to_list() == [True, True]
    accounting = run_internal(settings.warehouse, "accounting")
    assert set(accounting.filter(pl.col("outcome") == "dead_lettered")["call_id"]) == {"call-dl", "call-garbage", "call-ok"}

    # Committed: the poison is not read again, so the rows stay as they are.
    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == 0
    assert_frame_equal(run_internal(settings.warehouse, "dead_letters").sort("dl_key"), dead)


READER = """
import json, sys, time
from hotline.settings import WarehouseSettings
from hotline.warehouse.reader import SnapshotMissing, run_query
cfg = WarehouseSettings(database=sys.argv[1], snapshot=sys.argv[2])
want, deadline = int(sys.argv[3]), time.monotonic() + float(sys.argv[4])
while time.monotonic() < deadline:
    try:
        n = run_query(cfg, "access_kpis", scope_centre=None, scope_team=None)["calls_landed"][0]
    except SnapshotMissing:
        continue
    print(json.dumps(int(n)), flush=True)
    if n >= want:
        break
    time.sleep(0.02)
"""


def test_reading_while_the_sink_writes(settings):
    settings = settings.model_copy(
        update={"warehouse": settings.warehouse.model_copy(update={"snapshot_min_interval_s": 0.0, "batch_max_messages": 4})}
    )
    with pytest.raises(SnapshotMissing, match="no calls landed yet"):
        run_query(settings.warehouse, "access_kpis", scope_centre=None, scope_team=None)

    batches, per_batch = 6, 4
    cfg = settings.warehouse
    # Another process, as the dashboard is: DuckDB's lock is per process.
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(cfg.database), str(cfg.snapshot), str(batches * per_batch), "90"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    stop = StopFlag()
    result: dict = {}
    sink = threading.Thread(target=lambda: result.update(written=run_sink(settings, stop)), daemon=True)
    sink.start()
    try:
        for b in range(batches):
            msgs = []
            for i in range(per_batch):
                meta = make_meta(f"call-{b}-{i}")
                msgs.append(make_transcript(meta))
            publish(settings, msgs)
            time.sleep(0.4)
        out, err = reader.communicate(timeout=120)
    finally:
        stop.set()
        sink.join(timeout=60)
        if reader.poll() is None:
            reader.kill()

    assert reader.returncode == 0, err
    assert "lock" not in err.lower()
    seen = [json.loads(line) for line in out.splitlines()]
    assert seen[-1] == batches * per_batch
    assert seen == sorted(seen), "a reader saw the warehouse go backwards"
    assert len(set(seen)) >= 3, f"the reader never saw the warehouse between batches: {sorted(set(seen))}"
    assert result["written"] == batches * per_batch


def test_a_message_the_warehouse_cannot_store_is_isolated_and_dead_lettered(settings):
    meta = make_meta("call-fine")
    # Valid by contract, but no partition number fits the warehouse's INTEGER column.
    unstorable = make_dead_letter("call-odd").model_copy(update={"original_partition": 2**40})
    publish(settings, [make_transcript(meta), unstorable, make_alert("call-fine")])

    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == 3
    assert run_query(settings.warehouse, "access_call_turns", call_id="call-fine", scope_centre=None, scope_team=None).height == 3
    assert run_query(settings.warehouse, "access_call_alerts", call_id="call-fine", scope_centre=None, scope_team=None).height == 1
    dead = run_internal(settings.warehouse, "dead_letters")
    assert dead.select("stage", "call_id", "original_topic").rows() == [("sink", "call-odd", settings.kafka.topic("calls.deadletter.v1"))]
    assert dead["reason"][0].startswith("the warehouse could not store DeadLetter")
    assert run_sink(settings, StopFlag(), idle_exit_s=IDLE_EXIT_S) == 0
