"""Scale-out: several workers of one stage in one consumer group share its input topic's partitions;
one is killed with SIGKILL mid-stream, the other takes over its partitions, and every call lands
exactly once. While the group lags, `hotline status` shows the lag per topic and the oldest
unprocessed call.

* Inspection: two `hotline inspect-worker` processes; replayed transcripts stand in for ASR.
* ASR: two `hotline asr-worker` processes (real Whisper weights, real sample-call audio); the one
  killed holds a call it has only half received, so the survivor must read that partition again
  from the open call's first chunk (a call after it is transcribed twice on the topic, stored once).
"""

from __future__ import annotations

import re

import pytest

from hotline.app.services import hotline_command, log_dir, start_service, stop_services
from hotline.app.status import format_status, pipeline_status
from hotline.asr.model_files import prepare_whisper_model
from hotline.bus import make_producer
from hotline.contracts import AudioChunk, TranscriptReady

from fault_kit import (
    GroupProgress, alive, assert_nothing_lost_nothing_doubled, committed_part, final_transcripts, kill9, logs,
    publish_transcripts, sample_call_chunks, start, wait_for, wait_until_all_landed,
)

WORKERS = ("inspect-a", "inspect-b")


@pytest.fixture
def group(settings):
    assert settings.kafka.partitions >= 2
    yield settings
    stop_services(settings, (*WORKERS, "sink"))


def owned(settings, name: str, topic: str = TranscriptReady.topic) -> set[int]:
    """The partitions of ``topic`` a worker owns now, from its last `partitions assigned` log line."""
    path = log_dir(settings) / f"{name}.log"
    text = path.read_text(errors="replace") if path.is_file() else ""
    lines = re.findall(r"partitions assigned: (.*)", text)
    topic = re.escape(settings.kafka.topic(topic))
    return {int(p) for p in re.findall(rf"{topic}:(\d+)", lines[-1])} if lines else set()


