"""`hotline status`: how far behind each stage is, how fast it moves, what it dead-lettered.

Lag is measured from committed offsets (``list_consumer_group_offsets``) against end offsets,
per stage group and input topic, so it works on any Kafka cluster. ``describe_groups`` is not
used: kafka-python cannot parse the development broker's reply to it. Throughput is the number
of offsets a stage committed between two samples ``sample_s`` apart. The oldest unprocessed call
is the record at the committed offset of the lagging partition whose record is oldest.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError
from kafka.structs import TopicPartition

from hotline.bus import _client_config
from hotline.reconcile import read_to_end
from hotline.contracts import AlertRaised, AudioChunk, CallInspected, DeadLetter, TranscriptReady, WorkOrderEvent
from hotline.settings import KafkaSettings, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StageGroup:
    stage: str
    group: str  # before kafka.topic_prefix, when the stage prefixes its group
    topics: tuple[str, ...]


# The stages' consumer groups as their workers name them (asr/worker.py, inspection/worker.py, warehouse/sink.py).
STAGE_GROUPS = (
    StageGroup("asr", "hotline-asr", (AudioChunk.topic,)),
    StageGroup("inspection", "hotline-inspection", (TranscriptReady.topic,)),
    StageGroup("sink", "hotline-sink", (TranscriptReady.topic, CallInspected.topic, AlertRaised.topic, DeadLetter.topic, WorkOrderEvent.topic)),
)


@dataclass(frozen=True)
class OldestCall:
    call_id: str | None
    topic: str
    entered_at: datetime
    age_s: float


@dataclass(frozen=True)
class StageStatus:
    stage: str
    group: str
    lag: dict[str, int]  # topic -> messages not yet committed
    processed: int  # messages committed on the input topics (since their beginning)
    committed_per_s: float
    oldest_unprocessed: OldestCall | None

    @property
    def total_lag(self) -> int:
        return sum(self.lag.values())


@dataclass(frozen=True)
class PipelineStatus:
    stages: tuple[StageStatus, ...]
    dead_letters: int  # records on the dead-letter topic
    dead_letters_by_stage: dict[str, int] = field(default_factory=dict)  # as stored in the warehouse

    def to_dict(self) -> dict:
        return {
            "stages": [
                {
                    "stage": s.stage,
                    "group": s.group,
                    "lag": s.lag,
                    "total_lag": s.total_lag,
                    "processed": s.processed,
                    "committed_per_s": round(s.committed_per_s, 2),
                    "oldest_unprocessed": None if s.oldest_unprocessed is None else {
                        "call_id": s.oldest_unprocessed.call_id,
                        "topic": s.oldest_unprocessed.topic,
                        "entered_at": s.oldest_unprocessed.entered_at.isoformat(),
                        "age_s": round(s.oldest_unprocessed.age_s, 1),
                    },
                }
                for s in self.stages
            ],
            "dead_letters": self.dead_letters,
            "dead_letters_by_stage": self.dead_letters_by_stage,
        }


def _committed(admin: KafkaAdminClient, group: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    if not partitions:
        return {}
    try:
        # kafka-python 3 names it list_group_offsets; 2.x list_consumer_group_offsets.
        if hasattr(admin, "list_group_offsets"):
            offsets = admin.list_group_offsets({group: partitions}).get(group, {})
        else:
            offsets = admin.list_consumer_group_offsets(group, partitions=partitions)
    except KafkaError as exc:
        log.warning("status: offsets of group %s not readable: %s", group, exc)
        return {}
    return {tp: om.offset for tp, om in offsets.items() if om is not None and om.offset >= 0}


def _partitions(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]


def _record_at(consumer: KafkaConsumer, tp: TopicPartition, offset: int, timeout_s: float = 5.0):
    consumer.assign([tp])
    consumer.resume(tp)  # read_to_end pauses partitions it has finished
    consumer.seek(tp, offset)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=200, max_records=1).values():
            if records:
                return records[0]
    return None


def _group_name(cfg: KafkaSettings, g: StageGroup) -> str:
    return cfg.topic(g.group)


def pipeline_status(settings: Settings, sample_s: float = 2.0) -> PipelineStatus:
    """Lag, throughput and oldest unprocessed call per stage; dead-letter counts."""
    cfg = settings.kafka
    admin = KafkaAdminClient(**_client_config(cfg), request_timeout_ms=10_000)
    consumer = KafkaConsumer(**_client_config(cfg), group_id=None, enable_auto_commit=False)
    # Records are read by a consumer of their own: offset look-ups on a consumer that is also
    # fetching fail in kafka-python 3 (a KeyError in end_offsets).
    reader = KafkaConsumer(**_client_config(cfg), group_id=None, enable_auto_commit=False,
                           max_partition_fetch_bytes=cfg.max_message_bytes)
    try:
        parts_of = {g.stage: [tp for t in g.topics for tp in _partitions(consumer, cfg.topic(t))] for g in STAGE_GROUPS}
        first = {g.stage: _committed(admin, _group_name(cfg, g), parts_of[g.stage]) for g in STAGE_GROUPS}
        t0 = time.monotonic()
        if sample_s > 0:
            time.sleep(sample_s)
        second = {g.stage: _committed(admin, _group_name(cfg, g), parts_of[g.stage]) for g in STAGE_GROUPS}
        elapsed = max(time.monotonic() - t0, 1e-6)
        all_parts = sorted({tp for parts in parts_of.values() for tp in parts})
        ends = _true_ends(reader, all_parts, consumer.end_offsets(all_parts)) if all_parts else {}
        begins = consumer.beginning_offsets(all_parts) if all_parts else {}
        stages = []
        for g in STAGE_GROUPS:
            parts = parts_of[g.stage]
            done = second[g.stage]
            lag: dict[str, int] = {}
            behind: list[tuple[TopicPartition, int]] = []
            processed = 0
            for tp in parts:
                at = done.get(tp, begins[tp])
                processed += max(at - begins[tp], 0)
                n = max(ends[tp] - at, 0)
                lag[tp.topic.removeprefix(cfg.topic_prefix)] = lag.get(tp.topic.removeprefix(cfg.topic_prefix), 0) + n
                if n:
                    behind.append((tp, at))
            moved = sum(max(done.get(tp, 0) - first[g.stage].get(tp, done.get(tp, 0)), 0) for tp in done)
            stages.append(StageStatus(g.stage, _group_name(cfg, g), lag, processed, moved / elapsed, _oldest(reader, behind, cfg)))
        dl_parts = _partitions(consumer, cfg.topic(DeadLetter.topic))
        # The sink reads the dead-letter topic, so its (corrected) ends are already known.
        dead = sum(ends[tp] - begins[tp] for tp in dl_parts if tp in ends)
        return PipelineStatus(tuple(stages), dead, _dead_letters_by_stage(settings))
    finally:
        reader.close()
        consumer.close()
        admin.close()


def _true_ends(reader: KafkaConsumer, parts: list[TopicPartition], ends: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
    """End offsets, corrected by reading past them: the development broker under-reports them."""
    ends = dict(ends)
    reader.assign(parts)
    for tp in parts:
        reader.seek(tp, ends[tp])
    for tp, r in read_to_end(reader, parts, timeout_s=60.0, quiet_s=0.5):
        ends[tp] = max(ends[tp], r.offset + 1)
    return ends


def _oldest(consumer: KafkaConsumer, behind: list[tuple[TopicPartition, int]], cfg: KafkaSettings) -> OldestCall | None:
    oldest = None
    for tp, offset in behind:
        r = _record_at(consumer, tp, offset)
        if r is None:
            continue
        if oldest is None or r.timestamp < oldest.timestamp:
            oldest = r
    if oldest is None:
        return None
    at = datetime.fromtimestamp(oldest.timestamp / 1000, tz=timezone.utc)
    return OldestCall(
        call_id=oldest.key.decode("utf-8", "replace") if oldest.key else None,
        topic=oldest.topic.removeprefix(cfg.topic_prefix),
        entered_at=at,
        age_s=(datetime.now(timezone.utc) - at).total_seconds(),
    )


def _dead_letters_by_stage(settings: Settings) -> dict[str, int]:
    from hotline.warehouse.reader import SnapshotMissing, run_query

    try:
        frame = run_query(settings.warehouse, "dead_letters", limit=10_000_000)
    except SnapshotMissing:
        return {}
    counts: dict[str, int] = {}
    for stage in frame["stage"].to_list():
        counts[stage] = counts.get(stage, 0) + 1
    return counts


def format_status(st: PipelineStatus) -> str:
    """The human-readable form of `hotline status`."""
    lines = []
    for s in st.stages:
        lags = ", ".join(f"{t} {n}" for t, n in s.lag.items() if n) or "none"
        lines.append(f"{s.stage:<11} group {s.group}: lag {s.total_lag} ({lags}); processed {s.processed}; {s.committed_per_s:.1f} msg/s")
        if s.oldest_unprocessed is not None:
            o = s.oldest_unprocessed
            lines.append(f"{'':<11} oldest unprocessed: {o.call_id} on {o.topic}, waiting {o.age_s:.0f} s")
    by_stage = ", ".join(f"{k} {v}" for k, v in sorted(st.dead_letters_by_stage.items())) or "none stored"
    lines.append(f"dead letters: {st.dead_letters} on the topic ({by_stage})")
    return "\n".join(lines)
