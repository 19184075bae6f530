"""Kafka plumbing shared by every stage: clients, topics, dead letters and the consume loop.

Only the Kafka protocol through kafka-python is used, so any Kafka cluster works (the
development broker is just one more bootstrap address). Offsets are committed only after
what a message produced has been acknowledged by the broker (at-least-once); consumers
downstream write idempotently, keyed by call id.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata, TopicPartition
from pydantic import ValidationError

from hotline.contracts import ALL_TOPICS, Contract, ContractError, DeadLetter, validation_summary
from hotline.settings import KafkaSettings

log = logging.getLogger(__name__)

# A dead letter keeps the original value for replay, up to this size.
DEAD_LETTER_PAYLOAD_MAX_BYTES = 1024 * 1024


class PoisonMessage(Exception):
    """A message that can never be processed as it is (bad audio, impossible content): dead-letter it."""

    def __init__(self, reason: str, call_id: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.call_id = call_id


def _client_config(cfg: KafkaSettings) -> dict:
    conf: dict = {
        "bootstrap_servers": cfg.bootstrap_servers.split(","),
        "client_id": cfg.client_id,
        "security_protocol": cfg.security_protocol,
    }
    if cfg.sasl_mechanism:
        conf.update(
            sasl_mechanism=cfg.sasl_mechanism,
            sasl_plain_username=cfg.sasl_username,
            sasl_plain_password=cfg.sasl_password,
        )
    if cfg.ssl_cafile:
        conf["ssl_cafile"] = str(cfg.ssl_cafile)
    return conf


def make_producer(cfg: KafkaSettings) -> KafkaProducer:
    return KafkaProducer(
        **_client_config(cfg),
        acks="all",
        enable_idempotence=True,
        max_request_size=cfg.max_message_bytes,
        linger_ms=5,
        retries=10,
    )


def make_consumer(cfg: KafkaSettings, group_id: str, topics: Sequence[str], *, max_poll_records: int = 100) -> KafkaConsumer:
    consumer = KafkaConsumer(
        **_client_config(cfg),
        # Groups carry the topic prefix too, so centres (or test runs) sharing a cluster never share a group.
        group_id=cfg.topic(group_id),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=cfg.session_timeout_ms,
        heartbeat_interval_ms=cfg.heartbeat_interval_ms,
        max_poll_interval_ms=cfg.max_poll_interval_ms,
        max_poll_records=max_poll_records,
        max_partition_fetch_bytes=cfg.max_message_bytes,
        fetch_max_bytes=max(cfg.max_message_bytes * 4, 52_428_800),
    )
    consumer.subscribe([cfg.topic(t) for t in topics], listener=AssignmentLog(cfg.topic(group_id)))
    return consumer


class AssignmentLog(ConsumerRebalanceListener):
    """Logs the partitions this member owns after each rebalance: with several workers in one
    group, their logs show how the partitions are shared and who took over from a worker that left."""

    def __init__(self, group: str):
        self._group = group

    def on_partitions_revoked(self, revoked):
        log.info("%s: partitions revoked: %s", self._group, _partition_list(revoked))

    def on_partitions_assigned(self, assigned):
        log.info("%s: partitions assigned: %s", self._group, _partition_list(assigned))


def _partition_list(partitions) -> str:
    return ", ".join(f"{tp.topic}:{tp.partition}" for tp in sorted(partitions)) or "none"


def ensure_topics(cfg: KafkaSettings, topics: Iterable[str] = ALL_TOPICS, timeout_s: float = 30.0) -> None:
    """Create the topics with their final partition count (partitions cannot grow on every broker)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            admin = KafkaAdminClient(**_client_config(cfg), request_timeout_ms=10_000)
            break
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise ConnectionError(f"Kafka at {cfg.bootstrap_servers} did not answer: {exc}") from exc
            time.sleep(0.5)
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(name=cfg.topic(t), num_partitions=cfg.partitions, replication_factor=cfg.replication_factor)
            for t in topics
            if cfg.topic(t) not in existing
        ]
        if wanted:
            try:
                admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()


