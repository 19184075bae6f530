"""Rows into a warehouse table as one Arrow frame: one insert, no per-row statements.

The sink's staged and appended tables and the work-order events (warehouse/workorders.py, which
the CSV import shares) are written this way; binding rows as a list parameter instead costs a
Python-to-DuckDB conversion per value, many times the insert itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

import duckdb
import pyarrow as pa

# Each table's Arrow schema (its columns in the order of its definition), looked up once per process.
_SCHEMAS: dict[str, pa.Schema] = {}


class UnstorableMessage(ValueError):
    """A value that passed its contract but has no representation in the warehouse's columns."""


def arrow_schema(con: duckdb.DuckDBPyConnection, table: str) -> pa.Schema:
    """The table's Arrow schema. Every writer's schema is the packaged one, so one lookup per table
    and process will do."""
    schema = _SCHEMAS.get(table)
    if schema is None:
        schema = _SCHEMAS[table] = con.table(table).limit(0).to_arrow_table().schema
    return schema


def append_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append rows (dicts keyed by every column of the table) to it in bulk."""
    schema = arrow_schema(con, table)
    if rows[0].keys() != set(schema.names):
        raise RuntimeError(f"the sink's {table} rows have columns {sorted(rows[0])}; the table has {schema.names}")
    values = map(itemgetter(*schema.names), rows)
    try:
        frame = pa.table([pa.array(col, type=f.type) for col, f in zip(zip(*values, strict=True), schema, strict=True)], schema=schema)
    except (pa.ArrowException, OverflowError, TypeError, ValueError) as exc:
        raise UnstorableMessage(f"a {table} value does not fit the warehouse: {exc}") from exc
    con.from_arrow(frame).insert_into(table)
