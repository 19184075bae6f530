"""A polled batch reduced to the rows it leaves behind, one list per table, before anything is written.

The sink writes a batch set-based (one statement per table), so the batch is first reduced to
what writing its messages one by one, in order, would leave: per call the latest metadata, the
latest transcript (a partial never after a final one), the latest inspection with its items;
per alert key one copy (the final transcript's over a partial's, first raised_at); per work-order event id the latest copy. Dead letters keep every
copy with its position (the statement keeps the first). Partial transcripts of calls whose
stored transcript is already final can only be told with the database at hand, so ``rows``
takes those calls (``partial_only_calls`` names the candidates).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from hotline.contracts import (
    AlertRaised,
    CallInspected,
    CallMeta,
    Contract,
    DeadLetter,
    Evidence,
    TranscriptReady,
    WorkOrderEvent,
)
from hotline.warehouse.talk import NO_TURNS, measure_talk

# Column order of each table the sink writes (its sink_batch_ scratch table for upserted ones,
# migration 0011); the writer checks it against the database.
COLUMNS: dict[str, tuple[str, ...]] = {
    "calls": (
        "call_id", "centre_id", "team_id", "agent_id", "caller_number", "started_at", "channel_layout", "agent_channel",
        "source_uri", "transcript_final", "transcript_incomplete", "duration_s", "language", "asr_model",
        "asr_processing_s", "transcribed_at",
        # Talk and silence from the transcript (migration 0028, warehouse/talk.py).
        "turn_count", "agent_talk_s", "caller_talk_s", "silence_s", "longest_silence_s", "overlap_s",
        "agent_talk_share", "silence_share",
        # The recording the call is stored from (migration 0036, warehouse/identity.py).
        "recording_sha256",
    ),
    "turns": ("call_id", "turn_no", "speaker", "channel", "start_s", "end_s", "text", "words"),
    "inspections": (
        "call_id", "scorecard_id", "scorecard_version", "score", "max_score", "fatal", "defects", "category",
        "category_score", "category_method", "category_neighbours", "review_state", "inspected_at",
        "sentiment_method", "sentiment_overall", "sentiment_trend", "sentiment_first_third_valence",
        "sentiment_last_third_valence", "sentiment_evidence", "routing_department", "routing_rule_id",
        "routing_catalogue_version", "routing_category", "routing_district", "routing_reason",
        "attitude_method", "attitude_overall", "attitude_evidence", "attitude_turns", "items_needing_review",
        "caller_sentiment",
    ),
    "check_results": ("call_id", "item_no", "item_id", "name", "kind", "status", "weight", "points", "fatal", "reason", "evidence"),
    # value is JSON text (each LLM item has its own shape): cast to JSON on insert.
    "llm_judgements": ("call_id", "item_no", "name", "status", "reason", "value", "model", "prompt_version"),
    "sentiment_turns": ("call_id", "turn_no", "start_s", "end_s", "label", "margin"),
    "demands": (
        "call_id", "idx", "summary", "category", "district", "street", "address", "urgency", "requested_action",
        "todos", "source", "machine_extracted", "evidence", "demand_type", "type_evidence",
    ),
    "alerts": ("call_id", "kind", "start_s", "end_s", "severity", "quote", "speaker", "from_partial", "raised_at", "alert_key"),
    "dead_letters": (
        "seq", "stage", "call_id", "reason", "error_type", "original_topic", "original_partition", "original_offset",
        "original_key", "source_uri", "payload", "failed_at", "recording_sha256",
    ),
}


@dataclass
class _Call:
    # Latest metadata of any message written for the call, and of those other than partial transcripts.
    meta: CallMeta | None = None
    meta_without_partials: CallMeta | None = None
    transcript: TranscriptReady | None = None
    has_final: bool = False
    # Partial transcripts written while no final one is in the batch: all dropped if one is stored.
    partials: int = 0
    inspection: CallInspected | None = None


@dataclass
class Batch:
    messages: int = 0
    # Partial transcripts that came after a final one of the same call in this batch.
    skipped: int = 0
    calls: dict[str, _Call] = field(default_factory=dict)
    alerts: dict[tuple[str, str, str], AlertRaised] = field(default_factory=dict)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    events: dict[str, WorkOrderEvent] = field(default_factory=dict)

    def partial_only_calls(self) -> list[str]:
        """Calls whose transcript in this batch is partial: stale if the stored one is final."""
        return sorted(cid for cid, c in self.calls.items() if c.transcript is not None and not c.has_final)

    def stored(self, stale: set[str]) -> int:
        """How many messages are written (not deliberately skipped), given the calls with stale partials."""
        return self.messages - self.skipped - sum(self.calls[cid].partials for cid in stale)

    @property
    def touched_orders(self) -> set[str]:
        return {e.work_order_id for e in self.events.values()}

    def event_list(self) -> list[WorkOrderEvent]:
        return list(self.events.values())

    def rows(self, stale: set[str]) -> dict[str, list[tuple]]:
        """Rows per scratch table, in COLUMNS order; ``stale``: calls whose partials are not written."""
        out: dict[str, list[tuple]] = {name: [] for name in COLUMNS}
        for cid, call in self.calls.items():
            transcript = call.transcript if cid not in stale else None
            meta = call.meta if cid not in stale else call.meta_without_partials
            if meta is not None:
                out["calls"].append(_call_row(meta, transcript))
            if transcript is not None:
                out["turns"].extend(_turn_rows(transcript))
            if call.inspection is not None:
                _add_inspection(out, call.inspection)
        out["alerts"] = [_alert_row(a) for a in self.alerts.values()]
        out["dead_letters"] = [_dead_letter_row(seq, d) for seq, d in enumerate(self.dead_letters)]
        return out


def collect(messages: Iterable[Contract]) -> Batch:
    """Reduce messages, in order, to what writing them one by one would leave."""
    batch = Batch()
    for msg in messages:
        batch.messages += 1
        if isinstance(msg, TranscriptReady):
            call = batch.calls.setdefault(msg.call_id, _Call())
            if msg.is_final:
                call.transcript, call.has_final, call.partials = msg, True, 0
                call.meta = call.meta_without_partials = msg.meta
            elif call.has_final:
                batch.skipped += 1
            else:
                call.transcript, call.meta = msg, msg.meta
                call.partials += 1
        elif isinstance(msg, CallInspected):
            call = batch.calls.setdefault(msg.call_id, _Call())
            call.inspection = msg
            call.meta = call.meta_without_partials = msg.meta
        elif isinstance(msg, AlertRaised):
            key = (msg.call_id, msg.kind, alert_key(msg))
            batch.alerts[key] = merge_alerts(batch.alerts.get(key), msg)
        elif isinstance(msg, DeadLetter):
            batch.dead_letters.append(msg)
        elif isinstance(msg, WorkOrderEvent):
            # Re-inserted at the end: the statement sees each id once, with its latest copy.
            batch.events.pop(msg.event_id, None)
            batch.events[msg.event_id] = msg
        else:
            raise TypeError(f"the warehouse does not store {type(msg).__name__}")
    return batch


def _evidence(items: tuple[Evidence, ...]) -> list[dict]:
    # A frozen model's own field dict, read as it is: building a new one per item costs more
    # than the rest of the row.
    return [e.__dict__ for e in items]


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _call_row(meta: CallMeta, t: TranscriptReady | None) -> tuple:
    head = (
        meta.call_id, meta.centre_id, meta.team_id, meta.agent_id, meta.caller_number, meta.started_at,
        meta.channel_layout, meta.agent_channel, meta.source_uri,
    )
    if t is None:
        return head + (None,) * 7 + NO_TURNS + (meta.recording_sha256,)
    return head + (t.is_final, t.incomplete, t.duration_s, t.language, t.asr_model, t.processing_s, t.transcribed_at,
                   *measure_talk(t.segments, t.duration_s), meta.recording_sha256)


def _turn_rows(t: TranscriptReady) -> list[tuple]:
    return [
        (
            t.call_id, i, s.speaker, s.channel, s.start_s, s.end_s, s.text,
            [w.__dict__ for w in s.words],
        )
        for i, s in enumerate(t.segments)
    ]


def _caller_sentiment(m: CallInspected) -> str | None:
    """The caller's sentiment as view call_sentiment resolves it (migration 0028): the inspection's
    own, else its judged LLM caller_sentiment item's label."""
    if m.sentiment is not None and m.sentiment.overall is not None:
        return m.sentiment.overall
    for j in m.llm:
        if j.name == "caller_sentiment" and j.status == "judged" and isinstance(j.value, dict) and j.value.get("label") is not None:
            return str(j.value["label"])
    return None


