"""Ask the LLM again about calls whose LLM items are pending because it could not be asked.

A call inspected while no endpoint was configured, or while the server was down, lands with its
LLM items ``pending`` and the reason. Once an endpoint answers, ``rejudge_pending`` finds those
calls in the published warehouse snapshot (read-only, like the dashboards: the sink stays the only
writer), rebuilds each call's transcript from its stored turns, inspects it again in full with
``inspect_call`` (rule items, LLM items, score and review routing recomputed together, the
current scorecard and prompt versions recorded) and publishes the new ``CallInspected`` with the
same call id. The sink replaces a call's inspection whole, so the call is never doubled.

What is never done: a stand-in endpoint (settings.llm.stand_in) turns nothing into a judgement;
the calls it is asked about stay pending, with the stand-in's reason in place of "unreachable",
which is how an operator sees that the endpoint was reached. Calls that only a capable model can
move (pending because of a stand-in) are asked again only when the endpoint is not a stand-in.

If the first call asked finds the server still down, the run stops there (one call's retries,
not thousands) and publishes nothing for it: the stored "unreachable" is still the truth.

It lives in the warehouse layer, above inspection: it reads the warehouse's snapshot and uses the
inspection stage as a library, and the warehouse's scheduled jobs (jobs.py) run it. Inspection
itself never imports the warehouse.
"""

from __future__ import annotations

import logging
from datetime import datetime

import polars as pl

from hotline.bus import Publisher
from hotline.contracts import CallMeta, Segment, TranscriptReady, Word
from hotline.inspection.llm import UNREACHABLE_REASON, LlmClient, pending_is_retryable
from hotline.inspection.worker import InspectionKit, inspect_call
from hotline.settings import Settings
from hotline.warehouse.reader import internal_frame, open_snapshot

log = logging.getLogger(__name__)


def rejudge_pending(settings: Settings, *, since: datetime | None = None, limit: int | None = None,
                    kit: InspectionKit | None = None, newest_first: bool = False) -> int:
    """Re-inspect calls whose LLM items wait on an endpoint; returns how many new inspections were published.

    ``kit``: the loaded scorecard and models, when the caller holds them already (else loaded here).
    ``newest_first``: a slow judge catching up (the local one on CPU) answers the calls people look at first.
    """
    llm = LlmClient(settings.llm)
    if not llm.configured:
        log.info("rejudge: no LLM endpoint configured; nothing to ask")
        return 0
    transcripts = find_pending_transcripts(settings, since=since, limit=limit, stand_in_endpoint=settings.llm.stand_in,
                                           newest_first=newest_first)
    if not transcripts:
        log.info("rejudge: no call waits on the LLM")
        return 0
    log.info("rejudge: asking the LLM at %s again about %d calls", settings.llm.base_url, len(transcripts))
    kit = kit or InspectionKit.load(settings)
    publisher = Publisher.connect(settings.kafka)
    sent, done = [], 0
    try:
        for transcript in transcripts:
            inspected, alerts = inspect_call(transcript, scorecard=kit.scorecard, categoriser=kit.categoriser, llm=llm,
                                             settings=settings.inspection, sentiment=kit.sentiment, catalogue=kit.catalogue,
                                             attitude=kit.attitude)
            if _still_unreachable(inspected):
                log.warning("rejudge: the LLM at %s is still unreachable; stopping after call %s", settings.llm.base_url, transcript.call_id)
                break
            # The warehouse keys alerts by identity: one published again stays one row (a new one, e.g. from
            # an LLM item now judged, is raised).
            sent += [publisher.publish(inspected, transcript.call_id), *(publisher.publish(a, transcript.call_id) for a in alerts)]
            done += 1
        publisher.flush()
        for future in sent:
            future.get(timeout=60)  # a publish that failed raises here rather than being counted as done
    finally:
        publisher.close()
        llm.close()
    log.info("rejudge: published %d re-inspected calls", done)
    return done


def find_pending_transcripts(settings: Settings, *, since: datetime | None, limit: int | None, stand_in_endpoint: bool,
                             newest_first: bool = False) -> list[TranscriptReady]:
    """The stored final transcripts of calls with a pending LLM item worth asking again, oldest first (or newest)."""
    con = open_snapshot(settings.warehouse)
    try:
        pending = internal_frame(con, "pending_llm_calls", since=since)
        wanted = [r["call_id"] for r in pending.iter_rows(named=True)
                  if any(pending_is_retryable(reason, stand_in_endpoint=stand_in_endpoint) for reason in r["reasons"])]
        if newest_first:
            wanted.reverse()
        if limit:
            wanted = wanted[:limit]
        return [rebuild_transcript(internal_frame(con, "stored_transcript_call", call_id=c), internal_frame(con, "stored_transcript_turns", call_id=c))
                for c in wanted]
    finally:
        con.close()


def rebuild_transcript(detail: pl.DataFrame, turns: pl.DataFrame) -> TranscriptReady:
    """The TranscriptReady the inspection saw, from the calls row and the stored turns (with their words)."""
    row = detail.row(0, named=True)
    meta = CallMeta(
        call_id=row["call_id"], centre_id=row["centre_id"], team_id=row["team_id"], agent_id=row["agent_id"],
        caller_number=row["caller_number"], started_at=row["started_at"], channel_layout=row["channel_layout"],
        agent_channel=row["agent_channel"], source_uri=row["source_uri"],
    )
    segments = tuple(
        Segment(speaker=t["speaker"], channel=t["channel"], start_s=t["start_s"], end_s=t["end_s"], text=t["text"],
                words=tuple(Word(**w) for w in (t["words"] or ())))
        for t in turns.iter_rows(named=True)
    )
    return TranscriptReady(
        meta=meta, is_final=True, incomplete=bool(row["transcript_incomplete"]), duration_s=row["duration_s"] or 0.0,
        language=row["language"] or "zh", asr_model=row["asr_model"] or "unknown", segments=segments,
        processing_s=row["asr_processing_s"] or 0.0,
        **({"transcribed_at": row["transcribed_at"]} if row["transcribed_at"] is not None else {}),
    )


def _still_unreachable(inspected) -> bool:
    reasons = [j.reason for j in inspected.llm] + [c.reason for c in inspected.checks if c.kind == "llm"]
    return bool(reasons) and all(r.startswith(UNREACHABLE_REASON) for r in reasons)
