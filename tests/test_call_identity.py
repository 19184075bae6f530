"""A call id names one recording: distinct recordings under one id are refused with a dead letter,
never merged or dropped unseen; a redelivery of the same recording stays one call; reconcile counts
recordings, so a recording lost under another's id shows.

Ingest's side (ids from file names, collisions within a run) is in test_ingest.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.load import call_meta, replayed_transcript
from hotline.app.reconcile import format_report, reconcile
from hotline.asr.assembler import AssembledCall, CallAssembler, CallIdCollision, RecordPosition
from hotline.bus import Publisher, StopFlag
from hotline.contracts import AudioChunk, CallMeta, DeadLetter

from fault_kit import run_inspection_and_sink

RATE = 8000
FRAMES = 800
A, B = "a" * 64, "b" * 64


def recording(meta: CallMeta, digest: str | None, n: int, seed: int) -> list[AudioChunk]:
    pcm = np.random.default_rng(seed).integers(-2000, 2000, size=(n * FRAMES, 1), dtype=np.int16)
    m = meta.model_copy(update={"recording_sha256": digest, "channel_layout": "mono", "agent_channel": None})
    return [AudioChunk(meta=m, seq=i, is_last=i == n - 1, sample_rate_hz=RATE, channels=1, offset_s=i * FRAMES / RATE,
                       audio=pcm[i * FRAMES:(i + 1) * FRAMES].tobytes()) for i in range(n)]


def test_a_different_recording_under_an_open_or_finished_call_id_is_refused_and_the_call_goes_on():
    asm = CallAssembler(incomplete_call_timeout_s=60.0)
    meta = call_meta("shared-id")
    first, other = recording(meta, A, 3, seed=1), recording(meta, B, 2, seed=2)
    offsets = iter(range(100))

    def add(chunk):
        return asm.add(chunk, RecordPosition("calls.audio.v1", 0, next(offsets)), now=0.0)

    assert add(first[0]) is None
    with pytest.raises(CallIdCollision) as refused:
        add(other[0])  # while the first recording is still arriving
    assert refused.value.call_id == "shared-id" and refused.value.recording_sha256 == B
    assert "different recording" in refused.value.reason
    assert add(other[1]) is None  # refused once: its later chunks are ignored, not refused again
    assert add(first[1]) is None
    done = add(first[2])
    assert isinstance(done, AssembledCall) and done.meta.recording_sha256 == A and len(done.pcm) == 3 * FRAMES

    # The same recording again (a redelivery) is ignored; a third recording after the call finished is refused.
    assert [add(c) for c in first] == [None, None, None]
    with pytest.raises(CallIdCollision):
        add(recording(meta, "c" * 64, 1, seed=3)[0])
    # A producer that names no recording cannot be told apart: its chunks count as the same recording.
    assert add(recording(meta, None, 1, seed=4)[0]) is None


def test_reconcile_counts_recordings_so_one_lost_under_another_ones_id_shows(settings):
    meta = call_meta("two-recordings")
    pub = Publisher.connect(settings.kafka)
    # Two recordings entered under one id; the call landed (its transcript stands in for the ASR stage).
    for chunk in recording(meta, A, 2, seed=1) + recording(meta, B, 2, seed=2):
        pub.publish(chunk, chunk.call_id)
    pub.publish(replayed_transcript("two-recordings"), "two-recordings")
    pub.flush()

    lost = run_inspection_and_sink(settings, lambda: (r := reconcile(settings)).landed == 1 and r)
    assert lost, reconcile(settings).summary()
    # The second recording was neither transcribed nor refused: lost, and reconcile says so.
    assert lost.summary() == {"in": 2, "landed": 1, "dead_lettered": 0, "stuck": 1, "duplicates": 0}
    (gone,) = lost.stuck
    assert gone.call_id == "two-recordings" and gone.recording_sha256 == B
    assert f"lost recording sha256:{B[:12]} under call id two-recordings" in format_report(lost)

    # Refused with a dead letter naming it (as the ASR stage does), it is accounted for.
    pub.publish(DeadLetter(stage="asr", call_id="two-recordings", reason="a different recording", error_type="CallIdCollision",
                           recording_sha256=B), "two-recordings")
    pub.flush()
    pub.close()
    report = run_inspection_and_sink(settings, lambda: (r := reconcile(settings)).dead_lettered == 1 and r)
    assert report, reconcile(settings).summary()
    assert report.summary() == {"in": 2, "landed": 1, "dead_lettered": 1, "stuck": 0, "duplicates": 0}
    assert report.balanced


@pytest.mark.slow
def test_the_asr_worker_dead_letters_a_colliding_recording_and_keeps_a_redelivery_one_call(settings):
    from hotline.asr.model_files import prepare_whisper_model
    from hotline.asr.worker import run_asr_worker
    from hotline.app.reconcile import scan_topics
    from hotline.contracts import TranscriptReady

    prepare_whisper_model(settings.asr.model_dir)
    meta = call_meta("asr-collide")
    first, other = recording(meta, A, 3, seed=1), recording(meta, B, 3, seed=2)
    pub = Publisher.connect(settings.kafka)
    # The first recording, the same one again (a recorder's retry), then another recording under the same id.
    for chunk in first + first + other:
        pub.publish(chunk, chunk.call_id)
    pub.flush()
    pub.close()

    # Idle long enough for the group's first join (about 3 s on the development broker).
    assert run_asr_worker(settings, StopFlag(), idle_exit_s=10.0) == 1
    out = scan_topics(settings.kafka, (TranscriptReady.topic, DeadLetter.topic))
    finals = [t for t in (TranscriptReady.decode(r.value) for r in out[TranscriptReady.topic]) if t.is_final]
    assert [(t.call_id, t.meta.recording_sha256) for t in finals] == [("asr-collide", A)]
    (dl,) = [DeadLetter.decode(r.value) for r in out[DeadLetter.topic]]
    assert (dl.stage, dl.call_id, dl.error_type, dl.recording_sha256) == ("asr", "asr-collide", "CallIdCollision", B)
    assert dl.original_offset == 6  # the refused recording's first chunk (one key, one partition)
    assert "different recording" in dl.reason


def test_the_sink_refuses_a_different_recording_under_a_stored_call_id_and_keeps_the_call(settings):
    """After an ASR restart (or days later) the ASR stage no longer remembers the id, so a second
    recording under a sidecar's call id is transcribed and inspected: the warehouse refuses it."""
    from bench.load import BUILTIN_SEGMENTS
    from hotline.contracts import CALL_ID_COLLISION, CallInspected, Segment, TranscriptReady
    from hotline.warehouse.reader import open_snapshot, run_internal

    call_id = "sidecar-0001"
    meta = call_meta(call_id)

    def transcript(digest: str, segments: tuple[Segment, ...], final: bool = True) -> TranscriptReady:
        return replayed_transcript(call_id, segments).model_copy(
            update={"meta": meta.model_copy(update={"recording_sha256": digest}), "is_final": final})

    def stored() -> tuple:
        con = open_snapshot(settings.warehouse)
        try:
            return (con.sql("SELECT recording_sha256, transcript_final FROM calls WHERE call_id = ?", params=[call_id]).fetchall(),
                    con.sql("SELECT text FROM turns WHERE call_id = ? ORDER BY turn_no", params=[call_id]).fetchall(),
                    con.sql("SELECT inspected_at::VARCHAR FROM inspections WHERE call_id = ?", params=[call_id]).fetchall())
        finally:
            con.close()

    def refusals() -> list[dict]:
        return [r for r in run_internal(settings.warehouse, "dead_letters").iter_rows(named=True) if r["error_type"] == CALL_ID_COLLISION]

    pub = Publisher.connect(settings.kafka)
    # Recording A entered and landed (its transcript stands in for the ASR stage).
    for chunk in recording(meta, A, 2, seed=1):
        pub.publish(chunk, call_id)
    pub.publish(transcript(A, BUILTIN_SEGMENTS), call_id)
    pub.flush()
    first = run_inspection_and_sink(settings, lambda: (r := reconcile(settings)).landed == 1 and r)
    assert first and first.balanced, reconcile(settings).summary()
    before = stored()
    assert before[0] == [(A, True)] and len(before[2]) == 1

    # Recording B under the same id, transcribed by an ASR stage that forgot A: a partial, then the final.
    other = tuple(s.model_copy(update={"text": s.text.replace("幸福路18号", "光明街7号")}) for s in BUILTIN_SEGMENTS)
    for chunk in recording(meta, B, 2, seed=2):
        pub.publish(chunk, call_id)
    pub.publish(transcript(B, other[:2], final=False), call_id)
    pub.publish(transcript(B, other), call_id)
    pub.flush()
    pub.close()
    # Both transcripts and B's inspection are refused, each with a dead letter.
    report = run_inspection_and_sink(settings, lambda: len(refusals()) == 3 and (r := reconcile(settings)).balanced and r)
    assert report, (refusals(), reconcile(settings).summary())
    assert report.summary() == {"in": 2, "landed": 1, "dead_lettered": 1, "stuck": 0, "duplicates": 0}

    # A is intact: its recording, transcript and inspection as they were.
    assert stored() == before
    assert [text for (text,) in before[1]] == [s.text for s in BUILTIN_SEGMENTS]
    dead = refusals()
    assert {(d["stage"], d["call_id"], d["original_topic"]) for d in dead} == {
        ("sink", call_id, settings.kafka.topic(TranscriptReady.topic)),
        ("sink", call_id, settings.kafka.topic(CallInspected.topic)),
    }
    refused = sorted(kind for d in dead for kind in ("partial transcript", "final transcript", "inspection") if f"this {kind} is" in d["reason"])
    assert refused == ["final transcript", "inspection", "partial transcript"]
    assert all(f"stored from recording sha256:{A}" in d["reason"] and f"different recording, sha256:{B}" in d["reason"]
               for d in dead)
    con = open_snapshot(settings.warehouse)
    try:
        assert con.sql("SELECT DISTINCT recording_sha256 FROM dead_letters WHERE error_type = ?",
                       params=[CALL_ID_COLLISION]).fetchall() == [(B,)]
    finally:
        con.close()
