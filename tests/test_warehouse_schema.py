"""The schema: built from sql/schema/, equal to the baseline plus the migrations, and every SQL file binds against it."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from hotline.warehouse import schema, sqlfiles
from hotline.warehouse.schema import migrate

BASELINE = Path(__file__).parent / "data" / "warehouse_baseline.sql"

# Statements exercised by running them elsewhere (migrate() itself, open_snapshot()).
# DuckDB cannot PREPARE these statement kinds; they run in tests that exercise them (snapshots,
# compaction in tests/test_warehouse_maintenance.py).
NOT_PREPARABLE = {
    "create_schema_migrations", "attach_snapshot", "use_snapshot", "set_timezone",
    "attach_compaction_source", "attach_compaction_target", "copy_compaction", "order_compaction_work_orders",
    "detach_compaction",
}

EXPECTED_TABLES = {"calls", "turns", "inspections", "check_results", "llm_judgements", "alerts", "dead_letters", "schema_migrations"}


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    yield con
    con.close()


def _tables(con) -> set[str]:
    return set(con.sql("SELECT table_name FROM information_schema.tables").pl()["table_name"].to_list())


def _catalog(con) -> dict[str, list[tuple]]:
    """What a warehouse file is: its tables' columns, constraints and indexes, its views and macros."""
    stored = "NOT temporary AND table_name <> 'schema_migrations'"
    return {
        "columns": con.sql(
            "SELECT table_name, column_index, column_name, data_type, is_nullable, column_default FROM duckdb_columns() "
            f"WHERE table_name IN (SELECT table_name FROM duckdb_tables() WHERE {stored}) ORDER BY ALL"
        ).fetchall(),
        "constraints": con.sql(
            "SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints() "
            f"WHERE table_name IN (SELECT table_name FROM duckdb_tables() WHERE {stored}) ORDER BY ALL"
        ).fetchall(),
        "indexes": con.sql("SELECT sql FROM duckdb_indexes() ORDER BY ALL").fetchall(),
        "views": con.sql("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal AND NOT temporary ORDER BY ALL").fetchall(),
        "macros": con.sql(
            "SELECT function_name, parameters, macro_definition FROM duckdb_functions() "
            "WHERE NOT internal AND function_type LIKE '%macro' ORDER BY ALL"
        ).fetchall(),
    }


def test_the_baseline_plus_the_migrations_equals_the_schema(tmp_path, con):
    """A warehouse upgraded from the baseline and one built new from sql/schema/ are the same file."""
    migrate(con)
    upgraded = duckdb.connect(str(tmp_path / "upgraded.duckdb"))
    try:
        upgraded.execute(BASELINE.read_text(encoding="utf-8"))
        upgraded.execute(sqlfiles.load("create_schema_migrations", "internal"))
        upgraded.execute("INSERT INTO schema_migrations VALUES (?, 'baseline', now())", [schema.BASELINE_VERSION])
        applied = migrate(upgraded)
        assert applied == [m.version for m in schema.list_migrations()]
        assert _catalog(upgraded) == _catalog(con)
    finally:
        upgraded.close()


def test_every_schema_file_is_named_after_the_object_it_defines():
    for kind in ("tables", "views", "macros", "scratch"):
        for name in sqlfiles.list_names(kind):
            creates = re.findall(r"CREATE (?:OR REPLACE )?(?:TEMP )?(?:TABLE|VIEW|MACRO) (\w+)", sqlfiles.code(name, kind))
            assert creates == [name], f"{kind}/{name}.sql creates {creates}"


def test_views_macros_and_scratch_come_after_what_they_name():
    order = [name for _, name in schema.derived_order()]
    assert len(order) == len(set(order)) == sum(len(sqlfiles.list_names(kind)) for kind in ("views", "macros", "scratch"))
    # A scratch table made from a view, and a macro that reads a scratch table (bound when created).
    assert order.index("sink_inspected_calls") > order.index("inspected_calls")
    assert order.index("work_order_rollup_rows") > order.index("sink_work_order_shift")
    assert order.index("scoped_calls") > order.index("masked_number") or "masked_number" not in sqlfiles.code("scoped_calls", "macros")
    assert order.index("work_orders") > order.index("work_orders_derived") or "work_orders_derived" not in sqlfiles.code("work_orders", "views")