class Publisher:
    """Encodes contracts at the producer's edge; every message keyed by call id."""

    def __init__(self, producer: KafkaProducer, cfg: KafkaSettings):
        self._producer = producer
        self._cfg = cfg

    @classmethod
    def connect(cls, cfg: KafkaSettings) -> "Publisher":
        return cls(make_producer(cfg), cfg)

    def encode(self, msg: Contract, key: str) -> bytes:
        """The message's value; ValueError when it is over kafka.max_message_bytes, checked here
        because not every broker enforces it (the dev broker accepts anything)."""
        value = msg.encode()
        if len(value) > self._cfg.max_message_bytes:
            raise ValueError(f"{type(msg).__name__} for {key} is {len(value)} bytes, over kafka.max_message_bytes={self._cfg.max_message_bytes}")
        return value

    def publish(self, msg: Contract, key: str):
        return self._producer.send(self._cfg.topic(msg.topic), key=key.encode("utf-8"), value=self.encode(msg, key))

    def flush(self, timeout_s: float = 60.0) -> None:
        self._producer.flush(timeout=timeout_s)

    def reconnect(self) -> None:
        """Replace the producer with a fresh one.

        An idempotent producer that fails to get its producer id (e.g. from a broker that restarted)
        enters a fatal state and fails every later send; only a new producer recovers.
        """
        old = self._producer
        self._producer = make_producer(self._cfg)
        try:
            old.close(timeout=1)
        except KafkaError:
            log.warning("old producer did not close cleanly", exc_info=True)

    def close(self) -> None:
        self._producer.close(timeout=10)


def dead_letter_for(stage: str, record: ConsumerRecord | None, reason: str, error_type: str, call_id: str | None = None,
                    source_uri: str | None = None, recording_sha256: str | None = None) -> DeadLetter:
    payload = None
    if record is not None and record.value is not None and len(record.value) <= DEAD_LETTER_PAYLOAD_MAX_BYTES:
        payload = record.value
    return DeadLetter(
        stage=stage,  # type: ignore[arg-type]
        call_id=call_id or (record.key.decode("utf-8", "replace") if record is not None and record.key else None),
        reason=reason,
        error_type=error_type,
        original_topic=record.topic if record is not None else None,
        original_partition=record.partition if record is not None else None,
        original_offset=record.offset if record is not None else None,
        original_key=record.key.decode("utf-8", "replace") if record is not None and record.key else None,
        source_uri=source_uri,
        payload=payload,
        recording_sha256=recording_sha256,
    )


@dataclass(frozen=True)
class Outgoing:
    msg: Contract
    key: str


Handler = Callable[[Contract, ConsumerRecord], Sequence[Outgoing]]


