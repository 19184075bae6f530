"""Idempotent writes of contract messages into the warehouse, keyed by natural ids, set-based per batch.

Replaying a message yields the same rows: calls and inspections are upserted by call id, a
call's turns, checks, LLM items, sentiment turns and demands are replaced as a whole, alerts are
keyed by (call_id, kind, start_s), dead letters by where the message sat (first copy wins) and
work-order events by event id. A batch is reduced first to the rows writing its messages one by
one would leave (warehouse/batch.py); upserted rows are staged from Arrow into the sink_batch_*
scratch tables and written with one statement per table, appended rows go from Arrow straight
into their tables: a statement costs milliseconds, a row microseconds.
Only the sink calls these (DuckDB allows one writing process per file); tests use them to seed
a warehouse directly.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from hotline.contracts import AlertRaised, CallInspected, Contract, DeadLetter, TranscriptReady, WorkOrderEvent
from hotline.settings import WarehouseSettings
from hotline.warehouse import sqlfiles
from hotline.warehouse.append import append_rows, arrow_schema
from hotline.warehouse.batch import Batch, collect
from hotline.warehouse.schema import migrate
from hotline.warehouse.reference import load_reference, store_reference
from hotline.warehouse.snapshot import publish_snapshot
from hotline.warehouse.workorders import orders_of_batch_calls, refresh_work_orders, write_events

log = logging.getLogger(__name__)

STORED_CONTRACTS: tuple[type[Contract], ...] = (TranscriptReady, CallInspected, AlertRaised, DeadLetter, WorkOrderEvent)

# Upserted tables: staged in sink_batch_<table>, then written by these statements in order
# (which also drop the rows a new transcript or inspection replaces), then cleared.
_STAGED: dict[str, tuple[str, ...]] = {
    "calls": ("batch_upsert_calls", "batch_delete_turns"),
    "inspections": ("batch_upsert_inspections",),
    "alerts": ("batch_upsert_alerts",),
    "dead_letters": ("batch_insert_dead_letters",),
}
# Run when a call of the batch was inspected before (batch_rewritten_inspected_calls): its
# re-inspection replaces these rows whole (deleting for a call not re-inspected is a no-op).
_REINSPECTED = ("batch_delete_check_results", "batch_delete_llm_judgements", "batch_delete_sentiment_turns", "batch_delete_demands")
# Appended tables: their rows go from Arrow straight in, after the staged statements dropped
# the rows they replace.
_APPENDED = ("turns", "check_results", "llm_judgements", "sentiment_turns", "demands")

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
        # Arrow imports its pandas shim on first use (about a second), and the tables' Arrow
        # schemas are looked up once: pay both at start, not in the first batch.
        pa.array([], type=pa.string())
        for table in (*(f"sink_batch_{t}" for t in _STAGED), *_APPENDED, "sink_batch_work_order_events"):
            arrow_schema(con, table)
    except BaseException:
        con.close()
        raise
    return con


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> None:
    con.execute(sqlfiles.load(name, "internal"), params)


def _count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    return con.sql(sqlfiles.load(name, "internal")).fetchall()[0][0]


def _refresh_call_rollups(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the call rollups of the agent-days staged in sink_rollup_keys from their definitions
    (sql/schema/macros/<rollup>_of.sql) over those agent-days' rows as now stored."""
    first_call, last_call, first_at_us, last_at_us = con.sql(sqlfiles.load("rollup_call_range", "internal")).fetchall()[0]
    if first_call is not None:
        bounds = {"first_call": first_call, "last_call": last_call, "first_at_us": first_at_us, "last_at_us": last_at_us}
        _run(con, "rollup_stage_inspected", bounds)
        _run(con, "rollup_stage_checked", bounds)
    _run(con, "refresh_call_rollups")


