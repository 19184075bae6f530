"""The schema: migrations apply once and in order, and every SQL file binds against the result."""

from __future__ import annotations

import duckdb
import pytest

from hotline.warehouse import sqlfiles
from hotline.warehouse.migrations import list_migrations, migrate

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


def test_migrations_are_numbered_in_order():
    versions = [m.version for m in list_migrations()]
    assert versions == sorted(versions) and len(versions) == len(set(versions))
    assert versions[0] == 1 and len(versions) >= 4


def test_migrate_twice_applies_nothing_the_second_time(tmp_path, con):
    applied = migrate(con)
    assert applied == [m.version for m in list_migrations()]
    assert EXPECTED_TABLES <= _tables(con)
    assert migrate(con) == []
    recorded = con.sql("SELECT version, name FROM schema_migrations ORDER BY version").pl()
    assert recorded["version"].to_list() == applied
    assert recorded["name"].to_list() == [m.name for m in list_migrations()]
    con.close()
    # A fresh process opening an existing file finds it current too.
    reopened = duckdb.connect(str(tmp_path / "wh.duckdb"))
    try:
        assert migrate(reopened) == []
    finally:
        reopened.close()


def test_a_failing_migration_leaves_nothing_behind(con, monkeypatch):
    real_load = sqlfiles.load

    def load_with_broken_last(name, kind="queries"):
        if kind == "migrations" and name == list_migrations()[-1].name:
            return "CREATE TABLE half_done (x INTEGER); SELECT no_such_column FROM half_done;"
        return real_load(name, kind)

    monkeypatch.setattr(sqlfiles, "load", load_with_broken_last)
    with pytest.raises(duckdb.BinderException):
        migrate(con)
    assert "half_done" not in _tables(con)
    versions = con.sql("SELECT version FROM schema_migrations ORDER BY version").pl()["version"].to_list()
    assert versions == [m.version for m in list_migrations()[:-1]]
    monkeypatch.undo()
    assert migrate(con) == [list_migrations()[-1].version]


@pytest.mark.parametrize("name", sqlfiles.list_names("queries"))
def test_every_named_query_runs_on_the_migrated_schema(con, name):
    migrate(con)
    params = {p: None for p in sqlfiles.parameters(name)}
    frame = con.sql(sqlfiles.load(name), params=params or None).pl()
    assert frame.width > 0
    # Queries read: running one on an empty warehouse must not have written anything.
    assert con.sql("SELECT count(*) AS n FROM calls").pl()["n"][0] == 0


@pytest.mark.parametrize("name", sorted(set(sqlfiles.list_names("internal")) - NOT_PREPARABLE))
def test_every_internal_statement_prepares_on_the_migrated_schema(con, name):
    migrate(con)
    # PREPARE binds every column and parameter without running the statement.
    con.execute("PREPARE under_test AS " + sqlfiles.load(name, "internal"))
    con.execute("DEALLOCATE under_test")


def test_parameters_ignore_comments_and_strings():
    assert sqlfiles.parameters("calls_list") == ("date_from", "date_to", "team", "agent", "review_state", "limit")
    assert "call_id" in sqlfiles.parameters("call_detail")


def test_unknown_names_fail_clearly():
    with pytest.raises(sqlfiles.UnknownQuery, match="overview_daily"):
        sqlfiles.load("overview_dialy")


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
