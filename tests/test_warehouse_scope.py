"""Scope is a relation: page queries read the *_in_scope macros (sql/schema/macros/), never the tables they cover.

calls_in_scope is the one place the access rule is written; every other *_in_scope relation
derives from it or applies it to its own centre_id/team_id. A query under sql/queries/ that reads
a covered table or view directly, or writes the scope predicate itself, fails here.
"""

from __future__ import annotations

import re

import duckdb
import pytest

from hotline.warehouse import sqlfiles
from hotline.warehouse.schema import migrate

SUFFIX = "_in_scope"
COVERED = {name[: -len(SUFFIX)] for name in sqlfiles.list_names("macros") if name.endswith(SUFFIX)}
# A table or view after FROM/JOIN that is not a call (a macro) and not one of the query's CTEs.
_READ = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()", re.IGNORECASE)
_CTE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(", re.IGNORECASE)
# A relation handed by name to a macro that reads it (alerts_of_calls('x'), call_list_of('x'),
# with_alert_counts('x'), ...) or read by name: it must be one of the query's own CTEs, which this
# test checks like the rest.
_RELATION_BY_NAME = re.compile(r"\b(?:\w+_of(?:_calls)?|with_\w+|query_table)\(\s*'([^']*)'", re.IGNORECASE)
_HAND_WRITTEN_SCOPE = re.compile(r"\$scope_(?:centre|team)\b(?:::VARCHAR)?\s+IS\s+NULL|=\s*\$scope_(?:centre|team)\b", re.IGNORECASE)

# Queries written before scope became a relation, still reading covered tables: each is converted
# by reading the *_in_scope relations instead. The list only shrinks (a listed query that no
# longer reads a covered table fails: take it off).
NOT_YET_RELATIONAL = frozenset({
    # Its categories and districts are the taxonomy, the same for every scope, from every
    # inspection: read through inspections_in_scope they took 4 -> 60-130 ms at 1 M calls (a
    # SEMI JOIN of every inspection to calls_in_scope), and a scope would no longer be offered a
    # category its own calls lack.
    "access_filter_options",
})


def violations(name: str) -> list[str]:
    code = sqlfiles.code(name)
    ctes = {m.lower() for m in _CTE.findall(code)}
    found = [f"reads {t}" for t in dict.fromkeys(_READ.findall(code)) if t in COVERED and t.lower() not in ctes]
    # code() empties string literals; the relation names are read from the text without comments.
    for relation in _RELATION_BY_NAME.findall(re.sub(r"--[^\n]*", "", sqlfiles.load(name))):
        if relation.lower() not in ctes:
            found.append(f"hands {relation!r} by name to a macro: only a CTE of the query may be")
    if _HAND_WRITTEN_SCOPE.search(code):
        found.append("writes the scope predicate itself")
    return found


@pytest.mark.parametrize("name", sqlfiles.list_names("queries"))
def test_page_queries_read_scoped_relations_only(name):
    found = violations(name)
    if name in NOT_YET_RELATIONAL:
        assert found, f"{name} reads only scoped relations now: take it off NOT_YET_RELATIONAL"
    else:
        assert not found, f"queries/{name}.sql {'; '.join(found)}: read the *_in_scope relations (sql/schema/macros/)"


def test_the_checker_finds_a_covered_table_and_a_hand_written_predicate(monkeypatch):
    planted = (
        "WITH turns_cte AS (SELECT 1) SELECT * FROM turns AS t JOIN calls c USING (call_id) "
        "JOIN alerts_of_calls('calls') AS a USING (call_id) JOIN alerts_of_calls('turns_cte') AS b USING (call_id) "
        "WHERE $scope_centre::VARCHAR IS NULL"
    )
    monkeypatch.setattr(sqlfiles, "load", lambda name, kind="queries": planted)
    monkeypatch.setattr(sqlfiles, "code", lambda name, kind="queries": re.sub(r"'[^']*'", "''", planted))
    assert violations("planted") == [
        "reads turns", "reads calls", "hands 'calls' by name to a macro: only a CTE of the query may be",
        "writes the scope predicate itself",
    ]


def test_every_covered_name_is_a_table_or_view_and_its_relation_keeps_its_columns():
    con = duckdb.connect()
    try:
        migrate(con)
        for name in sorted(COVERED):
            base = con.sql(f"SELECT * FROM {name} LIMIT 0").columns
            scoped = con.sql(f"SELECT * FROM {name}{SUFFIX}(NULL, NULL) LIMIT 0").columns
            # row_id: the storage position a relation may add for its readers (work_order_state_in_scope).
            assert [c for c in scoped if c != "row_id"] == base, name
    finally:
        con.close()


def test_scoped_relations_show_a_team_its_own_calls_only():
    con = duckdb.connect()
    try:
        migrate(con)
        con.execute(
            "INSERT INTO calls (call_id, centre_id, team_id, agent_id, started_at, channel_layout) VALUES "
            "('a1', 'centre-01', 'team-a', 'agent-1', '2026-03-02 09:00:00+08', 'stereo'), "
            "('b1', 'centre-01', 'team-b', 'agent-2', '2026-03-02 09:00:00+08', 'stereo'), "
            "('c1', 'centre-02', 'team-c', 'agent-3', '2026-03-02 09:00:00+08', 'stereo')"
        )
        con.execute("INSERT INTO turns VALUES ('a1', 0, 'agent', 0, 0, 1, '您好', []), ('b1', 0, 'agent', 0, 0, 1, '您好', []), "
                    "('c1', 0, 'agent', 0, 0, 1, '您好', [])")
        seen = lambda relation, centre, team: sorted(r[0] for r in con.execute(  # noqa: E731
            f"SELECT call_id FROM {relation}($c, $t)", {"c": centre, "t": team}).fetchall())
        for relation in ("calls_in_scope", "turns_in_scope"):
            assert seen(relation, None, None) == ["a1", "b1", "c1"]
            assert seen(relation, "centre-01", None) == ["a1", "b1"]
            assert seen(relation, "centre-01", "team-b") == ["b1"]
            assert seen(relation, "centre-02", "team-b") == []
    finally:
        con.close()
