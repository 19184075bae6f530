"""The inspection worker over the real development broker: transcripts in, inspections and alerts out."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timezone

from hotline.bus import Publisher, StopFlag, make_consumer, make_producer
from hotline.contracts import AlertRaised, CallInspected, CallMeta, DeadLetter, Segment, TranscriptReady
from hotline.inspection.worker import run_inspection_worker


def transcript(call_id: str, segments: tuple[Segment, ...], is_final: bool) -> TranscriptReady:
    meta = CallMeta(call_id=call_id, centre_id="centre-01", team_id="team-a", agent_id="agent-7",
                    started_at=datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc), channel_layout="stereo", agent_channel=0)
    return TranscriptReady(meta=meta, is_final=is_final, duration_s=30, language="zh", asr_model="test",
                           segments=segments, processing_s=0.1)


SEGMENTS = (
    Segment(speaker="agent", start_s=0.4, end_s=3.0, text="您好，12345热线，请问有什么可以帮您？"),
    Segment(speaker="caller", start_s=3.5, end_s=10.0, text="我家住在幸福路18号，工资被拖欠了半年，再不给我就跳楼！"),
    Segment(speaker="agent", start_s=10.5, end_s=15.0, text="您先别激动，这个不归我们管。"),
    Segment(speaker="caller", start_s=15.5, end_s=18.0, text="那我就去找记者曝光。"),
    Segment(speaker="agent", start_s=18.5, end_s=21.0, text="好的，感谢您的来电，再见。"),
)


def collect(settings, want: dict[str, int], timeout_s: float = 90.0) -> dict[str, list]:
    """Read the output topics until the wanted number of messages of each kind has arrived."""
    topics = {CallInspected.topic: CallInspected, AlertRaised.topic: AlertRaised, DeadLetter.topic: DeadLetter}
    consumer = make_consumer(settings.kafka, f"test-reader-{uuid.uuid4().hex[:6]}", list(topics))
    got: dict[str, list] = {t: [] for t in topics}
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and any(len(got[t]) < n for t, n in want.items()):
            for records in consumer.poll(timeout_ms=500).values():
                for r in records:
                    topic = r.topic.removeprefix(settings.kafka.topic_prefix)
                    got[topic].append((r.key.decode(), topics[topic].decode(r.value)))
    finally:
        consumer.close()
    return got


def test_worker_inspects_final_transcripts_alerts_on_partial_ones_and_dead_letters_garbage(settings):
    stop = StopFlag()
    handled: list[int] = []
    worker = threading.Thread(target=lambda: handled.append(run_inspection_worker(settings, stop)), daemon=True)
    worker.start()
    publisher = Publisher.connect(settings.kafka)
    producer = make_producer(settings.kafka)
    try:
        publisher.publish(transcript("call-w1", SEGMENTS[:2], is_final=False), "call-w1")
        publisher.publish(transcript("call-w1", SEGMENTS, is_final=True), "call-w1")
        producer.send(settings.kafka.topic(TranscriptReady.topic), key=b"call-bad", value=b'{"not": "a transcript"')
        publisher.flush()
        producer.flush()
        got = collect(settings, {CallInspected.topic: 1, AlertRaised.topic: 3, DeadLetter.topic: 1})
    finally:
        stop.set()
        worker.join(timeout=30)
        publisher.close()
        producer.close()
    assert not worker.is_alive() and handled == [3]

    [(key, inspected)] = got[CallInspected.topic]
    assert key == "call-w1" and isinstance(inspected, CallInspected)
    checks = {c.item_id: c for c in inspected.checks}
    assert checks["forbidden_phrase"].status == "failed" and checks["forbidden_phrase"].evidence[0].quote == "不归我们管"
    assert checks["address_repeat"].status == "failed"
    assert checks["greeting"].status == "passed" and checks["closing"].status == "passed"
    assert all(e.verified for c in inspected.checks for e in c.evidence)
    assert inspected.review_state == "mandatory_review"  # alerts were raised
    assert inspected.category is not None and inspected.category.category.startswith("劳动和社会保障")
    assert all(j.status == "pending" for j in inspected.llm)

    alerts = [a for _, a in got[AlertRaised.topic]]
    assert all(k == "call-w1" for k, _ in got[AlertRaised.topic])
    partial = [(a.kind, a.quote) for a in alerts if a.from_partial]
    final = sorted((a.kind, a.quote) for a in alerts if not a.from_partial)
    assert partial == [("self_harm", "跳楼")]
    # One alert per kind per segment, quoting the first phrase that matched.
    assert final == [("media_exposure", "找记者"), ("self_harm", "跳楼")]

    [(dl_key, dead)] = got[DeadLetter.topic]
    assert dl_key == "call-bad" and dead.stage == "inspection" and dead.error_type == "ContractError"
    assert dead.original_topic == settings.kafka.topic(TranscriptReady.topic) and dead.payload == b'{"not": "a transcript"'
