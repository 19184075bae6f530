"""The sink: the end of the line, and the only writer of the warehouse file.

It consumes transcripts, inspections, alerts, dead letters and work-order events, writes each
polled batch in one DuckDB transaction with idempotent set-based upserts (one statement per
table), and commits Kafka offsets only after DuckDB has committed (at-least-once; replays land
on the same rows). A message that fails its contract is stored as a dead letter, never dropped;
one that passes it but cannot be stored is found by writing the batch again one message at a
time, and dead-lettered; a transcript or inspection of a different recording than the one its call
is stored from is dead-lettered too (CallIdCollision, warehouse/identity.py), never written over
the call. After writes it publishes a snapshot for readers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack

import duckdb
from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from hotline.bus import IdleClock, StopFlag, dead_letter_for, make_consumer, poll_quietly
from hotline.contracts import CALL_ID_COLLISION, Contract, ContractError
from hotline.settings import Settings, WarehouseSettings
from hotline.warehouse.identity import colliding, collision_reason, stored_recordings
from hotline.warehouse.maintenance import WriterMaintenance
from hotline.warehouse.snapshot import SnapshotPublisher
from hotline.warehouse.append import UnstorableMessage
from hotline.warehouse.store import STORED_CONTRACTS, open_writer, store_batch

log = logging.getLogger(__name__)

# Prefixed with kafka.topic_prefix like the topics: centres (or tests) sharing a cluster keep separate groups.
SINK_GROUP = "hotline-sink"
STAGE = "sink"

# DuckDB errors that say "this data cannot be stored" rather than "the database is unwell":
# the message that causes one is dead-lettered; any other error is retried.
_DATA_ERRORS: tuple[type[Exception], ...] = (
    duckdb.ConstraintException,
    duckdb.ConversionException,
    duckdb.OutOfRangeException,
    duckdb.InvalidInputException,
    duckdb.TypeMismatchException,
    UnstorableMessage,
)


def decode_record(record: ConsumerRecord, contracts_by_topic: Mapping[str, type[Contract]]) -> Contract:
    """The record's contract, or a DeadLetter saying why it has none (the sink has no one to pass it to)."""
    contract = contracts_by_topic.get(record.topic)
    if contract is None:
        return _sink_dead_letter(record, f"the sink does not read topic {record.topic}", "UnknownTopic")
    try:
        return contract.decode(record.value)
    except ContractError as exc:
        return _sink_dead_letter(record, str(exc), "ContractError")


def _sink_dead_letter(record: ConsumerRecord, reason: str, error_type: str, **named) -> Contract:
    log.error("sink: dead-lettered %s:%d@%d (%s): %s", record.topic, record.partition, record.offset, error_type, reason)
    return dead_letter_for(STAGE, record, reason, error_type, **named)


def refuse_collisions(con: duckdb.DuckDBPyConnection, records: Sequence[ConsumerRecord], messages: Sequence[Contract]) -> Sequence[Contract]:
    """The messages, each transcript or inspection of a different recording than the one its call
    is stored from (or that an earlier message of the batch names) replaced by a dead letter naming
    the recording refused (warehouse/identity.py): the stored call stays as it is."""
    refused = colliding(messages, stored_recordings(con, messages))
    if not refused:
        return messages
    out = list(messages)
    for i, holder in refused.items():
        msg = messages[i]
        out[i] = _sink_dead_letter(records[i], collision_reason(msg, holder), CALL_ID_COLLISION, call_id=msg.call_id,
                                   source_uri=msg.meta.source_uri, recording_sha256=msg.meta.recording_sha256)
    return out


