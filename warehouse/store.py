"""Idempotent writes of contract messages into the warehouse, keyed by natural ids.

Replaying a message yields the same rows: calls and inspections are upserted by call id, a
call's turns, checks and LLM items are replaced as a whole, alerts are keyed by
(call_id, kind, start_s), dead letters by where the message sat and work-order events by event id. Only the sink calls these
(DuckDB allows one writing process per file); tests use them to seed a warehouse directly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

import duckdb

from hotline.contracts import AlertRaised, CallInspected, CallMeta, Contract, DeadLetter, TranscriptReady, WorkOrderEvent
from hotline.settings import WarehouseSettings
from hotline.warehouse import sqlfiles
from hotline.warehouse.migrations import migrate
from hotline.warehouse.reference import load_reference, store_reference
from hotline.warehouse.snapshot import publish_snapshot
from hotline.warehouse.workorders import event_rows, refresh_work_orders

log = logging.getLogger(__name__)

STORED_CONTRACTS: tuple[type[Contract], ...] = (TranscriptReady, CallInspected, AlertRaised, DeadLetter, WorkOrderEvent)


def open_writer(cfg: WarehouseSettings, reference: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse file for writing, with the schema and the reference
    data (``reference``, default the packaged warehouse/reference.yaml) up to date."""
    if cfg.database.resolve() == cfg.snapshot.resolve():
        raise ValueError(f"warehouse.database and warehouse.snapshot must be different files (both are {cfg.database})")
    cfg.database.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(cfg.database))
    try:
        migrate(con)
        store_reference(con, load_reference(reference))
    except BaseException:
        con.close()
        raise
    return con


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> None:
    con.execute(sqlfiles.load(name, "internal"), params)


def _meta_params(meta: CallMeta) -> dict:
    return {
        "call_id": meta.call_id,
        "centre_id": meta.centre_id,
        "team_id": meta.team_id,
        "agent_id": meta.agent_id,
        "caller_number": meta.caller_number,
        "started_at": meta.started_at,
        "channel_layout": meta.channel_layout,
        "agent_channel": meta.agent_channel,
        "source_uri": meta.source_uri,
    }


def store_transcript(con: duckdb.DuckDBPyConnection, msg: TranscriptReady) -> bool:
    """Upsert the call and replace its turns; a partial transcript never replaces a final one."""
    rows = con.sql(sqlfiles.load("transcript_is_final", "internal"), params={"call_id": msg.call_id}).fetchall()
    if rows and rows[0][0] and not msg.is_final:
        log.debug("sink: partial transcript of %s arrived after its final one; kept the final", msg.call_id)
        return False
    _run(
        con,
        "upsert_call_transcript",
        _meta_params(msg.meta)
        | {
            "transcript_final": msg.is_final,
            "transcript_incomplete": msg.incomplete,
            "duration_s": msg.duration_s,
            "language": msg.language,
            "asr_model": msg.asr_model,
            "asr_processing_s": msg.processing_s,
            "transcribed_at": msg.transcribed_at,
        },
    )
    _run(con, "delete_turns", {"call_id": msg.call_id})
    turns = [
        {
            "turn_no": i,
            "speaker": seg.speaker,
            "channel": seg.channel,
            "start_s": seg.start_s,
            "end_s": seg.end_s,
            "text": seg.text,
            "words": [w.model_dump() for w in seg.words],
        }
        for i, seg in enumerate(msg.segments)
    ]
    if turns:
        _run(con, "insert_turns", {"call_id": msg.call_id, "turns": turns})
    return True


