"""`hotline reconcile`: for a time window, calls in = calls landed + calls dead-lettered (+ stuck).

Where "in" comes from: the bus itself, not the warehouse. A reader with no consumer group (it
assigns partitions by hand and never commits, so no stage's offsets move) reads, from the start
of the topics to their end (end offsets, then until quiet, see ``read_to_end``):

* ``calls.audio.v1`` and ``calls.transcripts.v1``: every call id that entered the pipeline, as
  audio from a recorder or as a transcript handed in directly (replayed transcripts, bench/load);
* ``calls.deadletter.v1`` records of stage ``ingest``: recordings that could not even be read
  (they never reach the audio topic, but they did enter).

Messages are keyed by call id, so the key and the record timestamp say which call entered when
(audio is never decoded). A call's time is the timestamp of its first record on the bus;
``since``/``until`` select calls by that time. The answer is bounded by what the topics hold: on a
real cluster keep retention longer than the reconcile window (and a broker that loses its log, as
the memory-only development broker does on a restart, forgets everything before).

What is counted are recordings, not call ids: two different recordings sent under one id are two
that entered (``CallMeta.recording_sha256``, read from each audio record's metadata). One of them is
the call; each other one must have been dead-lettered by a dead letter naming it (a refused
collision, an unreadable file), or it is listed as stuck: a recording lost under another's id.
Dead letters are read from the bus and from the warehouse, which alone holds the sink's own (it
refuses a transcript or inspection of another recording than the stored call's: the
`reconcile_refused_recordings` query).

Where a call ended up comes from the warehouse snapshot (the `accounting` query, judged by
``accounting.final_outcome``): landed means its transcript and its inspection are both stored;
dead-lettered means it never landed and a stage dead-lettered it; everything else is stuck,
reported with the furthest topic it reached. Duplicates are counted on the stored rows themselves
(the `reconcile_duplicates` query), which is the proof that replays are idempotent.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from hotline.app.accounting import final_outcome
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
    # Set for a second recording under the call's id that was neither the call nor dead-lettered.
    recording_sha256: str | None = None


@dataclass(frozen=True)
class ReconcileReport:
    entered: int
    landed: int
    dead_lettered: int
    stuck: tuple[StuckCall, ...] = ()
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # call id -> tables holding it twice
    # Calls stored in the warehouse that were never seen entering, and why the bus lacks them.
    unexplained: tuple[str, ...] = ()
    unexplained_why: str | None = None

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
    # Recordings that entered under this id, first one first (None: a producer that names none).
    recordings: dict[str | None, None] = field(default_factory=dict)
    # Recordings named by dead letters under this id.
    dead_lettered: set[str] = field(default_factory=set)

    def entered_recordings(self) -> list[str | None]:
        """The recordings that entered, first one first; a call that named none is one recording."""
        return [r for r in self.recordings if r is not None] or [None]


@dataclass(frozen=True)
class _Entered:
    calls: dict[str, _Seen]
    # Whether every scanned partition still starts at offset 0 (nothing removed by retention).
    from_start: bool
    first_ms: int | None  # the oldest record on the bus


def scan_topics(cfg: KafkaSettings, topics: tuple[str, ...], timeout_s: float = 120.0, begins: dict | None = None) -> dict[str, list]:
    """Every record of ``topics`` up to their current end offsets, read without a consumer group.

    Returns topic (unprefixed) -> records. Records keep key, value and timestamp. ``begins``, when
    given, receives each partition's first offset.
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
        if begins is not None:
            begins.update(consumer.beginning_offsets(partitions))
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


def _recording_of(value: bytes | None) -> str | None:
    """The recording an audio record belongs to, from its metadata (None when it names none)."""
    try:
        meta = json.loads(value)["meta"]
        return meta.get("recording_sha256") if isinstance(meta, dict) else None
    except (TypeError, ValueError, KeyError, RecursionError):  # RecursionError: JSON nested past Python's limit
        return None  # undecodable: the ASR stage dead-letters it under its key


def entered_calls(settings: Settings) -> _Entered:
    """Call id -> when it first appeared on the bus, how far it got there and its recordings."""
    begins: dict = {}
    records = scan_topics(settings.kafka, (*_TRACKED_TOPICS, DeadLetter.topic), begins=begins)
    seen: dict[str, _Seen] = {}

    def note(call_id: str, ms: int, reached: int, entering: bool, recording: str | None = None) -> None:
        entry = seen.get(call_id)
        if entry is None:
            if not entering:
                return
            entry = seen[call_id] = _Seen(first_ms=ms, reached=reached)
        entry.first_ms = min(entry.first_ms, ms)
        entry.reached = max(entry.reached, reached)
        if entering and reached == 0:
            entry.recordings.setdefault(recording, None)

    # Entry topics first, so later topics only advance calls that entered.
    for i, topic in enumerate(_TRACKED_TOPICS):
        for r in records[topic]:
            if r.key is None:
                continue  # every producer keys by call id; an unkeyed record is no call
            recording = _recording_of(r.value) if topic == AudioChunk.topic else None
            note(r.key.decode("utf-8", "replace"), r.timestamp, i, topic in _ENTRY_TOPICS, recording)
    for r in records[DeadLetter.topic]:
        try:
            dl = DeadLetter.decode(r.value)
        except ContractError:
            continue
        if dl.stage == "ingest" and dl.call_id:
            note(dl.call_id, r.timestamp, 0, True, dl.recording_sha256)
        if dl.call_id in seen and dl.recording_sha256:
            seen[dl.call_id].dead_lettered.add(dl.recording_sha256)
    stamps = [r.timestamp for rs in records.values() for r in rs]
    return _Entered(seen, from_start=all(b == 0 for b in begins.values()), first_ms=min(stamps) if stamps else None)