def write_isolating(con: duckdb.DuckDBPyConnection, records: Sequence[ConsumerRecord], messages: Sequence[Contract]) -> None:
    """Write the batch in one transaction (set-based); if its data cannot be stored, find the
    culprits by writing the messages one by one, in order.

    A message of another recording than its call's is a dead letter first (refuse_collisions);
    each message that still fails alone is stored as a dead letter in its place.
    """
    messages = refuse_collisions(con, records, messages)
    try:
        store_batch(con, messages)
        return
    except _DATA_ERRORS as exc:
        log.warning("sink: batch of %d could not be stored (%s); writing one by one", len(messages), exc)
    for record, msg in zip(records, messages, strict=True):
        try:
            store_batch(con, [msg])
        except _DATA_ERRORS as exc:
            dead = _sink_dead_letter(record, f"the warehouse could not store {type(msg).__name__}: {exc}", type(exc).__name__)
            store_batch(con, [dead])


def commit_batch(consumer: KafkaConsumer, polled: Mapping[TopicPartition, Sequence[ConsumerRecord]]) -> None:
    offsets = {tp: OffsetAndMetadata(records[-1].offset + 1, None, -1) for tp, records in polled.items() if records}
    try:
        consumer.commit(offsets)
    except CommitFailedError as exc:
        # A rebalance took the partitions away; the rows are stored and a replay lands on them again.
        log.warning("sink: offsets not committed (%s); the new owner will replay idempotently", exc)


def rewind(consumer: KafkaConsumer, polled: Mapping[TopicPartition, Sequence[ConsumerRecord]]) -> None:
    for tp, records in polled.items():
        if records:
            consumer.seek(tp, records[0].offset)


def run_sink(settings: Settings, stop: StopFlag, idle_exit_s: float | None = None) -> int:
    """Consume until ``stop`` is set (or nothing arrived for ``idle_exit_s``); returns messages written
    (dead-lettered ones included).

    Publishes a snapshot at start, after writes (at most every warehouse.snapshot_min_interval_s),
    whenever the topics go idle, and on exit.
    """
    cfg = settings.warehouse
    contracts_by_topic = {settings.kafka.topic(c.topic): c for c in STORED_CONTRACTS}
    with ExitStack() as cleanup:
        con = open_writer(cfg)
        snapshots = SnapshotPublisher(con, cfg)
        # Maintenance may swap the connection (compaction): close whichever one is current.
        cleanup.callback(lambda: snapshots.connection.close())
        consumer = make_consumer(
            settings.kafka,
            SINK_GROUP,
            [c.topic for c in STORED_CONTRACTS],
            max_poll_records=cfg.batch_max_messages,
        )
        cleanup.callback(_close_consumer, consumer)
        cleanup.callback(_publish_last, snapshots)
        if not publish_snapshot_safely(snapshots.flush):
            con = reopen_writer(snapshots, cfg, stop)
        return _consume(consumer, con, snapshots, contracts_by_topic, cfg.batch_max_messages, stop, idle_exit_s,
                        WriterMaintenance(cfg), writer_cfg=cfg)


def _consume(
    consumer: KafkaConsumer,
    con: duckdb.DuckDBPyConnection,
    snapshots: SnapshotPublisher,
    contracts_by_topic: Mapping[str, type[Contract]],
    batch_max_messages: int,
    stop: StopFlag,
    idle_exit_s: float | None,
    maintenance: WriterMaintenance | None = None,
    *,
    writer_cfg: WarehouseSettings | None = None,
) -> int:
    written = 0
    backoff_s = 0.5
    snapshot_retry = SnapshotRetry()
    idle = IdleClock(consumer, idle_exit_s)
    while not stop.is_set():
        polled = poll_quietly(consumer, "sink", stop, timeout_ms=500, max_records=batch_max_messages)
        if not polled:
            if not snapshot_retry.publish(snapshots.flush) and writer_cfg is not None:
                con = reopen_writer(snapshots, writer_cfg, stop)
            if maintenance is not None:
                # Between batches, topics idle: purge and compact if the jobs process asked.
                con, _ = maintenance.run_if_requested(con)
                if con is not snapshots.connection:  # reopened by compaction (or after a failed one)
                    snapshots.rebind(con)
                    publish_snapshot_safely(snapshots.flush)
            if idle.expired():
                break
            continue
        idle.active()
        records = [r for batch in polled.values() for r in batch]
        messages = [decode_record(r, contracts_by_topic) for r in records]
        try:
            write_isolating(con, records, messages)
        except duckdb.FatalException as exc:
            # DuckDB invalidated the database (a WAL write or checkpoint failed, e.g. disk full):
            # every later statement on this connection fails, so retrying needs a fresh one.
            log.error("sink: batch of %d not written, offsets not committed; warehouse connection invalidated (%s)",
                      len(records), exc)
            rewind(consumer, polled)
            if writer_cfg is None:
                raise
            con = reopen_writer(snapshots, writer_cfg, stop)
            continue
        except (duckdb.Error, OSError) as exc:  # transient (disk full, I/O): nothing committed, read the batch again
            log.error("sink: batch of %d not written, offsets not committed (%s: %s); retrying in %.1fs",
                      len(records), type(exc).__name__, exc, backoff_s)
            rewind(consumer, polled)
            stop.wait(backoff_s)
            backoff_s = min(backoff_s * 2, 30.0)
            continue
        backoff_s = 0.5
        commit_batch(consumer, polled)
        written += len(records)
        snapshots.mark_dirty()
        if not snapshot_retry.publish(snapshots.publish_if_due) and writer_cfg is not None:
            con = reopen_writer(snapshots, writer_cfg, stop)
    return written