def test_two_inspection_workers_share_partitions_and_survive_one_being_killed(group):
    s = group
    n = 60
    everything = set(range(s.kafka.partitions))
    start(s, "sink")
    for name in WORKERS:
        start_service(s, name, hotline_command("inspect-worker"))
    shared = wait_for(lambda: (a := owned(s, "inspect-a")) and (b := owned(s, "inspect-b")) and not a & b
                      and a | b == everything and (a, b), 90)
    assert shared, {w: logs(s, w) for w in WORKERS}

    a_parts, _ = shared
    publish_transcripts(s, "scale", n)
    # Killed once it has committed work of its own, early enough that its share is far from done
    # (its two partitions hold about n/2 calls; the whole group has committed fewer than n/3).
    progress = GroupProgress(s, "inspection")
    try:
        mid = wait_for(lambda: (c := progress.by_partition()) and sum(c[p] for p in a_parts) > 0
                       and sum(c.values()) < n // 3, 120, every_s=0.05)
    finally:
        progress.close()
    assert mid, {w: logs(s, w) for w in WORKERS}
    kill9(s, "inspect-a")

    # The dead member still holds its partitions until its session times out: the group lags, and says so.
    lagging = pipeline_status(s, sample_s=0)
    insp = next(st for st in lagging.stages if st.stage == "inspection")
    assert insp.total_lag > 0 and insp.lag[TranscriptReady.topic] == insp.total_lag
    assert insp.oldest_unprocessed is not None and insp.oldest_unprocessed.call_id.startswith("scale-")
    assert "oldest unprocessed: scale-" in format_status(lagging)

    # The survivor takes over every partition.
    assert wait_for(lambda: owned(s, "inspect-b") == everything, 90), logs(s, "inspect-b")
    report = wait_until_all_landed(s, n, 180)
    assert_nothing_lost_nothing_doubled(report, n, s, (*WORKERS, "sink"))
    assert alive(s, "inspect-b") and alive(s, "sink")
    assert committed_part(s, "inspection") == (n, 0)


def test_status_shows_lag_per_topic_and_the_oldest_unprocessed_call(settings):
    # Nothing consumes yet: everything published is lag, the first call is the oldest waiting.
    ids = publish_transcripts(settings, "lagging", 5)
    st = pipeline_status(settings, sample_s=0)
    insp = next(x for x in st.stages if x.stage == "inspection")
    assert insp.lag == {TranscriptReady.topic: 5} and insp.processed == 0
    assert insp.oldest_unprocessed is not None and insp.oldest_unprocessed.call_id in ids
    assert insp.oldest_unprocessed.topic == TranscriptReady.topic and insp.oldest_unprocessed.age_s >= 0
    sink = next(x for x in st.stages if x.stage == "sink")
    assert sink.lag[TranscriptReady.topic] == 5
    text = format_status(st)
    assert "inspection  group" in text and "lag 5" in text and "oldest unprocessed: lagging-" in text


ASR_WORKERS = ("asr-a", "asr-b")
CHUNK_S = 3.0


@pytest.fixture
def asr_group(settings):
    assert settings.kafka.partitions >= 2
    yield settings
    stop_services(settings, (*ASR_WORKERS, "inspect-worker", "sink"))


@pytest.mark.slow
def test_two_asr_workers_share_partitions_and_survive_one_being_killed_mid_call(asr_group, sample_calls):
    s = asr_group
    prepare_whisper_model(s.asr.model_dir)
    audio = AudioChunk.topic
    everything = set(range(s.kafka.partitions))
    start(s, "sink")
    start(s, "inspect-worker")
    for name in ASR_WORKERS:
        start_service(s, name, hotline_command("asr-worker"))
    # Each worker joins once its model is loaded: the split shows once both are in.
    shared = wait_for(lambda: (a := owned(s, "asr-a", audio)) and (b := owned(s, "asr-b", audio)) and not a & b
                      and a | b == everything and (a, b), 150)
    assert shared, {w: logs(s, w) for w in ASR_WORKERS}
    a_parts, _ = shared

    producer = make_producer(s.kafka)
    topic = s.kafka.topic(audio)

    def send(chunks, partition: int) -> None:
        # Partitions chosen by hand: every partition gets a call, so both workers have work.
        for c in chunks:
            producer.send(topic, key=c.call_id.encode(), value=c.encode(), partition=partition).get(timeout=30)

    # Every partition: a call of four chunks, of which only the first half has arrived so far. On the
    # partitions of the worker to be killed, a short whole call behind it: its final transcript proves
    # that worker has read past the open call, whose first chunk its committed offset cannot pass.
    sources = sorted(sample_calls)
    opened = {p: sample_call_chunks(sources[p % len(sources)], f"open-{p}", 4 * CHUNK_S, CHUNK_S) for p in everything}
    assert all(len(c) == 4 for c in opened.values())
    behind = {p: sample_call_chunks(sources[(p + 1) % len(sources)], f"behind-{p}", 2 * CHUNK_S, CHUNK_S) for p in a_parts}
    try:
        for p in sorted(everything):
            send(opened[p][:2], p)
        for p in sorted(a_parts):
            send(behind[p], p)
        read_past = wait_for(lambda: (t := final_transcripts(s)) and all(f"behind-{p}" in t for p in a_parts) and t, 180, every_s=1.0)
        assert read_past, {w: logs(s, w) for w in ASR_WORKERS}
        assert not any(c.startswith("open-") for c in read_past), read_past  # the open calls are still open
        kill9(s, "asr-a")
        # The rest of every open call arrives after the kill; asr-a's half waits for the survivor.
        for p in sorted(everything):
            send(opened[p][2:], p)
    finally:
        producer.close()

    # The survivor takes over every partition, once the dead member's session has timed out.
    assert wait_for(lambda: owned(s, "asr-b", audio) == everything, 90), logs(s, "asr-b")
    n = len(opened) + len(behind)
    report = wait_until_all_landed(s, n, 240)
    assert_nothing_lost_nothing_doubled(report, n, s, (*ASR_WORKERS, "inspect-worker", "sink"))
    finals = final_transcripts(s)
    assert set(finals) == {c[0].call_id for c in (*opened.values(), *behind.values())}, finals
    # asr-a's committed offsets stopped at its open calls' first chunks: the survivor read those
    # partitions again from there, so the calls behind them were transcribed a second time.
    assert all(finals[f"behind-{p}"] >= 2 for p in a_parts), finals
    assert alive(s, "asr-b") and alive(s, "sink")
    assert committed_part(s, "asr") == (sum(len(c) for c in (*opened.values(), *behind.values())), 0)