def lost_history(what: str, *, from_start: bool, since_ms: int | None = None) -> str:
    """Why the bus no longer holds ``what`` the warehouse stored, and what to do about it."""
    since = "" if since_ms is None else f" (the bus holds records from {_iso(since_ms)} on: `--since {_iso(since_ms)}`)"
    if from_start:
        return (f"{what} are not on the bus, though its topics still start at offset 0: the broker lost its log "
                "(the memory-only development broker keeps nothing across a restart; its consumer groups' offsets "
                "are gone too). The warehouse keeps what it stored; account only for what entered since the "
                f"restart{since}.")
    return (f"{what} are no longer on the bus: topic retention removed the oldest records. Reconcile a window the "
            f"topics still hold{since}, and keep retention longer than the windows you reconcile.")


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds")


def reconcile(settings: Settings, since: datetime | None = None, until: datetime | None = None) -> ReconcileReport:
    """Account for every recording that entered in [since, until): landed, dead-lettered or stuck; count duplicates."""
    from hotline.warehouse.reader import SnapshotMissing, run_internal

    bus = entered_calls(settings)
    seen = {c: s for c, s in bus.calls.items() if _in_window(s.first_ms, since, until)}
    try:
        outcomes = {r["call_id"]: final_outcome(r) for r in run_internal(settings.warehouse, "accounting", limit=_MAX_CALLS).iter_rows(named=True)}
        dup_rows = run_internal(settings.warehouse, "reconcile_duplicates").iter_rows(named=True)
        refused = run_internal(settings.warehouse, "reconcile_refused_recordings", limit=_MAX_CALLS).iter_rows(named=True)
    except SnapshotMissing:
        outcomes, dup_rows, refused = {}, iter(()), iter(())
    for row in refused:
        if row["call_id"] in seen:
            seen[row["call_id"]].dead_lettered.add(row["recording_sha256"])
    duplicates: dict[str, list[str]] = {}
    for row in dup_rows:
        if row["call_id"] in seen or (since is None and until is None):
            duplicates.setdefault(row["call_id"], []).append(row["table_name"])
    entered = landed = dead = 0
    stuck: list[StuckCall] = []
    for c, s in sorted(seen.items(), key=lambda kv: kv[1].first_ms):
        recordings = s.entered_recordings()
        kept = [r for r in recordings if r not in s.dead_lettered]
        first_seen = datetime.fromtimestamp(s.first_ms / 1000, tz=timezone.utc)
        entered += len(recordings)
        dead += len(recordings) - len(kept)
        # The first recording kept is the call; any other one was lost under its id.
        stuck.extend(StuckCall(c, AudioChunk.topic, first_seen, r) for r in kept[1:])
        if not kept:
            continue  # every recording under this id was dead-lettered by name: there is no call of its own
        outcome = outcomes.get(c)
        if outcome == "inspected":
            landed += 1
        elif outcome == "dead_lettered":
            dead += 1
        else:
            stuck.append(StuckCall(c, _TRACKED_TOPICS[s.reached], first_seen))
    unexplained = tuple(sorted(c for c in outcomes if c not in bus.calls)) if since is None and until is None else ()
    why = lost_history(f"{len(unexplained)} calls the warehouse stored", from_start=bus.from_start, since_ms=bus.first_ms) if unexplained else None
    report = ReconcileReport(entered=entered, landed=landed, dead_lettered=dead, stuck=tuple(stuck), duplicates=duplicates,
                             unexplained=unexplained, unexplained_why=why)
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
        if c.recording_sha256 is None:
            lines.append(f"  stuck {c.call_id}: reached {c.reached}, entered {c.first_seen.isoformat(timespec='seconds')}")
        else:
            lines.append(f"  lost recording sha256:{c.recording_sha256[:12]} under call id {c.call_id}: another recording "
                         "holds the id, and this one was neither transcribed nor dead-lettered")
    if len(report.stuck) > max_listed:
        lines.append(f"  ... and {len(report.stuck) - max_listed} more stuck")
    if report.unexplained:
        lines.append(f"in the warehouse but not seen entering: {len(report.unexplained)}. {report.unexplained_why}")
    return "\n".join(lines)
