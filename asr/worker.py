"""The ASR stage: audio chunks in, one final transcript (or one dead letter) per call out.

With ``asr.partial_interval_s`` set, calls still arriving also get partial transcripts
(``partials``): best effort, published like the final one, never changing what is committed.

Unlike a stateless stage, a call spans many records, so offsets are committed as the assembler
allows (never past an open call's first chunk) and only after everything produced so far has
been acknowledged by the broker. A Kafka failure rewinds to the committed offsets and replaces
the producer (an idempotent producer that lost its broker stays failed), as ``bus`` does for the
stateless stages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from hotline.bus import AssignmentLog, IdleClock, PoisonMessage, Publisher, StopFlag, dead_letter_for, make_consumer
from hotline.contracts import CALL_ID_COLLISION, AudioChunk, ContractError, DeadLetter
from hotline.settings import Settings

from .assembler import AssembledCall, CallAssembler, CallIdCollision, RecordPosition, RejectedCall
from .partials import PartialTranscripts
from .transcriber import Transcriber

log = logging.getLogger(__name__)

GROUP_ID = "hotline-asr"
STAGE = "asr"
# Chunks are large and a finished call can take a while to transcribe: fetch a few at a time.
MAX_POLL_RECORDS = 8
POLL_TIMEOUT_MS = 500
# A call whose transcription fails this many times with an unexpected error is dead-lettered, so
# audio that crashes the decoder cannot stall the partition forever.
MAX_TRANSCRIBE_ATTEMPTS = 2


class _TransientError(Exception):
    """Something outside the message went wrong (broker, resources): rewind, back off, retry."""


class _Revocations(AssignmentLog):
    """Drops a revoked partition's open calls, and logs each rebalance as the stateless stages do
    (`<group>: partitions assigned: …`), so several workers' logs show how the partitions are shared."""

    def __init__(self, group: str, on_revoked: Callable[[list[TopicPartition]], None]):
        super().__init__(group)
        self._on_revoked = on_revoked

    def on_partitions_revoked(self, revoked):
        super().on_partitions_revoked(revoked)
        self._on_revoked(list(revoked))