class StopFlag:
    """Set by a signal handler or a test; workers check it between polls."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout_s: float) -> bool:
        return self._event.wait(timeout_s)


def commit_record(consumer: KafkaConsumer, record: ConsumerRecord) -> None:
    tp = TopicPartition(record.topic, record.partition)
    consumer.commit({tp: OffsetAndMetadata(record.offset + 1, None, -1)})


def run_stateless_stage(
    *,
    stage: str,
    consumer: KafkaConsumer,
    publisher: Publisher,
    contract: type[Contract],
    handler: Handler,
    stop: StopFlag,
    idle_exit_s: float | None = None,
    poll_timeout_ms: int = 500,
) -> int:
    """Consume, handle, publish, then commit; one message at a time per partition.

    A poison message (undecodable contract, PoisonMessage from the handler) is dead-lettered and
    committed. Any other exception is treated as transient: the partition is rewound to the
    message and retried after a back-off, nothing is committed. Returns messages handled.
    """
    handled = 0
    idle = IdleClock(consumer, idle_exit_s)
    backoff_s = 0.5
    while not stop.is_set():
        batches = poll_quietly(consumer, stage, stop, timeout_ms=poll_timeout_ms)
        if not batches:
            if idle.expired():
                break
            continue
        idle.active()
        for tp, records in batches.items():
            for record in records:
                try:
                    try:
                        msg = contract.decode(record.value)
                        outgoing = handler(msg, record)
                    except ContractError as exc:
                        outgoing = [_dl(stage, record, str(exc), "ContractError")]
                    except ValidationError as exc:
                        # The handler built a message its contract refuses (e.g. a non-finite number computed
                        # from this input): the same input fails the same way again, so it is poison too.
                        outgoing = [_dl(stage, record, f"the {stage} stage's output for it breaks its contract: {validation_summary(exc)}", "ContractError")]
                    except PoisonMessage as exc:
                        outgoing = [_dl(stage, record, exc.reason, "PoisonMessage", exc.call_id)]
                    sent = [publisher.publish(out.msg, out.key) for out in outgoing]
                    publisher.flush()
                    for future in sent:
                        # flush() returns even when a send failed: only an acknowledged send may be committed.
                        future.get(timeout=30)
                    commit_record(consumer, record)
                    handled += 1
                    backoff_s = 0.5
                except Exception as exc:  # transient: rewind and retry this message later
                    log.warning("%s: transient failure at %s:%d@%d, will retry:\n%s", stage, record.topic, record.partition, record.offset, traceback.format_exc())
                    if isinstance(exc, KafkaError):
                        _reconnect(publisher, stage)
                    consumer.seek(tp, record.offset)
                    stop.wait(backoff_s)
                    backoff_s = min(backoff_s * 2, 30.0)
                    break
    return handled


# Joining a consumer group can take about session_timeout/2 on some brokers: no idle exit before that.
JOIN_GRACE_S = 30.0


class IdleClock:
    """When a consumer loop given ``idle_exit_s`` (tests, benchmarks, one-shot runs) has been idle long
    enough to stop: idleness counts from the last record, or from when the consumer's partitions
    arrived, since joining a group takes seconds (longer on a loaded machine) and a worker that
    stopped before its partitions came would miss records waiting for it. Until they arrive it
    waits JOIN_GRACE_S more. ``idle_exit_s`` None: never idle."""

    def __init__(self, consumer: KafkaConsumer, idle_exit_s: float | None) -> None:
        self._consumer = consumer
        self._idle_exit_s = idle_exit_s
        self._assigned = False
        self._last = time.monotonic()

    def active(self) -> None:
        """Records arrived (or work is under way): idleness starts again from now."""
        self._last = time.monotonic()

    def expired(self) -> bool:
        if self._idle_exit_s is None:
            return False
        if not self._assigned and self._consumer.assignment():
            self._assigned = True
            self._last = time.monotonic()
        grace = 0.0 if self._assigned else JOIN_GRACE_S
        return time.monotonic() - self._last > self._idle_exit_s + grace


def poll_quietly(consumer: KafkaConsumer, stage: str, stop: StopFlag, **kwargs: Any) -> dict:
    """consumer.poll, where the broker being away (a KafkaError out of the group coordinator or
    the metadata refresh) is an empty poll after a pause, not the end of the worker."""
    try:
        return consumer.poll(**kwargs)
    except KafkaError as exc:
        log.warning("%s: poll failed, the broker is away? (%s); polling again shortly", stage, exc)
        stop.wait(1.0)
        return {}


def _reconnect(publisher: Publisher, stage: str) -> None:
    try:
        publisher.reconnect()
    except KafkaError:  # the broker is still away: the next retry tries again
        log.warning("%s: producer not recreated yet", stage, exc_info=True)


def _dl(stage: str, record: ConsumerRecord, reason: str, error_type: str, call_id: str | None = None) -> Outgoing:
    dl = dead_letter_for(stage, record, reason, error_type, call_id=call_id)
    log.error("%s: dead-lettered %s:%d@%d (%s): %s", stage, record.topic, record.partition, record.offset, error_type, reason)
    return Outgoing(dl, dl.call_id or f"{record.topic}:{record.partition}:{record.offset}")
