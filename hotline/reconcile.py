"""`hotline reconcile`: for a time window, calls in = calls landed + calls dead-lettered (+ stuck).

Where "in" comes from: the bus itself, not the warehouse. A reader with no consumer group (it
assigns partitions by hand and never commits, so no stage's offsets move) reads, from the start
of the topics to their end (end offsets, then until quiet, see ``read_to_end``):

* ``calls.audio.v1`` and ``calls.transcripts.v1``: every call id that entered the pipeline, as
  audio from a recorder or as a transcript handed in directly (replayed transcripts, bench/load);
* ``calls.deadletter.v1`` records of stage ``ingest``: recordings that could not even be read
  (they never reach the audio topic, but they did enter).

Messages are keyed by call id, so only the key and the record timestamp are used (audio is never
decoded, apart from the small ingest dead letters). A call's time is the timestamp of its first
record on the bus; ``since``/``until`` select calls by that time. The answer is bounded by the
topics' retention: on a real cluster keep retention longer than the reconcile window.

Where a call ended up comes from the warehouse snapshot (the `accounting` query): landed means
its transcript and its inspection are both stored; dead-lettered means stored as a dead letter and never landed; everything
else is stuck, reported with the furthest topic it reached. Duplicates are counted on the stored
rows themselves (the `reconcile_duplicates` query), which is the proof that replays are idempotent.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from hotline.bus import _client_config
from hotline.contracts import AudioChunk, CallInspected, ContractError, DeadLetter, TranscriptReady
from hotline.settings import KafkaSettings, Settings

log = logging.getLogger(__name__)

# Topics in pipeline order: a stuck call is reported with the furthest one it reached.
_ENTRY_TOPICS = (AudioChunk.topic, TranscriptReady.topic)
_TRACKED_TOPICS = (AudioChunk.topic, TranscriptReady.topic, CallInspected.topic)
# The warehouse query returns at most this many calls.
_MAX_CALLS = 10_000_000


@dataclass(frozen=True)
class StuckCall:
    call_id: str
    reached: str  # the furthest topic the call was seen on
    first_seen: datetime


@dataclass(frozen=True)
class ReconcileReport:
    entered: int
    landed: int
    dead_lettered: int
    stuck: tuple[StuckCall, ...] = ()
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # call id -> tables holding it twice
    # Calls stored in the warehouse that were never seen entering (e.g. topics past retention).
    unexplained: tuple[str, ...] = ()

    @property
    def balanced(self) -> bool:
        return self.entered == self.landed + self.dead_lettered + len(self.stuck)

    def summary(self) -> dict[str, int]:
        """Exactly what `hotline reconcile --json` prints."""
        return {
            "in": self.entered,
            "landed": self.landed,
            "dead_lettered": self.dead_lettered,
            "stuck": len(self.stuck),
            "duplicates": len(self.duplicates),
        }


@dataclass
class _Seen:
    first_ms: int
    reached: int = 0  # index into _TRACKED_TOPICS


def scan_topics(cfg: KafkaSettings, topics: tuple[str, ...], timeout_s: float = 120.0) -> dict[str, list]:
    """Every record of ``topics`` up to their current end offsets, read without a consumer group.

    Returns topic (unprefixed) -> records. Records keep key, value and timestamp.
    """
    consumer = KafkaConsumer(
        **_client_config(cfg),
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=cfg.max_message_bytes,
        fetch_max_bytes=max(cfg.max_message_bytes * 4, 52_428_800),
    )
    try:
        names = {cfg.topic(t): t for t in topics}
        partitions = []
        for full in names:
            for p in sorted(consumer.partitions_for_topic(full) or ()):
                partitions.append(TopicPartition(full, p))
        out: dict[str, list] = {t: [] for t in topics}
        if not partitions:
            return out
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        for tp, r in read_to_end(consumer, partitions, timeout_s):
            out[names[tp.topic]].append(r)
        return out
    finally:
        consumer.close()


def read_to_end(consumer: KafkaConsumer, partitions: list[TopicPartition], timeout_s: float, quiet_s: float = 1.0):
    """Yield (partition, record) from the consumer's positions to the end of each partition, as of now.

    A partition is read to its end offset, then on until a record written after the scan began
    shows up (not yielded) or nothing arrives on it for ``quiet_s``: the development broker
    (tansu) under-reports end offsets of partitions written in batches, so its end offsets alone
    would silently cut the scan short, and under steady load a partition is never quiet.
    """
    started_ms = int(time.time() * 1000)
    ends = consumer.end_offsets(partitions)
    deadline = time.monotonic() + timeout_s
    last_record = {tp: time.monotonic() for tp in partitions}
    done: set[TopicPartition] = set()
    while True:
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(f"reading {len(partitions)} partitions to their end took over {timeout_s:.0f}s")
        for tp in partitions:
            if tp not in done and consumer.position(tp) >= ends[tp] and now - last_record[tp] >= quiet_s:
                done.add(tp)
                consumer.pause(tp)
        if len(done) == len(partitions):
            return
        for tp, records in consumer.poll(timeout_ms=200, max_records=5000).items():
            if tp in done:
                continue
            last_record[tp] = time.monotonic()
            for r in records:
                if r.timestamp >= started_ms and r.offset >= ends[tp]:
                    done.add(tp)  # written after the scan began: the end as of then is reached
                    consumer.pause(tp)
                    break
                yield tp, r


def _aware(t: datetime | None) -> datetime | None:
    # A time without a zone (as the CLI parses one) is taken as UTC.
    return t.replace(tzinfo=timezone.utc) if t is not None and t.tzinfo is None else t


def _in_window(ms: int, since: datetime | None, until: datetime | None) -> bool:
    since, until = _aware(since), _aware(until)
    t = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return (since is None or t >= since) and (until is None or t < until)


def entered_calls(settings: Settings) -> dict[str, _Seen]:
    """Call id -> when it first appeared on the bus and how far it got there."""
    records = scan_topics(settings.kafka, (*_TRACKED_TOPICS, DeadLetter.topic))
    seen: dict[str, _Seen] = {}

    def note(call_id: str, ms: int, reached: int, entering: bool) -> None:
        entry = seen.get(call_id)
        if entry is None:
            if entering:
                seen[call_id] = _Seen(first_ms=ms, reached=reached)
            return
        entry.first_ms = min(entry.first_ms, ms)
        entry.reached = max(entry.reached, reached)

    # Entry topics first, so later topics only advance calls that entered.
    for i, topic in enumerate(_TRACKED_TOPICS):
        for r in records[topic]:
            if r.key is None:
                continue  # every producer keys by call id; an unkeyed record is no call
            note(r.key.decode("utf-8", "replace"), r.timestamp, i, topic in _ENTRY_TOPICS)
    for r in records[DeadLetter.topic]:
        try:
            dl = DeadLetter.decode(r.value)
        except ContractError:
            continue
        if dl.stage == "ingest" and dl.call_id:
            note(dl.call_id, r.timestamp, 0, True)
    return seen


def _outcome(row: dict) -> str:
    # Landed means both halves are stored: the inspection and the transcript it was made from
    # (the sink reads their topics independently, so either can arrive first).
    if row["outcome"] == "inspected" and row["transcript_final"] is None:
        return "landed"
    return row["outcome"]


def reconcile(settings: Settings, since: datetime | None = None, until: datetime | None = None) -> ReconcileReport:
    """Account for every call that entered in [since, until): landed, dead-lettered or stuck; count duplicates."""
    from hotline.warehouse.reader import SnapshotMissing, run_query

    seen = {c: s for c, s in entered_calls(settings).items() if _in_window(s.first_ms, since, until)}
    try:
        outcomes = {r["call_id"]: _outcome(r) for r in run_query(settings.warehouse, "accounting", limit=_MAX_CALLS).iter_rows(named=True)}
        dup_rows = run_query(settings.warehouse, "reconcile_duplicates").iter_rows(named=True)
    except SnapshotMissing:
        outcomes, dup_rows = {}, iter(())
    duplicates: dict[str, list[str]] = {}
    for row in dup_rows:
        if row["call_id"] in seen or (since is None and until is None):
            duplicates.setdefault(row["call_id"], []).append(row["table_name"])
    landed = sum(1 for c in seen if outcomes.get(c) == "inspected")
    dead = sum(1 for c in seen if outcomes.get(c) == "dead_lettered")
    stuck = tuple(
        StuckCall(c, _TRACKED_TOPICS[s.reached], datetime.fromtimestamp(s.first_ms / 1000, tz=timezone.utc))
        for c, s in sorted(seen.items(), key=lambda kv: kv[1].first_ms)
        if outcomes.get(c) not in ("inspected", "dead_lettered")
    )
    unexplained = tuple(sorted(c for c in outcomes if c not in seen)) if since is None and until is None else ()
    report = ReconcileReport(entered=len(seen), landed=landed, dead_lettered=dead, stuck=stuck, duplicates=duplicates, unexplained=unexplained)
    log.info("reconcile: %s", report.summary())
    return report


def format_report(report: ReconcileReport, max_listed: int = 50) -> str:
    """The human-readable form of `hotline reconcile`."""
    s = report.summary()
    lines = [
        f"in {s['in']} = landed {s['landed']} + dead-lettered {s['dead_lettered']} + stuck {s['stuck']}"
        f"  ({'balanced' if report.balanced else 'NOT BALANCED'})",
        f"duplicates: {s['duplicates']}",
    ]
    for call_id, tables in list(report.duplicates.items())[:max_listed]:
        lines.append(f"  duplicate {call_id}: {', '.join(tables)}")
    for c in report.stuck[:max_listed]:
        lines.append(f"  stuck {c.call_id}: reached {c.reached}, entered {c.first_seen.isoformat(timespec='seconds')}")
    if len(report.stuck) > max_listed:
        lines.append(f"  ... and {len(report.stuck) - max_listed} more stuck")
    if report.unexplained:
        lines.append(f"in the warehouse but not seen entering (past topic retention?): {len(report.unexplained)}")
    return "\n".join(lines)
