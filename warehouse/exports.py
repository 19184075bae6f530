"""Date-partitioned Parquet exports, so other engines (Spark, Trino, pandas) can read the warehouse.

Layout: ``<out>/<table>/day=YYYY-MM-DD/part-0.parquet`` (Hive-style partitions, Beijing days).
Each partition is written to a temporary file and renamed into place: a reader sees the old
day or the new one, never half a file, and exporting a day again replaces it (idempotent).
Exports read a snapshot connection, never the writer's file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from hotline.warehouse.reader import internal_frame

log = logging.getLogger(__name__)

# Exported table -> the internal read (sql/internal/) that gives one day of it.
EXPORTS: dict[str, str] = {
    "calls": "export_calls",
    "check_results": "export_check_results",
    "work_order_events": "export_work_order_events",
    "alerts": "export_alerts",
}


def partition_path(out_dir: Path, table: str, day: date) -> Path:
    return out_dir / table / f"day={day.isoformat()}" / "part-0.parquet"


def export_days(con: duckdb.DuckDBPyConnection, out_dir: Path, days: Iterable[date]) -> list[Path]:
    """Write (or replace) every table's partition for each day; empty days write no file."""
    written: list[Path] = []
    for day in days:
        for table, query in EXPORTS.items():
            frame = internal_frame(con, query, day=day)
            target = partition_path(out_dir, table, day)
            if frame.is_empty():
                target.unlink(missing_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            try:
                frame.write_parquet(tmp, compression="zstd", statistics=True)
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
            written.append(target)
    log.info("exported %d Parquet partitions under %s", len(written), out_dir)
    return written


def export_range(con: duckdb.DuckDBPyConnection, out_dir: Path, date_from: date | None = None, date_to: date | None = None) -> list[Path]:
    """Export every day with data between the dates (NULL = open-ended)."""
    days = internal_frame(con, "export_days", date_from=date_from, date_to=date_to)["day"].to_list()
    return export_days(con, out_dir, days)


def read_export(out_dir: Path, table: str) -> pl.LazyFrame:
    """The exported table as one lazy frame with its ``day`` partition column (what other engines see)."""
    return pl.scan_parquet(out_dir / table / "**" / "*.parquet", hive_partitioning=True)
