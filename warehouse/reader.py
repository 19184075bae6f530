"""Read the warehouse through its latest published snapshot, never the sink's own file.

Each connection attaches the snapshot read-only to a private in-memory database, so a reader
never takes the writer's lock and a newer snapshot is seen by the next connection opened.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from hotline.settings import WarehouseSettings
from hotline.warehouse import sqlfiles

# 12345 centres report by Beijing time: "calls per day" means the local day, not the UTC one.
REPORTING_TIMEZONE = "Asia/Shanghai"


class SnapshotMissing(FileNotFoundError):
    """No snapshot has been published yet: the sink has not run against this warehouse."""


def open_snapshot(cfg: WarehouseSettings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current snapshot; raises SnapshotMissing when there is none."""
    if not cfg.snapshot.is_file():
        raise SnapshotMissing(
            f"no warehouse snapshot at {cfg.snapshot}: no calls landed yet (run `hotline demo` or start the sink)"
        )
    con = duckdb.connect(":memory:")
    try:
        con.execute(sqlfiles.load("attach_snapshot", "internal"), {"path": str(cfg.snapshot)})
        _start_session(con)
    except BaseException:
        con.close()
        raise
    return con


def _start_session(con: duckdb.DuckDBPyConnection) -> None:
    # Both are per connection, and every cursor is a connection of its own.
    con.execute(sqlfiles.load("use_snapshot", "internal"))
    con.execute(sqlfiles.load("set_timezone", "internal"), {"timezone": REPORTING_TIMEZONE})


def bind_parameters(name: str, params: dict[str, Any], kind: sqlfiles.Kind = "queries") -> dict[str, Any]:
    """Every parameter the named query takes, unset ones as NULL ("any" for filters)."""
    wanted = sqlfiles.parameters(name, kind)
    unknown = set(params) - set(wanted)
    if unknown:
        raise TypeError(f"query {name} takes {', '.join(wanted) or 'no parameters'}; got unknown {', '.join(sorted(unknown))}")
    return {p: params.get(p) for p in wanted}


def _frame(con: duckdb.DuckDBPyConnection, name: str, kind: sqlfiles.Kind, params: dict[str, Any]) -> pl.DataFrame:
    cur = con.cursor()
    try:
        _start_session(cur)
        bound = bind_parameters(name, params, kind)
        return cur.sql(sqlfiles.load(name, kind), params=bound or None).pl()
    finally:
        cur.close()


def query_frame(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    """Run a named query (sql/queries/) on a snapshot connection (safe from several threads: each gets a cursor)."""
    return _frame(con, name, "queries", params)


def internal_frame(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    """Run one of the platform's own reads (sql/internal/) on a snapshot connection, as query_frame does.

    For system processes only (status, reconcile, exports, the hotspot and re-judge jobs): these
    read every call, take no user's scope and must never reach a page (access.run_scoped refuses them).
    """
    return _frame(con, name, "internal", params)


def run_query(cfg: WarehouseSettings, name: str, **params: Any) -> pl.DataFrame:
    """Open the current snapshot, run one named query, close it."""
    con = open_snapshot(cfg)
    try:
        return query_frame(con, name, **params)
    finally:
        con.close()


def run_internal(cfg: WarehouseSettings, name: str, **params: Any) -> pl.DataFrame:
    """Open the current snapshot, run one of the platform's own reads (internal_frame), close it."""
    con = open_snapshot(cfg)
    try:
        return internal_frame(con, name, **params)
    finally:
        con.close()
