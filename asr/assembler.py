"""Reassemble calls from the audio chunks a recorder streams, and say which offsets are safe to commit.

Chunks of one call share a key, so they normally arrive in order on one partition, interleaved
with other calls' chunks. Kafka redelivers after a crash or rebalance, so the same chunk may
come twice; a replayed recording may arrive out of order. A call is complete once its last
chunk and every chunk before it have arrived.

Identity: a call id names one recording (``CallMeta.recording_sha256``). Chunks of the same
recording arriving again are a redelivery; chunks of a different recording under an id that is
open or finished are a collision, refused (``CallIdCollision``) rather than merged or dropped
unseen, and the first recording keeps the id.

Offsets: a call's chunks stay in memory only, so a committed offset must never pass the first
chunk of a call that is still open; otherwise a crash would lose that call's head. The committed
position on a partition is therefore the lowest first-offset of its open calls (or, with none
open, just past the last record handled). A crash re-reads every open call's chunks (and maybe
some finished calls' too: at-least-once; transcripts are keyed by call id downstream).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from kafka.structs import TopicPartition

from hotline.bus import PoisonMessage
from hotline.contracts import AudioChunk, CallMeta

from .resample import MIN_SAMPLE_RATE_HZ

log = logging.getLogger(__name__)

BYTES_PER_SAMPLE = 2  # pcm_s16le
# Longer than any real hotline call; bounds so one runaway stream cannot exhaust memory.
DEFAULT_MAX_CALL_S = 2 * 3600.0
DEFAULT_MAX_CALL_BYTES = 512 * 1024 * 1024
# Remember this many finished call ids, so late duplicates of a finished call do not reopen it.
FINISHED_CALLS_REMEMBERED = 100_000


class CallIdCollision(PoisonMessage):
    """A chunk of a different recording than the one its call id already names."""

    def __init__(self, reason: str, call_id: str, recording_sha256: str | None):
        super().__init__(reason, call_id=call_id)
        self.recording_sha256 = recording_sha256


def same_recording(a: str | None, b: str | None) -> bool:
    # A producer that names no recording cannot be told apart: its chunks count as the same recording.
    return a is None or b is None or a == b


@dataclass(frozen=True)
class RecordPosition:
    topic: str
    partition: int
    offset: int

    @property
    def topic_partition(self) -> TopicPartition:
        return TopicPartition(self.topic, self.partition)


@dataclass(frozen=True)
class AssembledCall:
    meta: CallMeta
    pcm: np.ndarray  # int16, shape (n_samples, channels)
    sample_rate_hz: int
    # True when released by timeout: the last chunk (or some middle chunk) never arrived.
    incomplete: bool
    missing_seqs: tuple[int, ...]
    # The record that completed (or last extended) the call: where a dead letter points.
    last_position: RecordPosition

    @property
    def call_id(self) -> str:
        return self.meta.call_id


@dataclass(frozen=True)
class RejectedCall:
    """An open call that timed out in a state that cannot be transcribed honestly."""

    call_id: str
    reason: str
    last_position: RecordPosition


@dataclass(frozen=True)
class ArrivedAudio:
    """The unbroken head of an open call (chunk 0 onwards, up to the first gap): what a partial may decode."""

    meta: CallMeta
    pcm: np.ndarray  # int16, shape (n_samples, channels)
    sample_rate_hz: int

    @property
    def call_id(self) -> str:
        return self.meta.call_id


@dataclass
class _OpenCall:
    meta: CallMeta
    sample_rate_hz: int
    channels: int
    codec: str
    chunks: dict[int, AudioChunk] = field(default_factory=dict)
    last_seq: int | None = None
    samples: int = 0
    # Lowest offset of this call's chunks per partition: commits must not pass it.
    first_offsets: dict[TopicPartition, int] = field(default_factory=dict)
    last_position: RecordPosition | None = None
    last_seen: float = 0.0

    def is_complete(self) -> bool:
        return self.last_seq is not None and len(self.chunks) == self.last_seq + 1


class CallAssembler:
    """Bookkeeping only (no Kafka client): the worker feeds it records and commits what it says is safe."""

    def __init__(
        self,
        *,
        incomplete_call_timeout_s: float,
        max_call_s: float = DEFAULT_MAX_CALL_S,
        max_call_bytes: int = DEFAULT_MAX_CALL_BYTES,
        finished_calls_remembered: int = FINISHED_CALLS_REMEMBERED,
    ):
        self._timeout_s = incomplete_call_timeout_s
        self._max_call_s = max_call_s
        self._max_call_bytes = max_call_bytes
        self._open: dict[str, _OpenCall] = {}
        # Finished call id -> its recording's digest.
        self._finished: OrderedDict[str, str | None] = OrderedDict()
        # (call id, recording digest) refused as collisions: their later chunks are ignored.
        self._refused: OrderedDict[tuple[str, str | None], None] = OrderedDict()
        self._finished_max = finished_calls_remembered
        # Next offset after the last record handled, per partition.
        self._handled: dict[TopicPartition, int] = {}

    # -- feeding -----------------------------------------------------------------------------

    def add(self, chunk: AudioChunk, position: RecordPosition, now: float) -> AssembledCall | None:
        """Take one chunk; return the call if this chunk completed it.

        Raises ``PoisonMessage`` (with the call id) when the call can never be assembled; the call
        is then forgotten and its later chunks are ignored. Raises ``CallIdCollision`` for the first
        chunk of a different recording under the id of an open or finished call; the call stays as
        it is and the refused recording's later chunks are ignored.
        """
        self._mark_handled(position)
        call_id = chunk.call_id
        recording = chunk.meta.recording_sha256
        if (call_id, recording) in self._refused:
            return None
        if call_id in self._finished:
            if not same_recording(self._finished[call_id], recording):
                raise self._refuse(chunk, self._finished[call_id], "a finished call")
            log.debug("chunk %d of finished call %s ignored (redelivery)", chunk.seq, call_id)
            return None
        call = self._open.get(call_id)
        if call is not None and not same_recording(call.meta.recording_sha256, recording):
            raise self._refuse(chunk, call.meta.recording_sha256, "a call still arriving")
        if call is None:
            call = _OpenCall(meta=chunk.meta, sample_rate_hz=chunk.sample_rate_hz, channels=chunk.channels, codec=chunk.codec)
            self._open[call_id] = call
        tp = position.topic_partition
        call.first_offsets[tp] = min(call.first_offsets.get(tp, position.offset), position.offset)
        call.last_position = position
        call.last_seen = now

        if chunk.seq in call.chunks:
            return None  # a duplicate (producer retry or redelivery): the first copy stands
        try:
            self._check_consistent(call, chunk)
            call.chunks[chunk.seq] = chunk
            call.samples += len(chunk.audio) // (BYTES_PER_SAMPLE * chunk.channels)
            if chunk.is_last:
                call.last_seq = chunk.seq
            received_bytes = call.samples * BYTES_PER_SAMPLE * call.channels
            if call.samples / call.sample_rate_hz > self._max_call_s or received_bytes > self._max_call_bytes:
                raise PoisonMessage(
                    f"call {call_id} exceeds the maximum call length of {self._max_call_s:.0f}s or "
                    f"{self._max_call_bytes} bytes ({call.samples / call.sample_rate_hz:.0f}s, {received_bytes} bytes "
                    "received); not buffered further",
                    call_id=call_id,
                )
        except PoisonMessage:
            # Forget the call for good: its remaining chunks must not reopen it as a headless call.
            self._finish(call)
            raise
        if not call.is_complete():
            return None
        self._finish(call)
        return self._assemble(call, incomplete=False)

    def skip(self, position: RecordPosition) -> None:
        """A record that belongs to no call (undecodable, dead-lettered): only its offset counts."""
        self._mark_handled(position)

    def expire(self, now: float) -> list[AssembledCall | RejectedCall]:
        """Release calls that received nothing for ``incomplete_call_timeout_s``."""
        released: list[AssembledCall | RejectedCall] = []
        for call_id, call in list(self._open.items()):
            if now - call.last_seen < self._timeout_s:
                continue
            self._finish(call)
            assert call.last_position is not None
            if 0 not in call.chunks:
                # After a restart, re-reading from the committed offset can deliver only the tail of a call
                # whose head was committed past because it had already been transcribed; a transcript of
                # the tail would overwrite the full one downstream. A recorder losing a head is rarer still.
                released.append(
                    RejectedCall(
                        call_id,
                        f"call {call_id}: chunks {sorted(call.chunks)[:5]}... arrived but never chunk 0 "
                        f"(within {self._timeout_s:.0f}s); a tail re-read after a restart (already transcribed) "
                        "or a recorder that lost the start of the call",
                        call.last_position,
                    )
                )
                continue
            log.warning("call %s timed out after %.0fs without its last chunk; transcribing what arrived", call_id, self._timeout_s)
            released.append(self._assemble(call, incomplete=True))
        return released

    # -- offsets and partitions ------------------------------------------------------------

    def safe_offsets(self) -> dict[TopicPartition, int]:
        """Per partition, the offset a commit may move to without losing an open call's chunks."""
        safe = dict(self._handled)
        for call in self._open.values():
            for tp, first in call.first_offsets.items():
                if tp in safe:
                    safe[tp] = min(safe[tp], first)
        return safe

    def forget_partitions(self, partitions: Iterable[TopicPartition]) -> None:
        """Partitions revoked: their open calls will be re-read by the next owner from the committed offset."""
        gone = set(partitions)
        for call_id, call in list(self._open.items()):
            if gone & set(call.first_offsets):
                del self._open[call_id]
        for tp in gone:
            self._handled.pop(tp, None)

    def reset(self) -> None:
        """Forget everything (the worker seeks back to the committed offsets and reads again)."""
        self._open.clear()
        self._finished.clear()
        self._refused.clear()
        self._handled.clear()

    @property
    def open_calls(self) -> int:
        return len(self._open)

    def open_call_ids(self) -> list[str]:
        return list(self._open)

    def arrived_samples(self, call_id: str) -> int:
        """Samples (per channel) in the open call's unbroken head; 0 for a call not open or without chunk 0."""
        call = self._open.get(call_id)
        if call is None:
            return 0
        samples = 0
        seq = 0
        while seq in call.chunks:
            samples += len(call.chunks[seq].audio) // (BYTES_PER_SAMPLE * call.channels)
            seq += 1
        return samples

    def arrived_audio(self, call_id: str) -> ArrivedAudio | None:
        """The open call's unbroken head, read without changing anything (partials must not touch offsets)."""
        call = self._open.get(call_id)
        if call is None or 0 not in call.chunks:
            return None
        pieces = []
        seq = 0
        while seq in call.chunks:
            pieces.append(np.frombuffer(call.chunks[seq].audio, dtype="<i2").reshape(-1, call.channels))
            seq += 1
        return ArrivedAudio(call.meta, np.concatenate(pieces).astype(np.int16, copy=False), call.sample_rate_hz)

    # -- internals --------------------------------------------------------------------------

    def _mark_handled(self, position: RecordPosition) -> None:
        tp = position.topic_partition
        self._handled[tp] = max(self._handled.get(tp, 0), position.offset + 1)

    def _finish(self, call: _OpenCall) -> None:
        call_id = call.meta.call_id
        self._open.pop(call_id, None)
        self._finished[call_id] = call.meta.recording_sha256
        self._finished.move_to_end(call_id)
        while len(self._finished) > self._finished_max:
            self._finished.popitem(last=False)

    def _refuse(self, chunk: AudioChunk, holder: str | None, held_by: str) -> CallIdCollision:
        call_id, recording = chunk.call_id, chunk.meta.recording_sha256
        self._refused[(call_id, recording)] = None
        while len(self._refused) > self._finished_max:
            self._refused.popitem(last=False)
        return CallIdCollision(
            f"call id {call_id} already names {held_by} from recording sha256:{(holder or '?')[:12]}; this chunk "
            f"({chunk.seq}) is from a different recording, sha256:{(recording or '?')[:12]} ({chunk.meta.source_uri or 'source not given'}). "
            "Refused so that neither replaces the other: send it again under a call id of its own",
            call_id,
            recording,
        )

    @staticmethod
    def _check_format(chunk: AudioChunk) -> None:
        if chunk.sample_rate_hz < MIN_SAMPLE_RATE_HZ:
            raise PoisonMessage(
                f"call {chunk.call_id}: sample rate {chunk.sample_rate_hz} Hz is below {MIN_SAMPLE_RATE_HZ} Hz; not speech audio",
                call_id=chunk.call_id,
            )
        frame_bytes = BYTES_PER_SAMPLE * chunk.channels
        if len(chunk.audio) % frame_bytes:
            raise PoisonMessage(
                f"call {chunk.call_id}: chunk {chunk.seq} holds {len(chunk.audio)} bytes, not a whole number of "
                f"{chunk.channels}-channel 16-bit frames ({frame_bytes} bytes each)",
                call_id=chunk.call_id,
            )

    def _check_consistent(self, call: _OpenCall, chunk: AudioChunk) -> None:
        cid = chunk.call_id

        def differs(what: str, first, now) -> PoisonMessage:
            return PoisonMessage(f"call {cid}: chunk {chunk.seq} has {what} {now!r}, earlier chunks {first!r}", call_id=cid)

        if chunk.sample_rate_hz != call.sample_rate_hz:
            raise differs("sample rate", call.sample_rate_hz, chunk.sample_rate_hz)
        if chunk.channels != call.channels:
            raise differs("channel count", call.channels, chunk.channels)
        if chunk.codec != call.codec:
            raise differs("codec", call.codec, chunk.codec)
        if chunk.meta != call.meta:
            raise PoisonMessage(f"call {cid}: chunk {chunk.seq} carries different call metadata than earlier chunks", call_id=cid)
        self._check_format(chunk)
        if chunk.is_last and call.last_seq is not None and chunk.seq != call.last_seq:
            raise PoisonMessage(f"call {cid}: chunks {call.last_seq} and {chunk.seq} both claim to be the last", call_id=cid)
        last = call.last_seq if call.last_seq is not None else (chunk.seq if chunk.is_last else None)
        beyond = [s for s in (*call.chunks, chunk.seq) if last is not None and s > last]
        if beyond:
            raise PoisonMessage(f"call {cid}: chunk {max(beyond)} arrived after the last chunk {last}", call_id=cid)

    def _assemble(self, call: _OpenCall, *, incomplete: bool) -> AssembledCall:
        rate, channels = call.sample_rate_hz, call.channels
        top = call.last_seq if call.last_seq is not None else max(call.chunks)
        missing = tuple(s for s in range(top + 1) if s not in call.chunks)
        pieces: list[np.ndarray] = []
        cursor = 0
        for seq in sorted(call.chunks):
            chunk = call.chunks[seq]
            frames = np.frombuffer(chunk.audio, dtype="<i2").reshape(-1, channels)
            # A gap (missing chunks of an incomplete call) becomes silence, so later timestamps stay true.
            expected = round(chunk.offset_s * rate)
            if seq > 0 and (seq - 1) not in call.chunks and expected > cursor:
                pieces.append(np.zeros((expected - cursor, channels), dtype=np.int16))
                cursor = expected
            pieces.append(frames)
            cursor += len(frames)
        pcm = np.concatenate(pieces).astype(np.int16, copy=False) if pieces else np.zeros((0, channels), np.int16)
        assert call.last_position is not None
        return AssembledCall(
            meta=call.meta,
            pcm=pcm,
            sample_rate_hz=rate,
            incomplete=incomplete,
            missing_seqs=missing,
            last_position=call.last_position,
        )