class AsrWorker:
    """One consumer, one assembler, one model. ``run`` returns the number of calls finished."""

    def __init__(self, settings: Settings, transcriber: Transcriber, consumer: KafkaConsumer, publisher: Publisher):
        self._settings = settings
        self._transcriber = transcriber
        self._consumer = consumer
        self._publisher = publisher
        self._assembler = CallAssembler(incomplete_call_timeout_s=settings.asr.incomplete_call_timeout_s)
        self._partials = (
            PartialTranscripts(transcriber, interval_s=settings.asr.partial_interval_s, silence_threshold_s=settings.asr.silence_threshold_s)
            if settings.asr.partial_interval_s > 0
            else None
        )
        self.partials_published = 0
        self._committed: dict[TopicPartition, int] = {}
        self._failures: dict[str, int] = {}
        # Sends not yet confirmed: a producer's flush() returns even when a send failed.
        self._pending: list = []
        # Time spent transcribing does not count towards a call's silence timeout: its chunks may be
        # waiting in Kafka while the worker is busy with another call.
        self._busy_s = 0.0
        self.finished = 0

    def _now(self) -> float:
        return time.monotonic() - self._busy_s

    def run(self, stop: StopFlag, idle_exit_s: float | None) -> int:
        topic = self._settings.kafka.topic(AudioChunk.topic)
        # Subscribe again with a listener: a revoked partition's open calls must be dropped. Same topics,
        # so this only swaps the listener. Unsubscribing first made the member leave and rejoin while its
        # first join could still be under way, and the development broker then held the rejoin for the
        # whole rebalance timeout (max_poll_interval_ms, 30 min): the worker sat idle with no partitions.
        self._consumer.subscribe([topic], listener=_Revocations(self._consumer.config["group_id"], self._on_revoked))
        idle = IdleClock(self._consumer, idle_exit_s)
        backoff_s = 0.5
        while not stop.is_set():
            try:
                batches = self._consumer.poll(timeout_ms=POLL_TIMEOUT_MS)
                for records in batches.values():
                    for record in records:
                        if stop.is_set():
                            break
                        self._handle_record(record)
                for released in self._assembler.expire(self._now()):
                    self._finish_released(released)
                # Partials only at the live edge: a full poll means more chunks are already waiting
                # (a backlog, a batch upload), and a call whose end is in Kafka needs no preview.
                if sum(len(records) for records in batches.values()) < MAX_POLL_RECORDS:
                    self._publish_partials(stop)
                self._settle()
                backoff_s = 0.5
            except (_TransientError, KafkaError) as exc:
                log.warning("asr: transient failure (%s); rewinding to the committed offsets in %.1fs", exc, backoff_s)
                stop.wait(backoff_s)
                backoff_s = min(backoff_s * 2, 30.0)
                if isinstance(exc, KafkaError) or isinstance(exc.__cause__, KafkaError):
                    self._reconnect()
                self._rewind()
                continue
            if batches:
                idle.active()
            elif self._assembler.open_calls == 0 and idle.expired():
                break
        self._settle_quietly()
        return self.finished

    # -- records --------------------------------------------------------------------------

    def _handle_record(self, record: ConsumerRecord) -> None:
        position = RecordPosition(record.topic, record.partition, record.offset)
        try:
            chunk = AudioChunk.decode(record.value)
        except ContractError as exc:
            self._assembler.skip(position)
            self._dead_letter(dead_letter_for(STAGE, record, str(exc), "ContractError"))
            return
        try:
            call = self._assembler.add(chunk, position, self._now())
        except CallIdCollision as exc:
            # The call holding the id goes on; only the other recording is refused.
            self._dead_letter(dead_letter_for(STAGE, record, exc.reason, CALL_ID_COLLISION, call_id=exc.call_id,
                                              recording_sha256=exc.recording_sha256))
            return
        except PoisonMessage as exc:
            self._dead_letter(dead_letter_for(STAGE, record, exc.reason, "PoisonMessage", call_id=exc.call_id or chunk.call_id))
            self.finished += 1
            return
        if call is not None:
            self._transcribe(call, record)

    def _finish_released(self, released: AssembledCall | RejectedCall) -> None:
        if isinstance(released, RejectedCall):
            self._dead_letter(_dead_letter_at(released.last_position, released.reason, "IncompleteCall", released.call_id))
            self.finished += 1
        else:
            self._transcribe(released, None)

    def _transcribe(self, call: AssembledCall, record: ConsumerRecord | None) -> None:
        started = time.monotonic()
        try:
            if self._partials is not None and self._settings.asr.final_reuses_partials:
                transcript = self._partials.finish(call)
            else:
                transcript = self._transcriber.transcribe_call(call.meta, call.pcm, call.sample_rate_hz, incomplete=call.incomplete)
        except PoisonMessage as exc:
            self._dead_letter(self._call_dead_letter(call, record, exc.reason, "PoisonMessage"))
            self.finished += 1
            return
        except Exception as exc:  # noqa: BLE001 - a decoder crash must not take the worker down
            attempts = self._failures.get(call.call_id, 0) + 1
            self._failures[call.call_id] = attempts
            log.exception("asr: transcribing %s failed (attempt %d of %d)", call.call_id, attempts, MAX_TRANSCRIBE_ATTEMPTS)
            if attempts < MAX_TRANSCRIBE_ATTEMPTS:
                raise _TransientError(f"transcription of {call.call_id} failed: {exc!r}") from exc
            self._dead_letter(self._call_dead_letter(call, record, f"transcription failed {attempts} times: {exc!r}", type(exc).__name__))
            self.finished += 1
            return
        finally:
            self._busy_s += time.monotonic() - started
        self._failures.pop(call.call_id, None)
        try:
            self._pending.append(self._publisher.publish(transcript, key=call.call_id))
        except ValueError as exc:  # larger than kafka.max_message_bytes: will never fit
            self._dead_letter(self._call_dead_letter(call, record, str(exc), "TranscriptTooLarge"))
        self.finished += 1
        log.info(
            "asr: %s transcribed: %.1fs audio in %.1fs, %d segments%s",
            call.call_id, transcript.duration_s, transcript.processing_s, len(transcript.segments), " (incomplete)" if call.incomplete else "",
        )
        # Commit after each call: transcription is the slow part, so keep redone work after a crash small.
        self._settle()

    @staticmethod
    def _call_dead_letter(call: AssembledCall, record: ConsumerRecord | None, reason: str, error_type: str) -> DeadLetter:
        if record is not None:
            return dead_letter_for(STAGE, record, reason, error_type, call_id=call.call_id)
        return _dead_letter_at(call.last_position, reason, error_type, call.call_id)

    def _dead_letter(self, dl: DeadLetter) -> None:
        log.error("asr: dead-lettered %s at %s:%s@%s: %s", dl.call_id, dl.original_topic, dl.original_partition, dl.original_offset, dl.reason)
        key = dl.call_id or f"{dl.original_topic}:{dl.original_partition}:{dl.original_offset}"
        self._pending.append(self._publisher.publish(dl, key=key))

    # -- partial transcripts ----------------------------------------------------------------

    def _publish_partials(self, stop: StopFlag) -> None:
        """A partial transcript for each open call with enough new audio; the call itself is never at stake."""
        if self._partials is None:
            return
        open_ids = self._assembler.open_call_ids()
        self._partials.keep_only(open_ids)
        for call_id in open_ids:
            if stop.is_set():
                return
            audio = self._assembler.arrived_audio(call_id)
            if audio is None or not self._partials.due(call_id, len(audio.pcm), audio.sample_rate_hz):
                continue
            started = time.monotonic()
            try:
                partial = self._partials.transcribe(audio)
            except Exception:  # noqa: BLE001 - a partial is best effort: the final pass decides about the call
                log.warning("asr: partial transcript of %s failed; the call waits for its final transcript", call_id, exc_info=True)
                continue
            finally:
                self._busy_s += time.monotonic() - started
            if partial is None:
                continue
            try:
                # Acknowledged (or not) in _settle like everything else: a failed send rewinds, and the
                # call is re-read from its first chunk, which the commit never passes while it is open.
                self._pending.append(self._publisher.publish(partial, key=call_id))
            except ValueError as exc:  # over kafka.max_message_bytes: the final transcript will say so
                log.warning("asr: partial transcript of %s not published: %s", call_id, exc)
                continue
            self.partials_published += 1
            log.info("asr: %s partial up to %.1fs: %d segments", call_id, partial.duration_s, len(partial.segments))

    # -- offsets --------------------------------------------------------------------------

    def _settle(self) -> None:
        """Wait for the broker to acknowledge what was produced, then commit what is safe."""
        self._publisher.flush()
        pending, self._pending = self._pending, []
        for future in pending:
            future.get(timeout=0)  # raises the send's KafkaError: nothing gets committed then
        assigned = self._consumer.assignment()
        to_commit = {
            tp: OffsetAndMetadata(offset, None, -1)
            for tp, offset in self._assembler.safe_offsets().items()
            if tp in assigned and offset > self._committed.get(tp, -1)
        }
        if to_commit:
            self._consumer.commit(to_commit)
            self._committed.update({tp: om.offset for tp, om in to_commit.items()})

    def _settle_quietly(self) -> None:
        try:
            self._settle()
        except KafkaError as exc:
            log.warning("asr: final commit failed (%s); the next run re-reads from the last committed offsets", exc)

    def _on_revoked(self, revoked: list[TopicPartition]) -> None:
        self._settle_quietly()
        self._assembler.forget_partitions(revoked)
        for tp in revoked:
            self._committed.pop(tp, None)

    def _reconnect(self) -> None:
        try:
            self._publisher.reconnect()
        except KafkaError:  # the broker is still away: the next failure tries again
            log.warning("asr: producer not recreated yet", exc_info=True)

    def _rewind(self) -> None:
        """Start over from the committed offsets, as a restarted worker would."""
        self._assembler.reset()
        if self._partials is not None:
            self._partials.keep_only([])
        self._committed.clear()
        self._pending.clear()
        try:
            for tp in self._consumer.assignment():
                committed = self._consumer.committed(tp)
                if committed is None:
                    self._consumer.seek_to_beginning(tp)
                else:
                    self._consumer.seek(tp, committed)
        except KafkaError as exc:
            log.warning("asr: could not rewind yet (%s); will retry", exc)


def _dead_letter_at(position: RecordPosition, reason: str, error_type: str, call_id: str) -> DeadLetter:
    return DeadLetter(
        stage=STAGE,
        call_id=call_id,
        reason=reason,
        error_type=error_type,
        original_topic=position.topic,
        original_partition=position.partition,
        original_offset=position.offset,
        original_key=call_id,
    )


def run_asr_worker(settings: Settings, stop: StopFlag, idle_exit_s: float | None = None, transcriber: Transcriber | None = None) -> int:
    """Run the ASR stage until ``stop`` is set (or idle for ``idle_exit_s`` with no open call); returns calls finished."""
    transcriber = transcriber or Transcriber(settings.asr)
    consumer = make_consumer(settings.kafka, GROUP_ID, [AudioChunk.topic], max_poll_records=MAX_POLL_RECORDS)
    publisher = Publisher.connect(settings.kafka)
    try:
        return AsrWorker(settings, transcriber, consumer, publisher).run(stop, idle_exit_s)
    finally:
        consumer.close(autocommit=False)
        publisher.close()
