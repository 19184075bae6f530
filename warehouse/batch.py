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
from hotline.conversation import DEFAULT_SILENCE_THRESHOLD_S, measure_conversation, party

# The tables a batch leaves rows in. Each row is a dict keyed by column name; the writer lays it
# out in the order of the table's definition (sql/schema/tables/, staged through sql/schema/scratch/).
TABLES = ("calls", "turns", "inspections", "check_results", "llm_judgements", "sentiment_turns", "demands", "alerts", "dead_letters")
Row = dict[str, object]


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

    def rows(self, stale: set[str]) -> dict[str, list[Row]]:
        """Rows per table; ``stale``: calls whose partials are not written."""
        out: dict[str, list[Row]] = {name: [] for name in TABLES}
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


def _call_row(meta: CallMeta, t: TranscriptReady | None) -> Row:
    row: Row = {
        "call_id": meta.call_id, "centre_id": meta.centre_id, "team_id": meta.team_id, "agent_id": meta.agent_id,
        "caller_number": meta.caller_number, "started_at": meta.started_at, "channel_layout": meta.channel_layout,
        "agent_channel": meta.agent_channel, "source_uri": meta.source_uri, "recording_sha256": meta.recording_sha256,
    }
    if t is None:  # metadata only: NULL transcript columns say no transcript has landed
        row.update(_NO_TRANSCRIPT)
        return row
    row.update(
        transcript_final=t.is_final, transcript_incomplete=t.incomplete, duration_s=t.duration_s, language=t.language,
        asr_model=t.asr_model, asr_processing_s=t.processing_s, transcribed_at=t.transcribed_at,
    )
    row.update(_talk(t))
    return row


# The calls table's talk columns (sql/schema/tables/calls.sql); all NULL for a transcript without
# turns (no figures, not zeros).
_NO_TURNS: Row = dict.fromkeys(
    ("turn_count", "agent_talk_s", "caller_talk_s", "silence_s", "longest_silence_s", "overlap_s", "agent_talk_share",
     "silence_share", "interruptions", "silence_threshold_s")
)

_NO_TRANSCRIPT: Row = dict.fromkeys(
    ("transcript_final", "transcript_incomplete", "duration_s", "language", "asr_model", "asr_processing_s", "transcribed_at")
) | _NO_TURNS


def _talk(t: TranscriptReady) -> Row:
    """The calls row's talk and silence figures: the conversation metrics the transcript carries
    (hotline/conversation.py, computed by the ASR), or the same function's over its segments when
    it carries none (older producers, imported transcripts)."""
    if not t.segments:
        return _NO_TURNS
    m = t.metrics if t.metrics is not None else measure_conversation(t.segments, t.duration_s, silence_threshold_s=DEFAULT_SILENCE_THRESHOLD_S)
    agent, caller = party(m, "agent"), party(m, "caller")
    agent_s, caller_s = (agent.talk_s if agent is not None else 0.0), (caller.talk_s if caller is not None else 0.0)
    talk = sum(p.talk_s for p in m.parties)
    return {
        "turn_count": len(t.segments),
        "agent_talk_s": agent_s,
        "caller_talk_s": caller_s,
        "silence_s": m.silence_s,
        "longest_silence_s": m.longest_silence_s,
        "overlap_s": m.overlap_s,
        # The agent's talk over all parties' (the metrics' talk_share, from the stored seconds);
        # unknown while no party is told as agent or caller (a mono call without diarization).
        "agent_talk_share": agent_s / talk if talk > 0 and (agent is not None or caller is not None) else None,
        "silence_share": m.silence_s / t.duration_s if t.duration_s > 0 else None,
        "interruptions": m.interruptions,
        "silence_threshold_s": m.silence_threshold_s,
    }


def _turn_rows(t: TranscriptReady) -> list[Row]:
    return [
        {
            "call_id": t.call_id, "turn_no": i, "speaker": s.speaker, "channel": s.channel, "start_s": s.start_s,
            "end_s": s.end_s, "text": s.text, "words": [w.__dict__ for w in s.words],
        }
        for i, s in enumerate(t.segments)
    ]


def _caller_sentiment(m: CallInspected) -> str | None:
    """The caller's sentiment as view call_sentiment resolves it: the inspection's
    own, else its judged LLM caller_sentiment item's label."""
    if m.sentiment is not None and m.sentiment.overall is not None:
        return m.sentiment.overall
    for j in m.llm:
        if j.name == "caller_sentiment" and j.status == "judged" and isinstance(j.value, dict) and j.value.get("label") is not None:
            return str(j.value["label"])
    return None


