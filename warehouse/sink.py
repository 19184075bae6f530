"""The sink: the end of the line, and the only writer of the warehouse file.

It consumes transcripts, inspections, alerts, dead letters and work-order events, writes each
polled batch in one DuckDB transaction with idempotent set-based upserts (one statement per
table), and commits Kafka offsets only after DuckDB has committed (at-least-once; replays land
on the same rows). A message that fails its contract is stored as a dead letter, never dropped;
one that passes it but cannot be stored is found by writing the batch again one message at a
time, and dead-lettered. After writes it publishes a snapshot for readers.
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

from hotline.bus import StopFlag, dead_letter_for, make_consumer
from hotline.contracts import Contract, ContractError
from hotline.settings import Settings
from hotline.warehouse.snapshot import SnapshotPublisher
from hotline.warehouse.store import STORED_CONTRACTS, UnstorableMessage, open_writer, store_batch

log = logging.getLogger(__name__)

# Prefixed with kafka.topic_prefix like the topics: centres (or tests) sharing a cluster keep separate groups.
SINK_GROUP = "hotline-sink"
STAGE = "sink"
# Joining a consumer group can take about session_timeout/2 on some brokers: no idle exit before that.
JOIN_GRACE_S = 30.0

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


def _sink_dead_letter(record: ConsumerRecord, reason: str, error_type: str) -> Contract:
    log.error("sink: dead-lettered %s:%d@%d (%s): %s", record.topic, record.partition, record.offset, error_type, reason)
    return dead_letter_for(STAGE, record, reason, error_type)


def write_isolating(con: duckdb.DuckDBPyConnection, records: Sequence[ConsumerRecord], messages: Sequence[Contract]) -> None:
    """Write the batch in one transaction (set-based); if its data cannot be stored, find the
    culprits by writing the messages one by one, in order.

    Each message that still fails alone is stored as a dead letter in its place.
    """
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
        cleanup.callback(con.close)
        consumer = make_consumer(
            settings.kafka,
            SINK_GROUP,
            [c.topic for c in STORED_CONTRACTS],
            max_poll_records=cfg.batch_max_messages,
        )
        cleanup.callback(_close_consumer, consumer)
        snapshots = SnapshotPublisher(con, cfg)
        cleanup.callback(_publish_last, snapshots)
        snapshots.flush()
        return _consume(consumer, con, snapshots, contracts_by_topic, cfg.batch_max_messages, stop, idle_exit_s)


def _consume(
    consumer: KafkaConsumer,
    con: duckdb.DuckDBPyConnection,
    snapshots: SnapshotPublisher,
    contracts_by_topic: Mapping[str, type[Contract]],
    batch_max_messages: int,
    stop: StopFlag,
    idle_exit_s: float | None,
) -> int:
    written = 0
    backoff_s = 0.5
    last_activity = time.monotonic()
    assigned = False
    while not stop.is_set():
        polled = consumer.poll(timeout_ms=500, max_records=batch_max_messages)
        if not assigned and consumer.assignment():
            # Joining a new group takes seconds; idleness counts from when partitions arrive.
            assigned = True
            last_activity = time.monotonic()
        if not polled:
            snapshots.flush()
            idle_s = time.monotonic() - last_activity
            if idle_exit_s is not None and idle_s > idle_exit_s + (0.0 if assigned else JOIN_GRACE_S):
                break
            continue
        last_activity = time.monotonic()
        records = [r for batch in polled.values() for r in batch]
        messages = [decode_record(r, contracts_by_topic) for r in records]
        try:
            write_isolating(con, records, messages)
        except (duckdb.Error, OSError) as exc:  # transient: nothing committed, read the batch again
            log.warning("sink: batch of %d not written (%s); retrying in %.1fs", len(records), exc, backoff_s)
            rewind(consumer, polled)
            stop.wait(backoff_s)
            backoff_s = min(backoff_s * 2, 30.0)
            continue
        backoff_s = 0.5
        commit_batch(consumer, polled)
        written += len(records)
        snapshots.mark_dirty()
        snapshots.publish_if_due()
    return written


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
