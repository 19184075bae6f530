"""Work-order lifecycle events: stored idempotently by event id, read from CSV exports.

A centre's work-order system speaks either Kafka (``workorders.events.v1``, stored by the sink
like any other contract) or CSV exports. Because the sink is the only writer of the warehouse
file, a CSV import normally publishes its events to the topic (``publish_work_order_events``);
``store_work_order_events`` writes directly and is for the writer itself, tests and offline seeding.
CSV columns are the contract's field names; empty cells are missing values; times carry an
offset or are read as Beijing time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
from pydantic import ValidationError

from hotline.bus import Publisher
from hotline.contracts import WorkOrderEvent
from hotline.settings import KafkaSettings
from hotline.warehouse import sqlfiles
from hotline.warehouse.append import append_rows

log = logging.getLogger(__name__)

CSV_COLUMNS: tuple[str, ...] = tuple(f for f in WorkOrderEvent.model_fields if f != "schema_version")
REQUIRED_COLUMNS = ("event_id", "work_order_id", "kind", "occurred_at")
# Work-order systems in China export local times without an offset.
LOCAL_TIMEZONE = ZoneInfo("Asia/Shanghai")


class WorkOrderCsvError(ValueError):
    """A CSV file that cannot be imported as it is: nothing from it is stored or published."""


def event_rows(events: Iterable[WorkOrderEvent], source: str) -> list[dict]:
    return [e.model_dump(exclude={"schema_version"}) | {"source": source} for e in events]


def write_events(con: duckdb.DuckDBPyConnection, events: Iterable[WorkOrderEvent], source: str) -> None:
    """Upsert events by event id (the latest copy of an id wins), staged as one Arrow frame
    (sink_batch_work_order_events), inside the caller's transaction; their orders are not re-derived."""
    rows = event_rows({e.event_id: e for e in events}.values(), source)
    if rows:
        append_rows(con, "sink_batch_work_order_events", rows)
        con.execute(sqlfiles.load("upsert_work_order_events", "internal"))


def store_work_order_events(con: duckdb.DuckDBPyConnection, events: Sequence[WorkOrderEvent], source: str = "kafka") -> int:
    """Upsert events by event id and re-derive their orders, inside the caller's transaction."""
    write_events(con, events, source)
    if events:
        refresh_work_orders(con, (e.work_order_id for e in events))
    return len(events)


def refresh_work_orders(con: duckdb.DuckDBPyConnection, work_order_ids: Iterable[str] | None = None) -> None:
    """Re-derive the stored rows of these work orders (all of them when None), and the routing rollups.

    From their events, their call's scope and their call's inspection
    (work_orders_stored_derived_of). Runs inside the caller's transaction, after the events are
    written: readers never see new events without the state derived from them. The orders' old
    rows and their new ones pass through a scratch table (sink_work_order_shift), from which the
    routing rollups take out what the old rows counted and add what the new ones count.
    """
    if work_order_ids is None:
        con.execute(sqlfiles.load("rebuild_work_order_state", "internal"))
        con.execute(sqlfiles.load("insert_all_work_order_state", "internal"))
        rebuild_routing_rollups(con)
        return
    ids = sorted(set(work_order_ids))
    if not ids:
        return
    # Passed as lists, which the derivation filters each table by (work_orders_stored_derived_of).
    call_ids = [row[0] for row in con.execute(sqlfiles.load("calls_of_work_orders", "internal"), {"ids": ids}).fetchall()]
    rowids = [row[0] for row in con.execute(sqlfiles.load("work_order_rowids", "internal"), {"ids": ids}).fetchall()]
    con.execute(sqlfiles.load("stage_old_work_orders", "internal"), {"rowids": rowids})
    con.execute(sqlfiles.load("delete_work_order_state", "internal"))
    con.execute(sqlfiles.load("delete_awaiting_work_orders", "internal"), {"ids": ids})
    con.execute(sqlfiles.load("stage_new_work_orders", "internal"), {"ids": ids, "call_ids": call_ids})
    con.execute(sqlfiles.load("store_staged_work_orders", "internal"))
    con.execute(sqlfiles.load("insert_awaiting_work_orders", "internal"), {"ids": ids})
    con.execute(sqlfiles.load("rollup_shift_work_orders", "internal"))


