"""CallAssembler bookkeeping: small synthetic PCM, no model, no broker."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest
from kafka.structs import TopicPartition

from hotline.asr.assembler import AssembledCall, CallAssembler, RecordPosition, RejectedCall
from hotline.bus import PoisonMessage
from hotline.contracts import AudioChunk, CallMeta

TOPIC = "calls.audio.v1"
RATE = 8000
CHUNK_FRAMES = 800  # 0.1 s


def meta(call_id: str, **over) -> CallMeta:
    fields = dict(
        call_id=call_id, centre_id="c1", team_id="t1", agent_id="a1",
        started_at=datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc), channel_layout="stereo", agent_channel=0,
    )
    fields.update(over)
    return CallMeta(**fields)


def call_pcm(n_chunks: int, channels: int = 2, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(-2000, 2000, size=(n_chunks * CHUNK_FRAMES, channels), dtype=np.int16)


def chunks_of(m: CallMeta, pcm: np.ndarray, rate: int = RATE) -> list[AudioChunk]:
    n = len(pcm) // CHUNK_FRAMES
    return [
        AudioChunk(
            meta=m, seq=i, is_last=i == n - 1, sample_rate_hz=rate, channels=pcm.shape[1],
            offset_s=i * CHUNK_FRAMES / rate, audio=pcm[i * CHUNK_FRAMES : (i + 1) * CHUNK_FRAMES].astype("<i2").tobytes(),
        )
        for i in range(n)
    ]


def pos(offset: int, partition: int = 0) -> RecordPosition:
    return RecordPosition(TOPIC, partition, offset)


def new_assembler(**kw) -> CallAssembler:
    return CallAssembler(incomplete_call_timeout_s=kw.pop("timeout_s", 60.0), **kw)


def test_in_order_call_completes_exactly_once_with_identical_samples():
    pcm = call_pcm(4)
    asm = new_assembler()
    results = [asm.add(c, pos(i), now=0.0) for i, c in enumerate(chunks_of(meta("c-1"), pcm))]
    assert results[:3] == [None, None, None]
    done = results[3]
    assert isinstance(done, AssembledCall)
    assert done.call_id == "c-1" and done.sample_rate_hz == RATE and not done.incomplete and done.missing_seqs == ()
    np.testing.assert_array_equal(done.pcm, pcm)
    assert done.last_position == pos(3)
    assert asm.open_calls == 0


def test_duplicates_and_out_of_order_chunks():
    pcm = call_pcm(5, seed=1)
    chunks = chunks_of(meta("c-2"), pcm)
    order = [3, 0, 4, 0, 3, 1, 2]  # last chunk early, duplicates of 0 and 3
    asm = new_assembler()
    results = [asm.add(chunks[seq], pos(off), now=0.0) for off, seq in enumerate(order)]
    assert all(r is None for r in results[:-1])
    done = results[-1]
    assert isinstance(done, AssembledCall)
    np.testing.assert_array_equal(done.pcm, pcm)
    # A late redelivery of a finished call's chunk must not reopen it.
    assert asm.add(chunks[2], pos(len(order)), now=0.0) is None
    assert asm.open_calls == 0


@pytest.mark.parametrize(
    "change, reason_part",
    [
        ({"sample_rate_hz": 16000}, "sample rate"),
        ({"channels": 1}, "channel count"),
        ({"meta": meta("c-3", agent_id="someone-else")}, "metadata"),
        ({"audio": b"\x01\x02\x03"}, "whole number"),
        ({"is_last": True, "seq": 1}, "both claim to be the last"),
    ],
)
def test_inconsistent_chunk_poisons_the_call(change, reason_part):
    chunks = chunks_of(meta("c-3"), call_pcm(4, seed=2))
    asm = new_assembler()
    asm.add(chunks[0], pos(0), now=0.0)
    asm.add(chunks[3], pos(1), now=0.0)  # the last chunk, so a second "last" is a contradiction
    bad = chunks[1].model_copy(update=change)
    with pytest.raises(PoisonMessage) as err:
        asm.add(bad, pos(2), now=0.0)
    assert err.value.call_id == "c-3"
    assert reason_part in err.value.reason
    # The poisoned call is forgotten: its remaining chunks neither reopen it nor hold offsets back.
    assert asm.add(chunks[2], pos(3), now=0.0) is None
    assert asm.open_calls == 0
    assert asm.safe_offsets() == {TopicPartition(TOPIC, 0): 4}


def test_chunk_after_the_last_one_poisons():
    chunks = chunks_of(meta("c-4"), call_pcm(4))
    asm = new_assembler()
    asm.add(chunks[2].model_copy(update={"is_last": True}), pos(0), now=0.0)
    with pytest.raises(PoisonMessage, match="after the last chunk"):
        asm.add(chunks[3].model_copy(update={"is_last": False}), pos(1), now=0.0)


def test_too_low_sample_rate_and_odd_bytes_poison_on_first_chunk():
    asm = new_assembler()
    chunk = chunks_of(meta("c-5"), call_pcm(2))[0]
    with pytest.raises(PoisonMessage, match="below 8000 Hz"):
        asm.add(chunk.model_copy(update={"sample_rate_hz": 4000}), pos(0), now=0.0)
    with pytest.raises(PoisonMessage, match="16-bit frames"):
        asm.add(chunks_of(meta("c-6"), call_pcm(2))[0].model_copy(update={"audio": b"\x00" * 6}), pos(1), now=0.0)


def test_call_over_the_maximum_length_is_poisoned_not_buffered():
    asm = new_assembler(max_call_s=0.25)  # 2.5 chunks of 0.1 s
    chunks = chunks_of(meta("c-7"), call_pcm(5))
    assert asm.add(chunks[0], pos(0), now=0.0) is None
    assert asm.add(chunks[1], pos(1), now=0.0) is None
    with pytest.raises(PoisonMessage, match="maximum call length"):
        asm.add(chunks[2], pos(2), now=0.0)
    assert asm.open_calls == 0
    by_bytes = new_assembler(max_call_bytes=2 * CHUNK_FRAMES * 2 * 2)  # two stereo chunks
    by_bytes.add(chunks[0], pos(0), now=0.0)
    by_bytes.add(chunks[1], pos(1), now=0.0)
    with pytest.raises(PoisonMessage, match="bytes"):
        by_bytes.add(chunks[2], pos(2), now=0.0)


def test_missing_last_chunk_is_released_as_incomplete_after_timeout():
    pcm = call_pcm(4, seed=3)
    chunks = chunks_of(meta("c-8"), pcm)
    asm = new_assembler(timeout_s=30.0)
    asm.add(chunks[0], pos(0), now=0.0)
    asm.add(chunks[2], pos(1), now=10.0)  # chunk 1 lost, chunk 3 (the last) never sent
    assert asm.expire(now=39.0) == []  # 29 s since the last chunk
    (released,) = asm.expire(now=40.5)
    assert isinstance(released, AssembledCall) and released.incomplete
    assert released.missing_seqs == (1,)
    # The lost chunk becomes silence, so chunk 2 keeps its true position in the call.
    assert released.pcm.shape == (3 * CHUNK_FRAMES, 2)
    np.testing.assert_array_equal(released.pcm[:CHUNK_FRAMES], pcm[:CHUNK_FRAMES])
    assert not released.pcm[CHUNK_FRAMES : 2 * CHUNK_FRAMES].any()
    np.testing.assert_array_equal(released.pcm[2 * CHUNK_FRAMES :], pcm[2 * CHUNK_FRAMES : 3 * CHUNK_FRAMES])
    assert asm.open_calls == 0 and asm.expire(now=1000.0) == []


def test_headless_call_is_rejected_not_transcribed_after_timeout():
    chunks = chunks_of(meta("c-9"), call_pcm(4))
    asm = new_assembler(timeout_s=5.0)
    asm.add(chunks[2], pos(7), now=0.0)
    asm.add(chunks[3], pos(8), now=0.0)
    (released,) = asm.expire(now=6.0)
    assert isinstance(released, RejectedCall)
    assert released.call_id == "c-9" and "never chunk 0" in released.reason
    assert released.last_position == pos(8)


def test_safe_offsets_never_pass_an_open_calls_first_chunk():
    a = chunks_of(meta("a"), call_pcm(3, seed=4))
    b = chunks_of(meta("b"), call_pcm(2, seed=5))
    c = chunks_of(meta("c"), call_pcm(2, seed=6))
    p0, p1 = TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)
    asm = new_assembler()
    # partition 0 interleaves a and b; partition 1 carries c.
    asm.add(a[0], pos(10), now=0.0)
    asm.add(b[0], pos(11), now=0.0)
    asm.add(c[0], pos(3, partition=1), now=0.0)
    assert asm.safe_offsets() == {p0: 10, p1: 3}
    asm.add(a[1], pos(12), now=0.0)
    asm.skip(pos(13))  # an undecodable record between chunks
    assert asm.add(b[1], pos(14), now=0.0) is not None  # b done; a still open since offset 10
    assert asm.safe_offsets()[p0] == 10
    assert asm.add(a[2], pos(15), now=0.0) is not None
    assert asm.safe_offsets() == {p0: 16, p1: 3}
    assert asm.add(c[1], pos(4, partition=1), now=0.0) is not None
    assert asm.safe_offsets() == {p0: 16, p1: 5}


def test_revoked_partitions_drop_their_open_calls():
    a = chunks_of(meta("a"), call_pcm(2))
    c = chunks_of(meta("c"), call_pcm(2))
    p0, p1 = TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)
    asm = new_assembler()
    asm.add(a[0], pos(0), now=0.0)
    asm.add(c[0], pos(0, partition=1), now=0.0)
    asm.forget_partitions([p0])
    assert asm.open_calls == 1
    assert asm.safe_offsets() == {p1: 0}
    # Reassigned later: the whole call is read again from the committed offset and completes.
    asm.add(a[0], pos(0), now=0.0)
    assert asm.add(a[1], pos(1), now=0.0) is not None