class SnapshotRetry:
    """Publishes, or logs why not and waits (doubling, up to 30 s) before trying again: each try
    checkpoints and copies the whole file, too much to repeat every poll while the disk is full."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._retry_at = 0.0
        self._backoff_s = 0.5

    def publish(self, publish) -> bool:
        """The rows are committed either way, and the previous snapshot stays in place (it is
        replaced by rename only), so readers keep a whole state; still dirty, it is retried later.
        Returns False only when the writer's connection is unusable (reopen it)."""
        if self._clock() < self._retry_at:
            return True
        try:
            publish()
        except duckdb.FatalException as exc:
            # A checkpoint that fails (no space for the file to grow) invalidates the whole database.
            log.error("sink: snapshot not published, warehouse connection invalidated (%s)", exc)
            return False
        except (duckdb.Error, OSError) as exc:
            log.error("sink: snapshot not published (%s: %s); readers keep the previous one; retrying in %.1fs",
                      type(exc).__name__, exc, self._backoff_s)
            self._retry_at = self._clock() + self._backoff_s
            self._backoff_s = min(self._backoff_s * 2, 30.0)
            return True
        self._backoff_s = 0.5
        return True


def publish_snapshot_safely(publish) -> bool:
    """One guarded publish (see SnapshotRetry.publish), for callers with no retry state."""
    return SnapshotRetry().publish(publish)


def reopen_writer(snapshots: SnapshotPublisher, cfg: WarehouseSettings, stop: StopFlag) -> duckdb.DuckDBPyConnection:
    """Replace an invalidated writer connection: reopening replays the WAL, so every committed
    batch is still there. Retries with back-off (the disk may still be full) until it opens or
    ``stop`` is set; returns the connection to write with (the old, closed one if stopped)."""
    old = snapshots.connection
    try:
        old.close()
    except duckdb.Error:
        log.debug("sink: invalidated connection did not close cleanly", exc_info=True)
    backoff_s = 0.5
    while not stop.is_set():
        try:
            con = open_writer(cfg)
        except (duckdb.Error, OSError) as exc:
            log.error("sink: warehouse %s not reopened (%s: %s); retrying in %.1fs", cfg.database, type(exc).__name__, exc, backoff_s)
            stop.wait(backoff_s)
            backoff_s = min(backoff_s * 2, 30.0)
            continue
        log.warning("sink: warehouse %s reopened after an invalidating error", cfg.database)
        snapshots.rebind(con)
        return con
    return old


def _close_consumer(consumer: KafkaConsumer) -> None:
    try:
        consumer.close()
    except KafkaError:
        log.warning("sink: consumer did not close cleanly", exc_info=True)


def _publish_last(snapshots: SnapshotPublisher) -> None:
    try:
        snapshots.flush()
    except (duckdb.Error, OSError):
        log.exception("sink: last snapshot not published")
