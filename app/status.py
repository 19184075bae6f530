"""`hotline status`: how far behind each stage is, how fast it moves, what it dead-lettered.

Lag is measured from committed offsets (``list_consumer_group_offsets``) against end offsets,
per stage group and input topic, so it works on any Kafka cluster. Throughput is the number
of offsets a stage committed between two samples ``sample_s`` apart. The oldest unprocessed call
is the record at the committed offset of the lagging partition whose record is oldest.

Lag alone does not say whether anyone is working on it, so each stage also reports the members
the broker lists in its group and, for a worker started from this data folder (`hotline demo`),
whether that process still runs: a worker killed with SIGKILL never leaves its group, and the
development broker keeps listing it long after it died.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError
from kafka.structs import TopicPartition

from hotline.app.reconcile import lost_history, read_to_end
from hotline.app.services import _pid_file, log_dir
from hotline.bus import _client_config
from hotline.contracts import AlertRaised, AudioChunk, CallInspected, DeadLetter, TranscriptReady, WorkOrderEvent
from hotline.settings import KafkaSettings, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StageGroup:
    stage: str
    group: str  # before kafka.topic_prefix, when the stage prefixes its group
    topics: tuple[str, ...]
    command: str  # the `hotline` command (and service name) that runs the stage's worker


# The stages' consumer groups as their workers name them (asr/worker.py, inspection/worker.py, warehouse/sink.py).
STAGE_GROUPS = (
    StageGroup("asr", "hotline-asr", (AudioChunk.topic,), "asr-worker"),
    StageGroup("inspection", "hotline-inspection", (TranscriptReady.topic,), "inspect-worker"),
    StageGroup("sink", "hotline-sink", (TranscriptReady.topic, CallInspected.topic, AlertRaised.topic, DeadLetter.topic, WorkOrderEvent.topic), "sink"),
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
    # Consumers the broker lists in the group; None when its answer could not be read.
    members: int | None = None
    # What is wrong and what to do, when something is (e.g. lag with no live consumer).
    problem: str | None = None

    @property
    def total_lag(self) -> int:
        return sum(self.lag.values())


@dataclass(frozen=True)
class PipelineStatus:
    stages: tuple[StageStatus, ...]
    dead_letters: int  # records on the dead-letter topic
    dead_letters_by_stage: dict[str, int] = field(default_factory=dict)  # as stored in the warehouse
    # Why the topic holds fewer dead letters than the warehouse stored, when it does.
    dead_letters_note: str | None = None
    # Calls by the state of their LLM items (judged / pending / needs_review), and the models that answered.
    llm_calls: dict[str, int] = field(default_factory=dict)
    llm_models: tuple[str, ...] = ()

    @property
    def dead_letters_stored(self) -> int:
        return sum(self.dead_letters_by_stage.values())

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
                    "members": s.members,
                    "problem": s.problem,
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
            "dead_letters_stored": self.dead_letters_stored,
            "dead_letters_by_stage": self.dead_letters_by_stage,
            "dead_letters_note": self.dead_letters_note,
            "llm_calls": self.llm_calls,
            "llm_models": list(self.llm_models),
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


def _members(admin: KafkaAdminClient, groups: list[str]) -> dict[str, int | None]:
    """Members the broker lists per group (None where its answer could not be read)."""
    # kafka-python turns the groups' authorized operations into an enum that lacks the values the
    # development broker sends, and fails; they are not needed here, so they are left as numbers.
    admin._process_acl_operations = lambda obj: obj
    try:
        described = admin.describe_groups(groups)
    except (KafkaError, ValueError) as exc:
        log.warning("status: consumer groups not describable: %s", exc)
        return {g: None for g in groups}
    return {g: None if g not in described or described[g].get("error") else len(described[g]["members"]) for g in groups}


def _dead_local_worker(settings: Settings, command: str) -> int | None:
    """The pid of the worker `hotline demo` (or a test) started from this data folder, if it has died.

    Read without services.running_pid, which deletes a dead worker's pid file: the next status
    would no longer know that it died."""
    try:
        pid = int(_pid_file(settings, command).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return pid
    except PermissionError:
        return None
    return None


def _stage_problem(settings: Settings, g: StageGroup, lag: int, members: int | None) -> str | None:
    if not lag:
        return None
    dead_pid = _dead_local_worker(settings, g.command)
    if dead_pid is not None:
        listed = f"; the broker still lists {members} member(s), a killed worker that never left the group" if members else ""
        return (f"no live consumer: {g.command} (pid {dead_pid}, started from this data folder) is not running{listed}. "
                f"Start it again: `hotline {g.command}` (its log: {log_dir(settings) / (g.command + '.log')})")
    if members == 0:
        return f"no consumer attached: nothing reads these {lag} messages. Start one: `hotline {g.command}`"
    return None


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
        members = _members(admin, [_group_name(cfg, g) for g in STAGE_GROUPS])
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
            name = _group_name(cfg, g)
            problem = _stage_problem(settings, g, sum(lag.values()), members[name])
            stages.append(StageStatus(g.stage, name, lag, processed, moved / elapsed, _oldest(reader, behind, cfg), members[name], problem))
        dl_parts = _partitions(consumer, cfg.topic(DeadLetter.topic))
        # The sink reads the dead-letter topic, so its (corrected) ends are already known.
        dead = sum(ends[tp] - begins[tp] for tp in dl_parts if tp in ends)
        by_stage = _dead_letters_by_stage(settings)
        # Every stored row of another stage than the sink (which stores its own directly) came from a
        # record of the topic, and a row may merge several: more rows than records means records were lost.
        missing = sum(n for stage, n in by_stage.items() if stage != "sink") - dead
        note = None
        if missing > 0:
            note = lost_history(f"{missing} of the dead letters the warehouse stored from the dead-letter topic",
                                from_start=all(begins[tp] == 0 for tp in dl_parts if tp in begins))
        return PipelineStatus(tuple(stages), dead, by_stage, note, *_llm_progress(settings))
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
    from hotline.warehouse.reader import SnapshotMissing, run_internal

    try:
        frame = run_internal(settings.warehouse, "dead_letters", limit=10_000_000)
    except SnapshotMissing:
        return {}
    counts: dict[str, int] = {}
    for stage in frame["stage"].to_list():
        counts[stage] = counts.get(stage, 0) + 1
    return counts


def _llm_progress(settings: Settings) -> tuple[dict[str, int], tuple[str, ...]]:
    from hotline.warehouse.reader import SnapshotMissing, run_query

    try:
        frame = run_query(settings.warehouse, "access_llm_progress", scope_centre=None, scope_team=None)
    except SnapshotMissing:
        return {}, ()
    models = sorted({m for ms in frame["models"].to_list() for m in (ms or ())})
    return dict(zip(frame["state"].to_list(), frame["calls"].to_list())), tuple(models)


def format_status(st: PipelineStatus) -> str:
    """The human-readable form of `hotline status`."""
    lines = []
    for s in st.stages:
        lags = ", ".join(f"{t} {n}" for t, n in s.lag.items() if n) or "none"
        consumers = "consumers unknown" if s.members is None else f"{s.members} consumer(s)"
        lines.append(f"{s.stage:<11} group {s.group}: lag {s.total_lag} ({lags}); processed {s.processed}; {s.committed_per_s:.1f} msg/s; {consumers}")
        if s.oldest_unprocessed is not None:
            o = s.oldest_unprocessed
            lines.append(f"{'':<11} oldest unprocessed: {o.call_id} on {o.topic}, waiting {o.age_s:.0f} s")
        if s.problem:
            lines.append(f"{'':<11} PROBLEM: {s.problem}")
    by_stage = ", ".join(f"{k} {v}" for k, v in sorted(st.dead_letters_by_stage.items()))
    stored = f"{st.dead_letters_stored} stored in the warehouse ({by_stage})" if by_stage else "none stored in the warehouse"
    lines.append(f"dead letters: {stored}; {st.dead_letters} on the dead-letter topic")
    if st.dead_letters_note:
        lines.append(f"  {st.dead_letters_note}")
    llm = st.llm_calls
    by = ", ".join(st.llm_models) or "no model yet"
    lines.append(f"LLM judge ({by}): {llm.get('judged', 0)} calls judged, {llm.get('pending', 0)} pending, "
                 f"{llm.get('needs_review', 0)} with a failed reply (need review)")
    return "\n".join(lines)
