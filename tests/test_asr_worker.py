"""The ASR worker over the real broker, with real weights, on the project's own sample calls."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
import wave
from pathlib import Path

import jiwer
import numpy as np
import pytest
from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from hotline.asr.model_files import prepare_whisper_model
from hotline.asr.text_cleanup import to_simplified
from hotline.asr.worker import GROUP_ID, run_asr_worker
from hotline.bus import StopFlag, make_producer
from hotline.contracts import AudioChunk, CallMeta, DeadLetter, TranscriptReady
from hotline.settings import Settings

pytestmark = pytest.mark.slow

CHUNK_S = 3.0
_DIGITS = str.maketrans("0123456789幺两", "零一二三四五六七八九一二")


def normalise(text: str) -> str:
    return re.sub(r"[^\w]|_", "", to_simplified(text)).translate(_DIGITS)


def read_pcm(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels()).astype(np.int16), w.getframerate()


def call_meta(call_dir: Path, call_id: str | None = None) -> CallMeta:
    fields = json.loads((call_dir / "meta.json").read_text())
    if call_id:
        fields["call_id"] = call_id
    return CallMeta(**fields)


def make_chunks(meta: CallMeta, pcm: np.ndarray, rate: int, chunk_s: float = CHUNK_S) -> list[AudioChunk]:
    """What a recorder streams: consecutive pcm_s16le pieces, the last one flagged."""
    step = int(chunk_s * rate)
    starts = list(range(0, len(pcm), step)) or [0]
    return [
        AudioChunk(
            meta=meta, seq=i, is_last=i == len(starts) - 1, sample_rate_hz=rate, channels=pcm.shape[1],
            offset_s=start / rate, audio=pcm[start : start + step].astype("<i2").tobytes(),
        )
        for i, start in enumerate(starts)
    ]


class AudioProducer:
    def __init__(self, s: Settings):
        self._producer = make_producer(s.kafka)
        self.topic = s.kafka.topic(AudioChunk.topic)

    def send(self, key: str, value: bytes, partition: int | None = None) -> int:
        """Send one record and return its offset."""
        meta = self._producer.send(self.topic, key=key.encode(), value=value, partition=partition).get(timeout=30)
        return meta.offset

    def close(self) -> None:
        self._producer.close(timeout=10)


def read_outputs(s: Settings, transcripts: int, dead_letters: int, timeout_s: float = 30.0) -> tuple[list[TranscriptReady], list[DeadLetter]]:
    consumer = KafkaConsumer(
        bootstrap_servers=s.kafka.bootstrap_servers, group_id=f"test-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest",
        enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=1000,
    )
    consumer.subscribe([s.kafka.topic(TranscriptReady.topic), s.kafka.topic(DeadLetter.topic)])
    got_t: list[TranscriptReady] = []
    got_d: list[DeadLetter] = []
    deadline = time.monotonic() + timeout_s
    try:
        while (len(got_t) < transcripts or len(got_d) < dead_letters) and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for r in records:
                    if r.topic.endswith(TranscriptReady.topic):
                        t = TranscriptReady.decode(r.value)
                        # Partial transcripts of calls still arriving are previews, not outputs.
                        if t.is_final:
                            got_t.append(t)
                    else:
                        got_d.append(DeadLetter.decode(r.value))
    finally:
        consumer.close()
    return got_t, got_d


def committed_and_end(s: Settings) -> tuple[dict[int, int | None], dict[int, int]]:
    """Committed offsets of the ASR group and end offsets, for the partitions that hold records."""
    consumer = KafkaConsumer(bootstrap_servers=s.kafka.bootstrap_servers, group_id=s.kafka.topic(GROUP_ID), enable_auto_commit=False)
    try:
        topic = s.kafka.topic(AudioChunk.topic)
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        end = consumer.end_offsets(tps)
        used = [tp for tp in tps if end[tp] > 0]
        return {tp.partition: consumer.committed(tp) for tp in used}, {tp.partition: end[tp] for tp in used}
    finally:
        consumer.close()


@pytest.fixture
def asr_settings(settings) -> Settings:
    prepare_whisper_model(settings.asr.model_dir)
    asr = settings.asr.model_copy(update={"incomplete_call_timeout_s": 3.0})
    return settings.model_copy(update={"asr": asr})


def by_id(sample_calls: list[Path], call_id: str) -> Path:
    return next(d for d in sample_calls if d.name == call_id)


def test_good_bad_garbage_and_unfinished_calls(asr_settings, sample_calls):
    s = asr_settings
    good_dir = by_id(sample_calls, "c007-traffic-light")
    good_meta = call_meta(good_dir)
    good_pcm, rate = read_pcm(good_dir / "stereo_8k.wav")
    truth = json.loads((good_dir / "truth.json").read_text())
    other_dir = by_id(sample_calls, "c005-social-insurance")
    other_pcm, _ = read_pcm(other_dir / "stereo_8k.wav")

    producer = AudioProducer(s)
    try:
        # Garbage first, on the good call's partition: the worker must dead-letter it and carry on.
        garbage_offset = producer.send(good_meta.call_id, b"\x00\xffnot json at all", partition=0)
        for c in make_chunks(good_meta, good_pcm, rate):
            producer.send(c.call_id, c.encode(), partition=0)

        # A call whose recorder switched sample rate mid-call.
        bad = make_chunks(call_meta(other_dir, "bad-rate-1"), other_pcm[: 4 * rate], rate, chunk_s=1.0)
        bad[2] = bad[2].model_copy(update={"sample_rate_hz": 16_000})
        bad_offsets = [producer.send(c.call_id, c.encode(), partition=1) for c in bad]

        # A call that ended before any audio was recorded.
        (empty,) = make_chunks(call_meta(other_dir, "empty-1"), np.zeros((0, 2), np.int16), rate)
        empty_offset = producer.send(empty.call_id, empty.encode(), partition=2)

        # A call whose recorder died: three chunks, never the last one.
        unfinished = make_chunks(call_meta(other_dir, "unfinished-1"), other_pcm[: int(3 * CHUNK_S * rate) + rate], rate)[:3]
        for c in unfinished:
            producer.send(c.call_id, c.encode(), partition=3)
    finally:
        producer.close()

    started = time.monotonic()
    finished = run_asr_worker(s, StopFlag(), idle_exit_s=4.0)
    elapsed = time.monotonic() - started
    assert finished == 4  # good, bad-rate, empty, unfinished (garbage is no call)

    transcripts, dead = read_outputs(s, transcripts=2, dead_letters=3)
    assert sorted(t.call_id for t in transcripts) == sorted([good_meta.call_id, "unfinished-1"])
    good = next(t for t in transcripts if t.call_id == good_meta.call_id)
    assert not good.incomplete and good.meta == good_meta
    assert good.duration_s == pytest.approx(len(good_pcm) / rate, abs=0.01)
    assert {seg.speaker for seg in good.segments} == {"agent", "caller"}
    ref = normalise("".join(t["text"] for t in truth["turns"]))
    cer = jiwer.cer(ref, normalise("".join(seg.text for seg in good.segments)))
    print(f"\nworker: {good.call_id} CER {cer:.3f}; 5 calls handled in {elapsed:.1f}s, transcription {good.processing_s:.1f}s "
          f"for {good.duration_s:.1f}s audio (realtime factor {good.processing_s / good.duration_s:.2f})")
    assert cer < 0.35
    # Conversation metrics travel with the published transcript, one entry per party.
    assert good.metrics is not None and {p.speaker for p in good.metrics.parties} == {"agent", "caller"}
    assert sum(p.talk_share for p in good.metrics.parties) == pytest.approx(1.0, abs=1e-3)

    partial = next(t for t in transcripts if t.call_id == "unfinished-1")
    assert partial.incomplete and partial.duration_s == pytest.approx(3 * CHUNK_S, abs=0.01)

    by_call = {d.call_id: d for d in dead}
    assert len(dead) == 3 and all(d.stage == "asr" for d in dead)
    garbage = next(d for d in dead if d.error_type == "ContractError")
    assert (garbage.original_partition, garbage.original_offset) == (0, garbage_offset)
    assert garbage.payload == b"\x00\xffnot json at all"
    rate_dl = by_call["bad-rate-1"]
    assert "sample rate" in rate_dl.reason and rate_dl.error_type == "PoisonMessage"
    assert (rate_dl.original_partition, rate_dl.original_offset) == (1, bad_offsets[2])
    empty_dl = by_call["empty-1"]
    assert "empty recording" in empty_dl.reason and empty_dl.original_offset == empty_offset

    # Every call is finished, so every record is committed.
    committed, end = committed_and_end(s)
    assert committed == end


def test_an_open_call_survives_a_worker_restart(asr_settings, sample_calls):
    s = asr_settings.model_copy(update={"asr": asr_settings.asr.model_copy(update={"incomplete_call_timeout_s": 600.0})})
    call_dir = by_id(sample_calls, "c005-social-insurance")
    meta = call_meta(call_dir, "resumed-1")
    pcm, rate = read_pcm(call_dir / "stereo_8k.wav")
    chunks = make_chunks(meta, pcm[: int(4 * CHUNK_S * rate)], rate)
    assert len(chunks) == 4
    (marker,) = make_chunks(call_meta(call_dir, "marker-1"), np.zeros((0, 2), np.int16), rate)

    producer = AudioProducer(s)
    try:
        first_offset = producer.send(meta.call_id, chunks[0].encode(), partition=0)
        producer.send(meta.call_id, chunks[1].encode(), partition=0)
        # An empty call after the open one: its dead letter shows the worker has read this far.
        producer.send(marker.call_id, marker.encode(), partition=0)

        stop = StopFlag()
        worker = threading.Thread(target=run_asr_worker, args=(s, stop), daemon=True)
        worker.start()
        _, dead = read_outputs(s, transcripts=0, dead_letters=1)
        stop.set()
        worker.join(timeout=60)
        assert not worker.is_alive()
        assert [d.call_id for d in dead] == ["marker-1"]
        committed, _ = committed_and_end(s)
        # The marker is done, but the commit must not pass the open call's first chunk.
        assert committed[0] == first_offset

        producer.send(meta.call_id, chunks[2].encode(), partition=0)
        producer.send(meta.call_id, chunks[3].encode(), partition=0)
    finally:
        producer.close()

    # A fresh worker re-reads the open call from its first chunk and completes it.
    assert run_asr_worker(s, StopFlag(), idle_exit_s=4.0) >= 1
    transcripts, dead = read_outputs(s, transcripts=1, dead_letters=2)
    (tr,) = transcripts
    assert tr.call_id == "resumed-1" and not tr.incomplete
    assert tr.duration_s == pytest.approx(4 * CHUNK_S, abs=0.01)
    assert tr.segments and tr.segments[0].start_s < CHUNK_S  # the head of the call was not lost
    assert [d.call_id for d in dead] == ["marker-1", "marker-1"]  # at-least-once: re-read after the restart
    committed, end = committed_and_end(s)
    assert committed == end