def rebuild_routing_rollups(con: duckdb.DuckDBPyConnection) -> None:
    """Derive the routing rollups (work_order_days, ...) again from every stored order, in the caller's transaction."""
    con.execute(sqlfiles.load("rebuild_work_order_rollups", "internal"))


def orders_of_batch_calls(con: duckdb.DuckDBPyConnection, *, revisited: bool) -> set[str]:
    """Work orders that carry something of the sink batch's calls (sink_batch_calls) and must be derived again.

    Those waiting for their call or its inspection; and, when a call of the batch was inspected
    before (``revisited``: a re-inspection or replay), every order of those calls.
    """
    found = {row[0] for row in con.sql(sqlfiles.load("batch_awaiting_work_orders", "internal")).fetchall()}
    if revisited:
        found.update(row[0] for row in con.sql(sqlfiles.load("batch_revisited_work_orders", "internal")).fetchall())
    return found


def _localize(value: str | None) -> datetime | None:
    if value is None or not value.strip():
        return None
    parsed = datetime.fromisoformat(value.strip().replace("/", "-"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=LOCAL_TIMEZONE)


def read_work_order_csv(path: Path) -> list[WorkOrderEvent]:
    """Every row of a work-order CSV as an event; any bad row fails the whole file, naming the rows."""
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise WorkOrderCsvError(f"{path}: missing column(s) {', '.join(missing)}; columns are {', '.join(CSV_COLUMNS)}")
    unknown = [c for c in frame.columns if c not in CSV_COLUMNS]
    if unknown:
        raise WorkOrderCsvError(f"{path}: unknown column(s) {', '.join(unknown)}; columns are {', '.join(CSV_COLUMNS)}")
    events: list[WorkOrderEvent] = []
    problems: list[str] = []
    for line_no, row in enumerate(frame.iter_rows(named=True), start=2):
        cleaned = {k: (v.strip() if isinstance(v, str) and v.strip() else None) for k, v in row.items()}
        try:
            for field in ("occurred_at", "due_at"):
                if field in cleaned:
                    cleaned[field] = _localize(cleaned[field])
            events.append(WorkOrderEvent.model_validate(cleaned))
        except (ValidationError, ValueError) as exc:
            problems.append(f"line {line_no}: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}" if isinstance(exc, ValidationError) else f"line {line_no}: {exc}")
    if problems:
        shown = "; ".join(problems[:5])
        raise WorkOrderCsvError(f"{path}: {len(problems)} bad row(s), nothing imported: {shown}")
    return events


def write_work_order_csv(events: Iterable[WorkOrderEvent], path: Path) -> Path:
    """Write events in the import format (ISO times with offset), e.g. the sample history."""
    rows = [e.model_dump(mode="json", exclude={"schema_version"}) for e in events]
    frame = pl.DataFrame(rows, schema={c: pl.String for c in CSV_COLUMNS})
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    return path


def publish_work_order_events(cfg: KafkaSettings, events: Sequence[WorkOrderEvent]) -> int:
    """Send events to ``workorders.events.v1`` keyed by work order (the sink stores them)."""
    publisher = Publisher.connect(cfg)
    try:
        for event in events:
            publisher.publish(event, event.work_order_id)
        publisher.flush()
    finally:
        publisher.close()
    log.info("published %d work-order events", len(events))
    return len(events)


def import_work_order_csv(cfg: KafkaSettings, path: Path) -> int:
    """``hotline workorders import FILE.csv``: validate the whole file, then publish it."""
    return publish_work_order_events(cfg, read_work_order_csv(Path(path)))
