"""An ASR worker process killed with SIGKILL while a call is half-received: a new worker reads the
call again from its first chunk, and the call lands once, whole (reconcile: nothing lost, nothing
doubled). Real Whisper weights on a sample call, real `hotline` processes, real broker."""

from __future__ import annotations

import json
import wave

import numpy as np
import pytest

from hotline.app.reconcile import reconcile
from hotline.app.services import stop_services
from hotline.asr.model_files import prepare_whisper_model
from hotline.bus import make_producer
from hotline.contracts import AudioChunk, CallMeta
from hotline.warehouse.reader import run_query

from fault_kit import kill9, logs, start, wait_for, wait_until_all_landed

pytestmark = pytest.mark.slow

WORKERS = ("asr-worker", "inspect-worker", "sink")
CHUNK_S = 3.0


def chunks_of(call_dir, call_id: str, seconds: float) -> list[AudioChunk]:
    fields = json.loads((call_dir / "meta.json").read_text())
    meta = CallMeta(**{**fields, "call_id": call_id})
    with wave.open(str(call_dir / "stereo_8k.wav"), "rb") as w:
        rate, channels = w.getframerate(), w.getnchannels()
        pcm = np.frombuffer(w.readframes(int(seconds * rate)), dtype="<i2").reshape(-1, channels)
    step = int(CHUNK_S * rate)
    starts = list(range(0, len(pcm), step))
    return [AudioChunk(meta=meta, seq=i, is_last=i == len(starts) - 1, sample_rate_hz=rate, channels=channels,
                       offset_s=s / rate, audio=pcm[s:s + step].tobytes()) for i, s in enumerate(starts)]


def test_asr_worker_killed_mid_call_the_call_lands_once_and_whole(settings, sample_calls):
    prepare_whisper_model(settings.asr.model_dir)
    call_dir = next(d for d in sample_calls if d.name == "c005-social-insurance")
    chunks = chunks_of(call_dir, "asr-kill-1", 4 * CHUNK_S)
    assert len(chunks) == 4
    marker = AudioChunk(meta=chunks[0].meta.model_copy(update={"call_id": "asr-kill-marker"}), seq=0, is_last=True,
                        sample_rate_hz=chunks[0].sample_rate_hz, channels=chunks[0].channels, offset_s=0.0, audio=b"")
    producer = make_producer(settings.kafka)
    topic = settings.kafka.topic(AudioChunk.topic)

    def send(c: AudioChunk) -> None:
        # One partition for all: the marker sits behind the open call's first chunks.
        producer.send(topic, key=c.call_id.encode(), value=c.encode(), partition=0).get(timeout=30)

    try:
        for c in chunks[:2]:
            send(c)
        # An empty call after them: its dead letter proves the worker has read past the open call.
        send(marker)
        for name in WORKERS:
            start(settings, name)
        assert wait_for(lambda: reconcile(settings).dead_lettered == 1, 180), logs(settings, "asr-worker")
        kill9(settings, "asr-worker")
        for c in chunks[2:]:
            send(c)
        producer.close()
        start(settings, "asr-worker")
        report = wait_until_all_landed(settings, 2, 300)
        assert report.summary() == {"in": 2, "landed": 1, "dead_lettered": 1, "stuck": 0, "duplicates": 0}, (
            report.summary(), {w: logs(settings, w)[-1500:] for w in WORKERS})
        turns = run_query(settings.warehouse, "access_call_turns", call_id="asr-kill-1", scope_centre=None, scope_team=None)
        # The head of the call, sent before the kill, is in the transcript.
        assert turns.height > 0 and min(turns["start_s"].to_list()) < CHUNK_S
    finally:
        producer.close()
        stop_services(settings, WORKERS)
