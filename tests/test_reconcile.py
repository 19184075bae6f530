"""`reconcile` and `status` over the real broker and a real warehouse: every call that entered is
landed, dead-lettered or listed as stuck, replays do not double anything, and lag is visible."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from bench.load import entry_chunk, replayed_transcript
from hotline.app.reconcile import format_report, reconcile
from hotline.app.status import format_status, pipeline_status
from hotline.bus import Publisher, StopFlag
from hotline.contracts import DeadLetter
from hotline.inspection.worker import run_inspection_worker
from hotline.warehouse.sink import run_sink

from fault_kit import wait_for


def test_reconcile_balances_entered_calls_and_lists_the_stuck_one(settings):
    pub = Publisher.connect(settings.kafka)
    for i in range(3):
        t = replayed_transcript(f"rec-{i}")
        pub.publish(t, t.call_id)
    # The same transcript again, as a restarted ASR worker would replay it: it must not double.
    pub.publish(replayed_transcript("rec-0"), "rec-0")
    # A recording that could not be read at ingest enters only as a dead letter.
    pub.publish(DeadLetter(stage="ingest", call_id="rec-unreadable", reason="cannot decode", error_type="InvalidDataError",
                           source_uri="/calls/x.wav"), "rec-unreadable")
    # Audio for a call no ASR worker picks up: it must be reported stuck, not silently missing.
    pub.publish(entry_chunk("rec-stuck"), "rec-stuck")
    pub.flush()
    pub.close()

    stop = StopFlag()
    workers = [threading.Thread(target=run_inspection_worker, args=(settings, stop), daemon=True),
               threading.Thread(target=run_sink, args=(settings, stop), daemon=True)]
    for w in workers:
        w.start()
    try:
        report = wait_for(lambda: (r := reconcile(settings)).landed == 3 and r.dead_lettered == 1 and r, 120)
        # Status while the ASR stage has no worker: its lag and oldest unprocessed call are visible.
        status = pipeline_status(settings, sample_s=0.5)
        st = {s.stage: s for s in status.stages}
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=30)
    assert report, reconcile(settings)
    assert report.summary() == {"in": 5, "landed": 3, "dead_lettered": 1, "stuck": 1, "duplicates": 0}
    assert report.balanced
    (stuck,) = report.stuck
    assert stuck.call_id == "rec-stuck" and stuck.reached == "calls.audio.v1"

    assert st["asr"].lag == {"calls.audio.v1": 1}
    assert st["asr"].oldest_unprocessed is not None and st["asr"].oldest_unprocessed.call_id == "rec-stuck"
    assert st["inspection"].total_lag == 0 and st["inspection"].oldest_unprocessed is None
    assert st["sink"].total_lag == 0
    assert status.dead_letters == 1 and status.dead_letters_by_stage == {"ingest": 1}
    assert "oldest unprocessed: rec-stuck on calls.audio.v1" in format_status(status)
    assert "stuck rec-stuck: reached calls.audio.v1" in format_report(report)

    # A window that ends before anything entered holds nothing; one around now holds everything.
    assert reconcile(settings, until=datetime.now(timezone.utc) - timedelta(hours=1)).summary()["in"] == 0
    assert reconcile(settings, since=datetime.now(timezone.utc) - timedelta(hours=1)).summary()["in"] == 5


def test_a_value_nested_past_pythons_limit_on_the_audio_topic_does_not_stop_reconcile(settings):
    """Found by bench.adversarial: one such record (a broken or hostile producer) made every
    `hotline reconcile` end in a RecursionError. It is a call that entered, like any other."""
    from hotline.bus import make_producer
    from hotline.contracts import AudioChunk

    producer = make_producer(settings.kafka)
    producer.send(settings.kafka.topic(AudioChunk.topic), key=b"deep", value=b"[" * 50_000 + b"]" * 50_000).get(timeout=30)
    producer.close()
    report = reconcile(settings)
    assert report.entered == 1 and [s.call_id for s in report.stuck] == ["deep"]
