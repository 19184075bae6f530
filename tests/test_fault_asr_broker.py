"""The broker goes away and comes back under a running ASR worker process: it carries on.

The ASR worker runs its own consume loop (a call spans many records), so it recovers on its own:
a Kafka failure rewinds it to the committed offsets and replaces its producer, as ``bus`` does for
the stateless stages. As in test_fault_broker, the development broker forgets everything when it
restarts, so what is checked is that the worker survives the outage and that every call sent to
the restarted broker is transcribed exactly once.
"""

from __future__ import annotations

import time
import uuid

import pytest
from kafka import KafkaConsumer

from hotline.app.services import stop_services
from hotline.asr.model_files import prepare_whisper_model
from hotline.broker import DevBroker, free_port, port_open
from hotline.bus import ensure_topics
from hotline.contracts import DeadLetter, TranscriptReady
from hotline.settings import BrokerSettings, Settings

from conftest import REPO_ROOT
from fault_kit import alive, logs, start, wait_for
from test_asr_worker import AudioProducer, by_id, call_meta, make_chunks, read_pcm

pytestmark = pytest.mark.slow

WORKER = "asr-worker"
OUTAGE_S = 5.0
CALL_S = 6.0


def send_calls(s: Settings, pcm, rate, meta_of, prefix: str, n: int) -> list[str]:
    producer = AudioProducer(s)
    ids = [f"{prefix}-{i}" for i in range(n)]
    try:
        for call_id in ids:
            for chunk in make_chunks(meta_of(call_id), pcm[: int(CALL_S * rate)], rate):
                producer.send(call_id, chunk.encode())
    finally:
        producer.close()
    return ids


def read_transcript_ids(s: Settings, want: int, timeout_s: float, settle_s: float = 5.0) -> list[str]:
    """Call ids of the final transcripts on the topic; reads on for settle_s after ``want`` arrived, to see doubles."""
    consumer = KafkaConsumer(
        bootstrap_servers=s.kafka.bootstrap_servers, group_id=f"test-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest",
        enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=1000,
    )
    consumer.subscribe([s.kafka.topic(TranscriptReady.topic), s.kafka.topic(DeadLetter.topic)])
    got: list[str] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for r in records:
                    if r.topic.endswith(TranscriptReady.topic) and TranscriptReady.decode(r.value).is_final:
                        got.append(r.key.decode())
                    elif r.topic.endswith(DeadLetter.topic):
                        got.append(f"dead-letter:{r.key.decode()}")
            if len(got) >= want:
                deadline = min(deadline, time.monotonic() + settle_s)
    finally:
        consumer.close()
    return got


def test_asr_worker_survives_a_broker_restart_and_transcribes_each_call_once(tmp_path, sample_calls):
    call_dir = by_id(sample_calls, "c007-traffic-light")
    pcm, rate = read_pcm(call_dir / "stereo_8k.wav")
    model_dir = REPO_ROOT / "var" / "models" / "whisper-base"
    prepare_whisper_model(model_dir)

    port = free_port()
    broker = DevBroker(BrokerSettings(port=port), log_path=tmp_path / "broker-1.log").start()
    s = Settings(
        paths={"data_dir": tmp_path},
        kafka={"bootstrap_servers": broker.bootstrap, "topic_prefix": "asrbrk.", "client_id": "hotline-test",
               "session_timeout_ms": 6000, "heartbeat_interval_ms": 1000},
        asr={"model_dir": model_dir, "incomplete_call_timeout_s": 60.0},
    )
    try:
        ensure_topics(s.kafka)
        start(s, WORKER)
        before = send_calls(s, pcm, rate, lambda cid: call_meta(call_dir, cid), "before", 2)
        assert sorted(read_transcript_ids(s, 2, 180)) == before, logs(s, WORKER)

        broker.stop()
        assert wait_for(lambda: not port_open("127.0.0.1", port), 10)
        time.sleep(OUTAGE_S)  # the outage itself, not a wait for anything
        assert alive(s, WORKER), logs(s, WORKER)

        broker = DevBroker(BrokerSettings(port=port), log_path=tmp_path / "broker-2.log").start()
        ensure_topics(s.kafka)
        after = send_calls(s, pcm, rate, lambda cid: call_meta(call_dir, cid), "after", 2)
        # The restarted broker knows only the calls sent to it: each transcribed once, nothing dead-lettered.
        assert sorted(read_transcript_ids(s, 2, 240)) == after, logs(s, WORKER)
        assert alive(s, WORKER), logs(s, WORKER)
    finally:
        stop_services(s, (WORKER,))
        broker.stop()