def store_inspection(con: duckdb.DuckDBPyConnection, msg: CallInspected) -> bool:
    """Upsert the call's metadata and inspection, and replace its checks and LLM items."""
    _run(con, "upsert_call_meta", _meta_params(msg.meta))
    category = msg.category
    _run(
        con,
        "upsert_inspection",
        {
            "call_id": msg.call_id,
            "scorecard_id": msg.scorecard_id,
            "scorecard_version": msg.scorecard_version,
            "score": msg.score,
            "max_score": msg.max_score,
            "fatal": msg.fatal,
            "defects": list(msg.defects),
            "category": category.category if category else None,
            "category_score": category.score if category else None,
            "category_method": category.method if category else None,
            "category_neighbours": list(category.neighbours) if category else None,
            "review_state": msg.review_state,
            "inspected_at": msg.inspected_at,
        },
    )
    _run(con, "delete_check_results", {"call_id": msg.call_id})
    checks = [
        {
            "item_no": i,
            "item_id": c.item_id,
            "name": c.name,
            "kind": c.kind,
            "status": c.status,
            "weight": c.weight,
            "points": c.points,
            "fatal": c.fatal,
            "reason": c.reason,
            "evidence": [e.model_dump() for e in c.evidence],
        }
        for i, c in enumerate(msg.checks)
    ]
    if checks:
        _run(con, "insert_check_results", {"call_id": msg.call_id, "checks": checks})
    _run(con, "delete_llm_judgements", {"call_id": msg.call_id})
    items = [
        {
            "item_no": i,
            "name": j.name,
            "status": j.status,
            "reason": j.reason,
            # JSON text, not a struct: each LLM item has its own shape.
            "value": json.dumps(j.value, ensure_ascii=False) if j.value is not None else None,
            "model": j.model,
            "prompt_version": j.prompt_version,
        }
        for i, j in enumerate(msg.llm)
    ]
    if items:
        _run(con, "insert_llm_judgements", {"call_id": msg.call_id, "items": items})
    return True


def store_alert(con: duckdb.DuckDBPyConnection, msg: AlertRaised) -> bool:
    _run(
        con,
        "upsert_alert",
        {
            "call_id": msg.call_id,
            "kind": msg.kind,
            "start_s": msg.start_s,
            "end_s": msg.end_s,
            "severity": msg.severity,
            "quote": msg.quote,
            "speaker": msg.speaker,
            "from_partial": msg.from_partial,
            "raised_at": msg.raised_at,
        },
    )
    return True


def store_dead_letter(con: duckdb.DuckDBPyConnection, msg: DeadLetter) -> bool:
    _run(
        con,
        "insert_dead_letter",
        {
            "stage": msg.stage,
            "call_id": msg.call_id,
            "reason": msg.reason,
            "error_type": msg.error_type,
            "original_topic": msg.original_topic,
            "original_partition": msg.original_partition,
            "original_offset": msg.original_offset,
            "original_key": msg.original_key,
            "source_uri": msg.source_uri,
            "payload": msg.payload,
            "failed_at": msg.failed_at,
        },
    )
    return True


def store_message(con: duckdb.DuckDBPyConnection, msg: Contract) -> bool:
    """Write one message (inside the caller's transaction); False when it was deliberately skipped."""
    if isinstance(msg, TranscriptReady):
        return store_transcript(con, msg)
    if isinstance(msg, CallInspected):
        return store_inspection(con, msg)
    if isinstance(msg, AlertRaised):
        return store_alert(con, msg)
    if isinstance(msg, DeadLetter):
        return store_dead_letter(con, msg)
    if isinstance(msg, WorkOrderEvent):
        # Events only: store_batch re-derives the touched orders once per batch.
        _run(con, "upsert_work_order_events", {"events": event_rows([msg], "kafka")})
        return True
    raise TypeError(f"the warehouse does not store {type(msg).__name__}")


def store_batch(con: duckdb.DuckDBPyConnection, messages: Iterable[Contract]) -> int:
    """Write messages in ONE transaction: all of them land, or none (the caller retries)."""
    stored = 0
    touched_orders: set[str] = set()
    con.begin()
    try:
        for msg in messages:
            stored += store_message(con, msg)
            if isinstance(msg, WorkOrderEvent):
                touched_orders.add(msg.work_order_id)
        refresh_work_orders(con, touched_orders)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return stored


def seed_warehouse(cfg: WarehouseSettings, messages: Iterable[Contract]) -> Path:
    """Write messages and publish a snapshot without Kafka (demos, tests); returns the snapshot path."""
    con = open_writer(cfg)
    try:
        store_batch(con, messages)
        publish_snapshot(con, cfg)
    finally:
        con.close()
    return cfg.snapshot
