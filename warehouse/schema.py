"""The warehouse schema: its current definition in ``sql/schema`` and the migrations since the baseline.

``sql/schema/`` holds one file per object, named after it: ``tables/`` (created once, in a new
file), ``views/`` and ``macros/`` (re-created every time a writer opens the file, so they always
match the packaged SQL) and ``scratch/`` (the sink's temporary staging tables, made on the
writer's own connection and never stored in the file). A view, macro or scratch table is created
after the views, macros and scratch tables it names (DuckDB binds a macro's body when it is
created), so its file may name any other.

Changing a table means editing its file AND adding ``sql/migrations/NNNN_description.sql`` that
brings an existing warehouse to it; a new file is built from the schema and recorded as having
every migration. ``tests/test_warehouse_schema.py`` checks that the baseline plus the migrations
equals the schema. Applied versions are kept in ``schema_migrations``; each migration runs in
its own transaction, so a failed one leaves neither its changes nor its record behind.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from graphlib import TopologicalSorter

import duckdb

from hotline.warehouse import sqlfiles

log = logging.getLogger(__name__)

# The schema the migration chain 0001-0036 built was collapsed into sql/schema/ at this version
# (nothing had been deployed); migrations after it are numbered from here.
BASELINE_VERSION = 36

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+$")


class SchemaTooOld(RuntimeError):
    """A warehouse built before the baseline, by a migration chain that no longer ships."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str


def list_migrations() -> list[Migration]:
    """The packaged migrations after the baseline, by version; a misnamed or duplicated number is a packaging bug."""
    found: dict[int, Migration] = {}
    for name in sqlfiles.list_names("migrations"):
        match = _MIGRATION_NAME.match(name)
        if match is None:
            raise ValueError(f"migration file {name}.sql is not named NNNN_description.sql")
        version = int(match.group(1))
        if version <= BASELINE_VERSION:
            raise ValueError(f"migration {name} is numbered at or before the baseline ({BASELINE_VERSION})")
        if version in found:
            raise ValueError(f"migrations {found[version].name} and {name} share version {version}")
        found[version] = Migration(version, name)
    return [found[v] for v in sorted(found)]


_DERIVED_KINDS: tuple[sqlfiles.Kind, ...] = ("views", "macros", "scratch")


def derived_order() -> list[tuple[str, str]]:
    """(kind, name) of every view, macro and scratch table, each after the others its text names."""
    kinds = {name: kind for kind in _DERIVED_KINDS for name in sqlfiles.list_names(kind)}
    graph = {}
    for name, kind in kinds.items():
        text = sqlfiles.code(name, kind)
        graph[name] = {other for other in kinds if other != name and re.search(rf"\b{other}\b", text)}
    sorter = TopologicalSorter(graph)
    order: list[str] = []
    sorter.prepare()
    while sorter.is_active():
        ready = sorted(sorter.get_ready())  # alphabetical within a level: the same order every time
        order.extend(ready)
        sorter.done(*ready)
    return [(kinds[name], name) for name in order]


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    con.execute(sqlfiles.load("create_schema_migrations", "internal"))
    return {row[0] for row in con.sql(sqlfiles.load("applied_migrations", "internal")).fetchall()}


def _record(con: duckdb.DuckDBPyConnection, version: int, name: str) -> None:
    con.execute(sqlfiles.load("record_migration", "internal"), {"version": version, "name": name})


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Every table of the current schema, into a database that has none of them."""
    for name in sqlfiles.list_names("tables"):
        con.execute(sqlfiles.load(name, "tables"))


def create_derived(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every view and macro from the packaged SQL, and the sink's staging tables
    (temporary to this connection, a writer's)."""
    for kind, name in derived_order():
        con.execute(sqlfiles.load(name, kind))


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Bring the schema up to date and make this connection a writer's; returns the migrations applied now.

    A new file is built from the current schema (nothing to apply); an existing one gets the
    migrations it lacks, in order, each in its own transaction.
    """
    done = applied_versions(con)
    applied: list[int] = []
    if not done:
        con.begin()
        create_tables(con)
        _record(con, BASELINE_VERSION, "baseline")
        for migration in list_migrations():
            _record(con, migration.version, migration.name)
        con.commit()
    elif max(done) < BASELINE_VERSION:
        raise SchemaTooOld(
            f"this warehouse has schema version {max(done)}, older than the baseline ({BASELINE_VERSION}) "
            "that the current release starts from; rebuild it (nothing before the baseline was deployed)"
        )
    else:
        for migration in list_migrations():
            if migration.version in done:
                continue
            con.begin()
            try:
                con.execute(sqlfiles.load(migration.name, "migrations"))
                _record(con, migration.version, migration.name)
                con.commit()
            except Exception:
                con.rollback()
                raise
            log.info("warehouse: applied migration %s", migration.name)
            applied.append(migration.version)
    create_derived(con)
    return applied