def _add_inspection(out: dict[str, list[tuple]], m: CallInspected) -> None:
    cid, cat, sen, route = m.call_id, m.category, m.sentiment, m.routing
    out["inspections"].append((
        cid, m.scorecard_id, m.scorecard_version, m.score, m.max_score, m.fatal, list(m.defects),
        cat.category if cat else None, cat.score if cat else None, cat.method if cat else None,
        list(cat.neighbours) if cat else None, m.review_state, m.inspected_at,
        sen.method if sen else None, sen.overall if sen else None, sen.trend if sen else None,
        sen.first_third_valence if sen else None, sen.last_third_valence if sen else None,
        _evidence(sen.evidence) if sen else None,
        route.department if route else None, route.rule_id if route else None,
        route.catalogue_version if route else None, route.category if route else None,
        route.district if route else None, route.reason if route else None,
        *_attitude_values(m),
        # The items a person must look at, in scorecard order (migration 0026).
        [c.item_id for c in m.checks if c.status == "needs_review"],
        _caller_sentiment(m),
    ))
    out["check_results"].extend(
        (cid, i, c.item_id, c.name, c.kind, c.status, c.weight, c.points, c.fatal, c.reason, _evidence(c.evidence))
        for i, c in enumerate(m.checks)
    )
    out["llm_judgements"].extend(
        # JSON text, not a struct: each LLM item has its own shape.
        (cid, i, j.name, j.status, j.reason, _json(j.value) if j.value is not None else None, j.model, j.prompt_version)
        for i, j in enumerate(m.llm)
    )
    if sen is not None:
        out["sentiment_turns"].extend((cid, i, s.start_s, s.end_s, s.label, s.margin) for i, s in enumerate(sen.turns))
    out["demands"].extend(
        (
            cid, i, d.summary, d.category, d.district, d.street, d.address, d.urgency, d.requested_action,
            _json(list(d.todos)), d.source, d.machine_extracted, _json(_evidence(d.evidence)),
            d.demand_type, _json(_evidence(d.type_evidence)),
        )
        for i, d in enumerate(m.demands)
    )


