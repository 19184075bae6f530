"""Apply the numbered schema migrations in ``sql/migrations`` in order, each in its own transaction.

Applied versions are recorded in ``schema_migrations``, so migrating an up-to-date database
applies nothing, and a failed migration leaves neither its changes nor its record behind.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import duckdb

from hotline.warehouse import sqlfiles

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str


def list_migrations() -> list[Migration]:
    """The packaged migrations, by version; a misnamed or duplicated number is a packaging bug."""
    found: dict[int, Migration] = {}
    for name in sqlfiles.list_names("migrations"):
        match = _MIGRATION_NAME.match(name)
        if match is None:
            raise ValueError(f"migration file {name}.sql is not named NNNN_description.sql")
        version = int(match.group(1))
        if version in found:
            raise ValueError(f"migrations {found[version].name} and {name} share version {version}")
        found[version] = Migration(version, name)
    return [found[v] for v in sorted(found)]


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    con.execute(sqlfiles.load("create_schema_migrations", "internal"))
    rows = con.sql(sqlfiles.load("applied_migrations", "internal")).fetchall()
    return {row[0] for row in rows}


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Bring the schema up to date; returns the versions applied now (empty when already current)."""
    done = applied_versions(con)
    applied: list[int] = []
    for migration in list_migrations():
        if migration.version in done:
            continue
        con.begin()
        try:
            con.execute(sqlfiles.load(migration.name, "migrations"))
            con.execute(sqlfiles.load("record_migration", "internal"), {"version": migration.version, "name": migration.name})
            con.commit()
        except Exception:
            con.rollback()
            raise
        log.info("warehouse: applied migration %s", migration.name)
        applied.append(migration.version)
    return applied