def test_migrate_twice_applies_nothing_and_records_the_baseline(tmp_path, con):
    assert migrate(con) == []
    assert EXPECTED_TABLES <= _tables(con)
    assert migrate(con) == []
    recorded = con.sql("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    assert recorded == [(schema.BASELINE_VERSION, "baseline")] + [(m.version, m.name) for m in schema.list_migrations()]
    con.close()
    # A fresh process opening an existing file finds it current too, and its views and macros work.
    reopened = duckdb.connect(str(tmp_path / "wh.duckdb"))
    try:
        assert migrate(reopened) == []
        assert reopened.sql("SELECT count(*) FROM work_orders").fetchall() == [(0,)]
    finally:
        reopened.close()


def test_scratch_tables_stay_out_of_the_file(tmp_path, con):
    migrate(con)
    con.close()
    reopened = duckdb.connect(str(tmp_path / "wh.duckdb"))
    try:
        assert not {n for n in _tables(reopened) if n.startswith("sink_")}
    finally:
        reopened.close()


def test_a_warehouse_older_than_the_baseline_is_refused(con):
    con.execute(sqlfiles.load("create_schema_migrations", "internal"))
    con.execute("INSERT INTO schema_migrations VALUES (12, '0012_read_stored_insights', now())")
    with pytest.raises(schema.SchemaTooOld, match="rebuild"):
        migrate(con)


def test_a_failing_migration_leaves_nothing_behind(con, monkeypatch):
    migrate(con)
    shipped = {schema.BASELINE_VERSION} | {m.version for m in schema.list_migrations()}
    broken = schema.Migration(max(shipped) + 1, f"{max(shipped) + 1:04d}_broken")
    real_load = sqlfiles.load

    def load_broken(name, kind="queries"):
        if kind == "migrations" and name == broken.name:
            return "CREATE TABLE half_done (x INTEGER); SELECT no_such_column FROM half_done;"
        return real_load(name, kind)

    monkeypatch.setattr(sqlfiles, "load", load_broken)
    monkeypatch.setattr(schema, "list_migrations", lambda: [broken])
    with pytest.raises(duckdb.BinderException):
        migrate(con)
    assert "half_done" not in _tables(con)
    assert schema.applied_versions(con) == shipped


@pytest.mark.parametrize("name", sqlfiles.list_names("queries"))
def test_every_named_query_runs_on_the_schema(con, name):
    migrate(con)
    params = {p: None for p in sqlfiles.parameters(name)}
    frame = con.sql(sqlfiles.load(name), params=params or None).pl()
    assert frame.width > 0
    # Queries read: running one on an empty warehouse must not have written anything.
    assert con.sql("SELECT count(*) AS n FROM calls").pl()["n"][0] == 0


@pytest.mark.parametrize("name", sorted(set(sqlfiles.list_names("internal")) - NOT_PREPARABLE))
def test_every_internal_statement_prepares_on_the_schema(con, name):
    migrate(con)
    # PREPARE binds every column and parameter without running the statement.
    con.execute("PREPARE under_test AS " + sqlfiles.load(name, "internal"))
    con.execute("DEALLOCATE under_test")


def test_parameters_ignore_comments_and_strings():
    # access_calls' comments name $scope_centre, $scope_team, $since and $queue_first before its code does.
    assert sqlfiles.parameters("access_calls") == (
        "scope_centre", "scope_team", "date_from", "since", "date_to", "centre", "team", "agent", "category",
        "score_min", "score_max", "review_state", "reviewed", "human_review", "district", "queue_first", "limit",
    )
    assert sqlfiles.parameters("access_call") == ("scope_centre", "scope_team", "call_id")
    assert sqlfiles.parameters("stored_transcript_call", "internal") == ("call_id",)


def test_unknown_names_fail_clearly():
    with pytest.raises(sqlfiles.UnknownQuery, match="access_daily"):
        sqlfiles.load("access_dialy")
    with pytest.raises(sqlfiles.UnknownQuery, match="queries/accounting.sql"):
        sqlfiles.load("accounting")  # an internal read is not a page query


def test_the_scoped_calls_macro_resolves_on_a_read_only_snapshot(tmp_path):
    # The macro is a catalogue object of the warehouse file: readers, which attach the snapshot
    # read-only to an in-memory database, must find it there and bind its arguments.
    from hotline.settings import WarehouseSettings
    from hotline.warehouse.reader import open_snapshot, query_frame

    path = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(path))
    migrate(con)
    con.execute(
        "INSERT INTO calls (call_id, centre_id, team_id, agent_id, started_at, channel_layout) VALUES "
        "('c1', 'centre-01', 'team-a', 'agent-1', '2026-03-02 09:00:00+08', 'stereo'), "
        "('c2', 'centre-01', 'team-b', 'agent-2', '2026-03-03 09:00:00+08', 'stereo'), "
        "('c3', 'centre-02', 'team-c', 'agent-3', '2026-03-03 10:00:00+08', 'stereo')"
    )
    con.close()
    reader = open_snapshot(WarehouseSettings(database=tmp_path / "unused.duckdb", snapshot=path))
    try:
        every = query_frame(reader, "access_calls")
        team_b = query_frame(reader, "access_calls", scope_centre="centre-01", scope_team="team-b")
        later = query_frame(reader, "access_calls", scope_centre="centre-01", date_from="2026-03-03")
        reviewed = query_frame(reader, "access_calls", reviewed=["c3"], human_review="reviewed")
    finally:
        reader.close()
    assert sorted(every["call_id"]) == ["c1", "c2", "c3"]
    assert team_b["call_id"].to_list() == ["c2"]
    assert later["call_id"].to_list() == ["c2"]
    assert reviewed["call_id"].to_list() == ["c3"] and reviewed["human_reviewed"].to_list() == [True]


def test_lists_mask_a_caller_number_to_its_first_three_and_last_four_digits(con):
    migrate(con)
    masked = con.sql(
        "SELECT masked_number(n) FROM (VALUES ('13812341234'), ('0571-8888777'), ('12345'), (NULL)) AS t(n)"
    ).fetchall()
    assert [m for (m,) in masked] == ["138****1234", "057*****8777", "*****", None]