def _attitude_values(m: CallInspected) -> tuple:
    """attitude_method, _overall, _evidence, _turns (migration 0015); NULLs for an inspection without one."""
    att = m.agent_attitude
    if att is None:
        return (None, None, None, None)
    turns = [{"start_s": t.start_s, "end_s": t.end_s, "label": t.label, "reason": t.reason} for t in att.turns]
    return (att.method, att.overall, _evidence(att.evidence), turns)


def alert_key(a: AlertRaised) -> str:
    """What tells one alert of a call and kind from another (batch_upsert_alerts.sql, migration 0018)."""
    return a.identity if a.identity is not None else f"at {a.start_s:.3f}"


def merge_alerts(stored: AlertRaised | None, new: AlertRaised) -> AlertRaised:
    """One copy of an alert raised again, by the rules of batch_upsert_alerts.sql."""
    if stored is None:
        return new
    # A final transcript's copy replaces a partial's; a partial's never replaces a final's.
    kept = stored if new.from_partial and not stored.from_partial else new
    return kept.model_copy(update={"from_partial": stored.from_partial and new.from_partial, "raised_at": min(stored.raised_at, new.raised_at)})


def _alert_row(a: AlertRaised) -> tuple:
    return (a.call_id, a.kind, a.start_s, a.end_s, a.severity, a.quote, a.speaker, a.from_partial, a.raised_at, alert_key(a))


def _dead_letter_row(seq: int, d: DeadLetter) -> tuple:
    return (
        seq, d.stage, d.call_id, d.reason, d.error_type, d.original_topic, d.original_partition, d.original_offset,
        d.original_key, d.source_uri, d.payload, d.failed_at, d.recording_sha256,
    )