def _add_inspection(out: dict[str, list[Row]], m: CallInspected) -> None:
    cid, cat, sen, route, att = m.call_id, m.category, m.sentiment, m.routing, m.agent_attitude
    out["inspections"].append({
        "call_id": cid, "scorecard_id": m.scorecard_id, "scorecard_version": m.scorecard_version, "score": m.score,
        "max_score": m.max_score, "fatal": m.fatal, "defects": list(m.defects), "review_state": m.review_state,
        "inspected_at": m.inspected_at,
        "category": cat.category if cat else None, "category_score": cat.score if cat else None,
        "category_method": cat.method if cat else None, "category_neighbours": list(cat.neighbours) if cat else None,
        "sentiment_method": sen.method if sen else None, "sentiment_overall": sen.overall if sen else None,
        "sentiment_trend": sen.trend if sen else None,
        "sentiment_first_third_valence": sen.first_third_valence if sen else None,
        "sentiment_last_third_valence": sen.last_third_valence if sen else None,
        "sentiment_evidence": _evidence(sen.evidence) if sen else None,
        "routing_department": route.department if route else None, "routing_rule_id": route.rule_id if route else None,
        "routing_catalogue_version": route.catalogue_version if route else None,
        "routing_category": route.category if route else None, "routing_district": route.district if route else None,
        "routing_reason": route.reason if route else None,
        "attitude_method": att.method if att else None, "attitude_overall": att.overall if att else None,
        "attitude_evidence": _evidence(att.evidence) if att else None,
        "attitude_turns": [{"start_s": t.start_s, "end_s": t.end_s, "label": t.label, "reason": t.reason} for t in att.turns]
        if att else None,
        # The items a person must look at, in scorecard order (the review queue reads them).
        "items_needing_review": [c.item_id for c in m.checks if c.status == "needs_review"],
        "caller_sentiment": _caller_sentiment(m),
    })
    out["check_results"].extend(
        {
            "call_id": cid, "item_no": i, "item_id": c.item_id, "name": c.name, "kind": c.kind, "status": c.status,
            "weight": c.weight, "points": c.points, "fatal": c.fatal, "reason": c.reason, "evidence": _evidence(c.evidence),
        }
        for i, c in enumerate(m.checks)
    )
    out["llm_judgements"].extend(
        {
            "call_id": cid, "item_no": i, "name": j.name, "status": j.status, "reason": j.reason,
            # JSON text, not a struct: each LLM item has its own shape.
            "value": _json(j.value) if j.value is not None else None, "model": j.model, "prompt_version": j.prompt_version,
        }
        for i, j in enumerate(m.llm)
    )
    if sen is not None:
        out["sentiment_turns"].extend(
            {"call_id": cid, "turn_no": i, "start_s": s.start_s, "end_s": s.end_s, "label": s.label, "margin": s.margin}
            for i, s in enumerate(sen.turns)
        )
    out["demands"].extend(
        {
            "call_id": cid, "idx": i, "summary": d.summary, "category": d.category, "district": d.district,
            "street": d.street, "address": d.address, "urgency": d.urgency, "requested_action": d.requested_action,
            "todos": _json(list(d.todos)), "source": d.source, "machine_extracted": d.machine_extracted,
            "evidence": _json(_evidence(d.evidence)), "demand_type": d.demand_type,
            "type_evidence": _json(_evidence(d.type_evidence)),
        }
        for i, d in enumerate(m.demands)
    )


def alert_key(a: AlertRaised) -> str:
    """What tells one alert of a call and kind from another (batch_upsert_alerts.sql, alerts.alert_key)."""
    return a.identity if a.identity is not None else f"at {a.start_s:.3f}"


def merge_alerts(stored: AlertRaised | None, new: AlertRaised) -> AlertRaised:
    """One copy of an alert raised again, by the rules of batch_upsert_alerts.sql."""
    if stored is None:
        return new
    # A final transcript's copy replaces a partial's; a partial's never replaces a final's.
    kept = stored if new.from_partial and not stored.from_partial else new
    return kept.model_copy(update={"from_partial": stored.from_partial and new.from_partial, "raised_at": min(stored.raised_at, new.raised_at)})


def _alert_row(a: AlertRaised) -> Row:
    return {
        "call_id": a.call_id, "kind": a.kind, "start_s": a.start_s, "end_s": a.end_s, "severity": a.severity,
        "quote": a.quote, "speaker": a.speaker, "from_partial": a.from_partial, "raised_at": a.raised_at,
        "alert_key": alert_key(a),
    }


def _dead_letter_row(seq: int, d: DeadLetter) -> Row:
    # seq: the position in the batch (the first copy of a dead letter wins); dl_key is made by the statement.
    return {
        "seq": seq, "stage": d.stage, "call_id": d.call_id, "reason": d.reason, "error_type": d.error_type,
        "original_topic": d.original_topic, "original_partition": d.original_partition,
        "original_offset": d.original_offset, "original_key": d.original_key, "source_uri": d.source_uri,
        "payload": d.payload, "failed_at": d.failed_at, "recording_sha256": d.recording_sha256,
    }