def write_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> int:
    """Write the reduced batch inside the caller's transaction; returns the messages written."""
    stale: set[str] = set()
    candidates = batch.partial_only_calls()
    if candidates:
        found = con.sql(sqlfiles.load("batch_final_transcripts", "internal"), params={"call_ids": candidates}).fetchall()
        stale = {row[0] for row in found}
        if stale:
            log.debug("sink: partial transcripts of %d call(s) arrived after their final ones; kept the final", len(stale))
    rows = batch.rows(stale)
    staged = [table for table in _STAGED if rows[table]]
    for table in staged:
        append_rows(con, f"sink_batch_{table}", rows[table])
    # The call rollups (call_days, agent_days, score_days, agent_item_days, coaching_examples) are
    # recomputed for the agent-days whose calls the batch inspects or rewrites: those its calls count
    # under after it and, for a call inspected before (a re-inspection, a replay, a transcript after
    # its inspection), those they counted under before it, staged before the upserts move them.
    # Every inspected call has a calls row in the batch, so one semi-join tells the two apart.
    revisited = "calls" in staged and _count(con, "batch_rewritten_inspected_calls") > 0
    rollups_change = revisited or "inspections" in staged
    if rollups_change:
        _run(con, "rollup_stage_keys")
    if revisited:
        _run(con, "rollup_stage_stored_keys")
        for name in _REINSPECTED:
            _run(con, name)
    for table in staged:
        for name in _STAGED[table]:
            _run(con, name)
    for table in _APPENDED:
        if rows[table]:
            append_rows(con, table, rows[table])
    if rollups_change:
        _refresh_call_rollups(con)
    # The CSV import writes its events with the same statement.
    write_events(con, batch.event_list(), "kafka")
    if staged:
        _refresh_queue_calls(con)
    # Stored orders carry their call's scope and inspection (work_order_state): derive again those
    # whose events, call or inspection this batch brought.
    orders = batch.touched_orders | (orders_of_batch_calls(con, revisited=revisited) if "calls" in staged else set())
    refresh_work_orders(con, orders)
    for table in staged:
        _run(con, f"batch_clear_{table}")
    return batch.stored(stale)


def _refresh_queue_calls(con: duckdb.DuckDBPyConnection) -> None:
    """Write again the review queue's rows (queue_calls) of the calls this batch touched.

    A batch holds a few alerted or mandatory calls (about one in a hundred); their ids are
    passed as a list, which the macro filters each table by (queue_call_rows_of): a join against
    the batch's tables instead would scan every call."""
    call_ids = [row[0] for row in con.sql(sqlfiles.load("batch_queue_calls", "internal")).fetchall()]
    if call_ids:
        _run(con, "upsert_queue_calls", {"call_ids": call_ids})


def store_batch(con: duckdb.DuckDBPyConnection, messages: Iterable[Contract]) -> int:
    """Write messages in ONE transaction: all of them land, or none (the caller retries).

    Returns how many were written; the rest were deliberately skipped (a partial transcript
    after its call's final one).
    """
    with _collector_paused():
        batch = collect(messages)
        con.begin()
        try:
            stored = write_batch(con, batch)
            con.commit()
        except BaseException:
            _roll_back(con)
            raise
    return stored


def _roll_back(con: duckdb.DuckDBPyConnection) -> None:
    # A COMMIT that fails (no space for the WAL) has already rolled back; rolling back again would
    # raise "no transaction is active" and hide the real error from the caller's log.
    try:
        con.rollback()
    except duckdb.TransactionException:
        log.debug("warehouse: nothing to roll back (the failed statement ended the transaction)")


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A batch becomes tens of thousands of small tuples and lists with no reference cycles; with
    # the cyclic collector on, that burst triggers full collections over the process's whole
    # heap, which (measured in bench/warehouse) cost more than writing the batch.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def seed_warehouse(cfg: WarehouseSettings, messages: Iterable[Contract]) -> Path:
    """Write messages and publish a snapshot without Kafka (demos, tests); returns the snapshot path."""
    con = open_writer(cfg)
    try:
        store_batch(con, messages)
        publish_snapshot(con, cfg)
    finally:
        con.close()
    return cfg.snapshot
