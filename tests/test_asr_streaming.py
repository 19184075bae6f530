"""Partial transcripts while a call is still arriving, and alerts from them that land once.

A real sample call is streamed chunk by chunk through the real broker into the ASR worker with
real Whisper weights; its transcripts go through the real inspection code and into a real
warehouse file.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from kafka import KafkaConsumer

from hotline.asr.worker import run_asr_worker
from hotline.bus import StopFlag
from hotline.contracts import AlertRaised, TranscriptReady
from hotline.inspection.llm import LlmClient
from hotline.inspection.scorecard import load_scorecard
from hotline.inspection.worker import handle_transcript
from hotline.settings import InspectionSettings, LlmSettings, WarehouseSettings
from hotline.warehouse.store import open_writer, store_batch

from test_asr_worker import AudioProducer, asr_settings, by_id, call_meta, make_chunks, read_pcm  # noqa: F401 - asr_settings is a fixture

CHUNK_S = 3.0
PARTIAL_INTERVAL_S = 6.0
# The risk phrase of c012 ("一起去政府门口拉横幅", mass gathering) is said at about 37-43 s of a
# 70 s call; the recorder is held back after HELD_AT_S until a partial has covered it.
RISK_CALL = "c012-parking-fees-protest"
HELD_AT_S = 66.0
RISK_END_S = 44.0


def inspect_all(transcripts) -> list[AlertRaised]:
    scorecard = load_scorecard()
    llm = LlmClient(LlmSettings())
    try:
        return [
            out.msg
            for t in transcripts
            for out in handle_transcript(t, scorecard=scorecard, categoriser=None, llm=llm, settings=InspectionSettings())
            if isinstance(out.msg, AlertRaised)
        ]
    finally:
        llm.close()


def read_transcripts(s, timeout_s: float) -> list[TranscriptReady]:
    """Every transcript on the topic, in order, up to the first final one."""
    consumer = KafkaConsumer(
        bootstrap_servers=s.kafka.bootstrap_servers, group_id=f"test-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest",
        enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=1000,
    )
    consumer.subscribe([s.kafka.topic(TranscriptReady.topic)])
    got: list[TranscriptReady] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and not (got and got[-1].is_final):
            for records in consumer.poll(timeout_ms=500).values():
                got.extend(TranscriptReady.decode(r.value) for r in records)
    finally:
        consumer.close()
    return got


def wait_for_partial_past(s, seconds: float, timeout_s: float) -> bool:
    """True once a partial transcript covering more than ``seconds`` of the call is on the topic."""
    consumer = KafkaConsumer(
        bootstrap_servers=s.kafka.bootstrap_servers, group_id=f"test-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest",
        enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=1000,
    )
    consumer.subscribe([s.kafka.topic(TranscriptReady.topic)])
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for r in records:
                    t = TranscriptReady.decode(r.value)
                    if not t.is_final and t.duration_s > seconds:
                        return True
    finally:
        consumer.close()
    return False


@pytest.mark.slow
def test_partials_raise_an_alert_before_the_call_ends_and_it_lands_once(asr_settings, sample_calls, tmp_path):
    s = asr_settings.model_copy(update={"asr": asr_settings.asr.model_copy(update={"partial_interval_s": PARTIAL_INTERVAL_S})})
    call_dir = by_id(sample_calls, RISK_CALL)
    meta = call_meta(call_dir)
    pcm, rate = read_pcm(call_dir / "stereo_8k.wav")
    chunks = make_chunks(meta, pcm, rate, CHUNK_S)
    held = int(HELD_AT_S / CHUNK_S)
    assert 0 < held < len(chunks)

    stop = StopFlag()
    finished: list[int] = []
    worker = threading.Thread(target=lambda: finished.append(run_asr_worker(s, stop, idle_exit_s=6.0)), daemon=True)
    producer = AudioProducer(s)
    covered = False
    try:
        for c in chunks[:held]:
            producer.send(c.call_id, c.encode(), partition=0)
        worker.start()
        # The call is still arriving: its end has not been sent yet when the partial covers the risk phrase.
        covered = wait_for_partial_past(s, RISK_END_S, 300)
        for c in chunks[held:]:
            producer.send(c.call_id, c.encode(), partition=0)
    finally:
        producer.close()
        if not covered:
            stop.set()
        worker.join(timeout=600)
    assert covered
    assert not worker.is_alive() and finished == [1]

    transcripts = read_transcripts(s, 60)
    *partials, final = transcripts
    assert final.is_final and not final.incomplete and final.call_id == meta.call_id
    assert partials and not any(p.is_final for p in partials)
    # Each partial extends the one before, keeping its segments, and none reaches the end of the call.
    for before, after in zip(partials, partials[1:]):
        assert after.duration_s > before.duration_s
        assert after.segments[: len(before.segments)] == before.segments
    assert partials[-1].duration_s < final.duration_s
    assert all(seg.end_s <= p.duration_s for p in partials for seg in p.segments)

    alerts = inspect_all(transcripts)
    gathering = [a for a in alerts if a.kind == "mass_gathering"]
    early = [a for a in gathering if a.from_partial]
    late = [a for a in gathering if not a.from_partial]
    assert early and late, [(a.kind, a.quote, a.from_partial) for a in alerts]
    first_raising = next(p for p in partials if any(seg.end_s >= early[0].end_s for seg in p.segments))
    print(f"\nstreaming: {len(partials)} partials up to {[p.duration_s for p in partials]} s of {final.duration_s} s; "
          f"alert {early[0].identity} {early[0].quote!r} at {early[0].start_s:.1f}s raised from the partial up to "
          f"{first_raising.duration_s:.1f}s; final transcription {final.processing_s:.1f}s")
    # Raised from a partial covering less than the call, published before the final transcript existed.
    assert early[0].start_s < first_raising.duration_s < final.duration_s
    assert first_raising.transcribed_at < final.transcribed_at
    assert {a.identity for a in early} <= {a.identity for a in late}

    # Stored the way the sink would, one batch per message and in separate batches, plus a partial
    # replayed after the final: the alert is one row, the final's copy, first raised when the partial came.
    con = open_writer(s.warehouse)
    try:
        for msg in (*partials, *early, final, *late, partials[0], early[0]):
            store_batch(con, [msg])
        rows = con.sql(
            "SELECT kind, alert_key, start_s, from_partial, epoch(raised_at) FROM alerts WHERE call_id = ? AND kind = 'mass_gathering' ORDER BY start_s",
            params=[meta.call_id],
        ).fetchall()
        transcript_final = con.sql("SELECT transcript_final FROM calls WHERE call_id = ?", params=[meta.call_id]).fetchall()
    finally:
        con.close()
    assert len(rows) == len({a.identity for a in gathering})
    row = next(r for r in rows if r[1] == early[0].identity)
    confirming = next(a for a in late if a.identity == early[0].identity)
    assert row[2] == pytest.approx(confirming.start_s) and row[3] is False
    assert row[4] == pytest.approx(min(a.raised_at for a in gathering if a.identity == early[0].identity).timestamp())
    assert transcript_final == [(True,)]


def _alert(identity: str | None, start_s: float, from_partial: bool, raised_at: datetime, quote: str = "明天一起去政府门口拉横幅") -> AlertRaised:
    return AlertRaised(call_id="c-1", kind="mass_gathering", severity="high", quote=quote, speaker="caller", start_s=start_s,
                       end_s=start_s + 3, from_partial=from_partial, raised_at=raised_at, identity=identity)


def test_an_alert_raised_from_a_partial_and_the_final_is_one_row(tmp_path):
    t0 = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)
    cfg = WarehouseSettings(database=tmp_path / "wh.duckdb", snapshot=tmp_path / "snap.duckdb")
    partial = _alert("拉横幅#1", 38.42, True, t0, quote="一起去政府门口拉横幅")
    final = _alert("拉横幅#1", 38.61, False, t0 + timedelta(seconds=40))
    second = _alert("拉横幅#2", 55.0, False, t0 + timedelta(seconds=40))
    legacy = _alert(None, 12.5, False, t0)
    con = open_writer(cfg)
    try:
        # In one batch, and again over separate batches with a stale partial replayed last.
        store_batch(con, [partial, final, second, legacy])
        one_batch = con.sql("SELECT alert_key, start_s, quote, from_partial, epoch(raised_at) FROM alerts ORDER BY alert_key").fetchall()
        con.sql("DELETE FROM alerts")
        for msg in (partial, final, second, legacy, partial):
            store_batch(con, [msg])
        separate = con.sql("SELECT alert_key, start_s, quote, from_partial, epoch(raised_at) FROM alerts ORDER BY alert_key").fetchall()
    finally:
        con.close()
    expected = [
        ("at 12.500", 12.5, legacy.quote, False, t0.timestamp()),
        ("拉横幅#1", 38.61, final.quote, False, t0.timestamp()),
        ("拉横幅#2", 55.0, second.quote, False, second.raised_at.timestamp()),
    ]
    assert one_batch == expected
    assert separate == expected


def test_an_unconfirmed_partial_alert_stays_marked_partial(tmp_path):
    t0 = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)
    cfg = WarehouseSettings(database=tmp_path / "wh.duckdb", snapshot=tmp_path / "snap.duckdb")
    con = open_writer(cfg)
    try:
        store_batch(con, [_alert("拉横幅#1", 38.4, True, t0), _alert("拉横幅#1", 38.5, True, t0 + timedelta(seconds=20))])
        rows = con.sql("SELECT alert_key, start_s, from_partial, epoch(raised_at) FROM alerts").fetchall()
    finally:
        con.close()
    # A later partial's copy (a longer decode) replaces an earlier one; raised_at stays the first.
    assert rows == [("拉横幅#1", 38.5, True, t0.timestamp())]


def test_risk_identity_counts_phrase_occurrences_not_segments():
    from hotline.contracts import Segment
    from hotline.inspection.risk import detect_risks

    scorecard = load_scorecard()
    one_turn = [Segment(speaker="caller", start_s=36.9, end_s=43.2, text="我们几十户明天一起去政府门口拉横幅！你们不管，我们还拉横幅。")]
    split = [
        Segment(speaker="caller", start_s=37.0, end_s=40.0, text="我们几十户明天一起去政府门口拉横幅！"),
        Segment(speaker="agent", start_s=40.1, end_s=40.5, text="您先冷静。"),
        Segment(speaker="caller", start_s=40.6, end_s=43.3, text="你们不管，我们还拉横幅。"),
    ]
    whole = detect_risks("c-1", one_turn, scorecard, from_partial=True)
    parts = detect_risks("c-1", split, scorecard)
    assert [a.identity for a in whole] == ["一起去政府#1"]
    # The final decode split the turn: its first alert has the partial's identity, the second is new.
    assert [a.identity for a in parts] == ["一起去政府#1", "拉横幅#2"]


def test_reading_an_open_calls_head_for_a_partial_changes_no_offset():
    from hotline.asr.assembler import CallAssembler, RecordPosition

    from test_asr_assembler import CHUNK_FRAMES, call_pcm, chunks_of, meta

    assembler = CallAssembler(incomplete_call_timeout_s=60)
    pcm = call_pcm(5)
    chunks = chunks_of(meta("open-1"), pcm)
    for offset, seq in ((10, 0), (11, 1), (12, 3)):  # chunk 2 not here yet: the head stops at chunk 1
        assert assembler.add(chunks[seq], RecordPosition("calls.audio.v1", 0, offset), now=0.0) is None
    before = assembler.safe_offsets()
    head = assembler.arrived_audio("open-1")
    assert head is not None and np.array_equal(head.pcm, pcm[: 2 * CHUNK_FRAMES])
    assert assembler.arrived_samples("open-1") == 2 * CHUNK_FRAMES
    assert assembler.safe_offsets() == before and assembler.open_calls == 1
    assert assembler.arrived_audio("never-seen") is None
