"""Rollups kept by the sink equal the base tables' aggregates, whatever the stream did: replays,
re-inspections with other results, a call moved to another agent or day, any batch split."""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from hotline.settings import WarehouseSettings
from hotline.warehouse import sqlfiles
from hotline.warehouse.reader import REPORTING_TIMEZONE
from hotline.warehouse.store import open_writer, store_batch
from test_warehouse_messages import DAY1, make_inspection, make_meta, make_transcript

REPORTING_TIMEZONE_INFO = ZoneInfo(REPORTING_TIMEZONE)

# The rollup's definition, written independently of the sink's incremental statements.
BASE_AGGREGATE = """
SELECT timezone($tz, c.started_at)::DATE AS day, c.centre_id, c.team_id, c.agent_id, r.item_id,
       count(*) AS applicable, count(*) FILTER (WHERE r.status = 'failed') AS failed,
       count(*) FILTER (WHERE r.fatal) AS fatal_checks
FROM check_results AS r JOIN calls AS c USING (call_id)
WHERE r.status IN ('passed', 'failed')
GROUP BY ALL ORDER BY ALL
"""
ROLLUP = """
SELECT day, centre_id, team_id, agent_id, item_id, applicable, failed, fatal_checks
FROM agent_item_days WHERE applicable > 0 ORDER BY ALL
"""


def stream(seed: int) -> list:
    rng = random.Random(seed)
    msgs: list = []
    for i in range(12):
        meta = make_meta(f"call-{i}", agent=f"agent-{i % 3}", team=f"team-{i % 2}", started_at=DAY1 + timedelta(hours=7 * i))
        msgs += [make_transcript(meta), make_inspection(meta, score=90.0, defects=("greeting",) if i % 2 else ())]
        if i % 3 == 0:
            # Re-inspected with a different outcome (the later one stands).
            msgs.append(make_inspection(meta, score=60.0, defects=() if i % 2 else ("greeting",)))
        if i % 4 == 1:
            # The recorder's metadata corrected: another agent, the next day.
            moved = make_meta(f"call-{i}", agent="agent-9", team="team-0", started_at=meta.started_at + timedelta(days=1))
            msgs.append(make_transcript(moved))
    replays = [rng.choice(msgs) for _ in range(10)]
    return msgs + replays


DAY_BASE = """
SELECT timezone($tz, c.started_at)::DATE AS day, c.centre_id, c.team_id, c.agent_id,
       count(*) AS inspected, count(i.score) AS scored, sum(i.score) AS score_sum, count(*) FILTER (WHERE i.fatal) AS fatal_calls
FROM inspections AS i JOIN calls AS c USING (call_id)
GROUP BY ALL ORDER BY ALL
"""
DAY_ROLLUP = """
SELECT day, centre_id, team_id, agent_id, inspected, scored, score_sum, fatal_calls
FROM agent_days WHERE inspected > 0 ORDER BY ALL
"""


def write(tmp_path, name: str, batches: list[list], rollup: str = ROLLUP, base: str = BASE_AGGREGATE) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Store the batches through the sink's write path into a new warehouse: the rollup as kept, and as derived from the base tables."""
    cfg = WarehouseSettings(database=tmp_path / f"{name}.duckdb", snapshot=tmp_path / f"{name}-snap.duckdb")
    con = open_writer(cfg)
    try:
        for batch in batches:
            store_batch(con, batch)
        return con.sql(rollup).pl(), con.sql(base, params={"tz": REPORTING_TIMEZONE}).pl()
    finally:
        con.close()


def random_batches(messages: list, seed: int) -> list[list]:
    """The stream cut into batches of 1 to 9 messages."""
    rng = random.Random(seed)
    batches, k = [], 0
    while k < len(messages):
        n = rng.randint(1, 9)
        batches.append(messages[k : k + n])
        k += n
    return batches


@pytest.mark.parametrize("seed", [4, 5])
def test_agent_days_equal_base_aggregate(tmp_path, seed):
    messages = stream(seed)
    batches = random_batches(messages, seed)
    rollup, base = write(tmp_path, "split", batches + [messages[:5]], DAY_ROLLUP, DAY_BASE)
    assert base.height > 1 and base["inspected"].sum() == 12
    # Scores are added and taken away again: equal up to floating-point rounding.
    assert_frame_equal(rollup, base, check_dtypes=False, rel_tol=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_rollup_equals_base_aggregate_after_replays_and_reinspections(tmp_path, seed):
    messages = stream(seed)
    batches = random_batches(messages, seed)
    rollup, base = write(tmp_path, "split", batches)
    assert base.height > 0 and base["failed"].sum() > 0
    assert_frame_equal(rollup, base, check_dtypes=False)
    # Written one message at a time, the rollup is the same too.
    one_by_one, _ = write(tmp_path, "single", [[m] for m in messages])
    assert_frame_equal(one_by_one, rollup)


def test_replaying_the_whole_stream_counts_nothing_twice(tmp_path):
    messages = stream(3)
    once, base = write(tmp_path, "once", [messages])
    twice, _ = write(tmp_path, "twice", [messages, messages[:7], messages])
    assert_frame_equal(once, base, check_dtypes=False)
    assert_frame_equal(twice, once)
    # Twelve calls, each with its current inspection's checks counted exactly once.
    assert once["applicable"].sum() == base["applicable"].sum() > 0


# Coaching examples' definition (coaching_examples.sql), written independently of the sink's statements:
# per day × agent × item, the first three evidence items of failed checks, verified first, newest call next.
COACHING_BASE = """
SELECT day, centre_id, team_id, agent_id, item_id, call_id, ev_no, started_at, reason, e.quote AS quote, e.start_s AS start_s,
       e.verified AS verified
FROM (
    SELECT timezone($tz, c.started_at)::DATE AS day, c.centre_id, c.team_id, c.agent_id, r.item_id, r.call_id,
           generate_subscripts(r.evidence, 1) AS ev_no, c.started_at, r.reason, unnest(r.evidence) AS e
    FROM check_results AS r JOIN calls AS c USING (call_id)
    WHERE r.status = 'failed'
)
QUALIFY row_number() OVER (PARTITION BY day, centre_id, team_id, agent_id, item_id
                           ORDER BY e.verified DESC, started_at DESC, call_id DESC, ev_no) <= 3
ORDER BY ALL
"""
COACHING = """
SELECT day, centre_id, team_id, agent_id, item_id, call_id, ev_no, started_at, reason, quote, start_s, verified
FROM coaching_examples ORDER BY ALL
"""


def crowded_stream(seed: int) -> list:
    """Eight calls of one agent on one day failing the greeting (more than the three examples kept),
    some re-inspected as passed or moved away later, so examples trimmed earlier must come back."""
    rng = random.Random(seed)
    msgs: list = []
    for i in range(8):
        meta = make_meta(f"busy-{i}", agent="agent-1", team="team-0", started_at=DAY1 + timedelta(minutes=20 * i))
        msgs += [make_transcript(meta), make_inspection(meta, score=70.0, defects=("greeting",))]
    for i in rng.sample(range(8), 3):
        meta = make_meta(f"busy-{i}", agent="agent-1", team="team-0", started_at=DAY1 + timedelta(minutes=20 * i))
        msgs.append(make_inspection(meta, score=95.0))
    i = rng.choice(range(8))
    msgs.append(make_transcript(make_meta(f"busy-{i}", agent="agent-2", team="team-0", started_at=DAY1 + timedelta(minutes=20 * i))))
    return msgs + [rng.choice(msgs) for _ in range(5)]


@pytest.mark.parametrize("seed", [6, 7])
def test_coaching_examples_equal_newest_failed_checks(tmp_path, seed):
    messages = stream(seed) + crowded_stream(seed)
    batches = random_batches(messages, seed)
    examples, base = write(tmp_path, "split", batches, COACHING, COACHING_BASE)
    busy = base.filter(pl.col("call_id").str.starts_with("busy-"))
    # The crowded group is capped at three while more of its calls still fail.
    assert busy.filter(pl.col("agent_id") == "agent-1").height == 3
    assert_frame_equal(examples, base, check_dtypes=False)
    one_by_one, _ = write(tmp_path, "single", [[m] for m in messages], COACHING, COACHING_BASE)
    assert_frame_equal(one_by_one, examples)
    whole, _ = write(tmp_path, "whole", [messages], COACHING, COACHING_BASE)
    assert_frame_equal(whole, examples)


# Each call rollup and the source its one definition (sql/schema/macros/<rollup>_of.sql) reads.
CALL_ROLLUPS = {
    "call_days": "inspected_calls",
    "agent_days": "inspected_calls",
    "score_days": "inspected_calls",
    "agent_item_days": "checked_items",
    "coaching_examples": "checked_items",
}


def _kept_rollups(con) -> dict[str, pl.DataFrame]:
    """Every call rollup as the warehouse keeps it."""
    return {table: con.sql(f"SELECT * FROM {table} ORDER BY ALL").pl() for table in CALL_ROLLUPS}


def _defined_rollups(con) -> dict[str, pl.DataFrame]:
    """Every call rollup as its definition gives it over everything stored."""
    return {table: con.sql(f"SELECT * FROM {table}_of('{source}') ORDER BY ALL").pl() for table, source in CALL_ROLLUPS.items()}


@pytest.mark.parametrize("seed", [8, 9])
def test_every_call_rollup_equals_its_definition_after_a_shuffled_split_replayed_stream(tmp_path, seed):
    messages = stream(seed) + crowded_stream(seed)
    random.Random(seed).shuffle(messages)
    cfg = WarehouseSettings(database=tmp_path / "wh.duckdb", snapshot=tmp_path / "wh-snap.duckdb")
    con = open_writer(cfg)
    try:
        for batch in random_batches(messages, seed) + [messages[:6]]:
            store_batch(con, batch)
        kept = _kept_rollups(con)
        defined = _defined_rollups(con)
        for table in CALL_ROLLUPS:
            assert kept[table].height > 0, table
            # Sums of scores taken in another order: equal up to floating-point rounding.
            assert_frame_equal(kept[table], defined[table], check_dtypes=False, rel_tol=1e-9)
        # A rebuild is the same definitions over everything: it changes nothing.
        con.execute(sqlfiles.load("rebuild_call_rollups", "internal"))
        for table, frame in _kept_rollups(con).items():
            assert_frame_equal(frame, kept[table], check_dtypes=False, rel_tol=1e-9)
    finally:
        con.close()


def test_retention_purges_the_coaching_examples_quotes(tmp_path):
    from hotline.warehouse.retention import purge_expired_transcripts

    cfg = WarehouseSettings(database=tmp_path / "purge.duckdb", snapshot=tmp_path / "purge-snap.duckdb")
    con = open_writer(cfg)
    try:
        store_batch(con, stream(8))
        quoted = "SELECT count(*) FILTER (WHERE quote IS NOT NULL), count(*) FROM coaching_examples"
        before = con.sql(quoted).fetchall()[0]
        assert before[0] == before[1] > 0
        # Calls of the first day only: the later days keep their quotes.
        purge_expired_transcripts(con, DAY1 + timedelta(days=1))
        after = con.sql(quoted).fetchall()[0]
        first_day = con.sql(
            "SELECT count(*) FROM coaching_examples WHERE started_at < $t", params={"t": DAY1 + timedelta(days=1)}
        ).fetchall()[0][0]
        assert after == (before[0] - first_day, before[1]) and 0 < first_day < before[1]
        # The checks' own quotes went the same way.
        assert con.sql(COACHING).pl().equals(con.sql(COACHING_BASE, params={"tz": REPORTING_TIMEZONE}).pl())
    finally:
        con.close()


# The coaching page's examples read without coaching_examples, as the reference: every failed check's
# evidence in the window, per agent and item, verified first and newest call next, first three.
EXAMPLES_FROM_CHECKS = """
SELECT c.agent_id, r.item_id,
       list({'call_id': r.call_id, 'quote': e.quote, 'start_s': e.start_s, 'reason': r.reason}
            ORDER BY e.verified DESC, c.started_at DESC, r.call_id DESC, n)[1:3] AS examples
FROM (SELECT *, unnest(evidence) AS e, generate_subscripts(evidence, 1) AS n FROM check_results) AS r
JOIN calls AS c USING (call_id)
WHERE r.status = 'failed' AND timezone($tz, c.started_at)::DATE BETWEEN $date_from AND $date_to
GROUP BY ALL
"""


def test_coaching_query_examples_equal_those_read_from_every_check(tmp_path):
    from hotline.warehouse import sqlfiles

    messages = stream(9) + crowded_stream(9)
    cfg = WarehouseSettings(database=tmp_path / "q.duckdb", snapshot=tmp_path / "q-snap.duckdb")
    con = open_writer(cfg)
    try:
        for k in range(0, len(messages), 4):
            store_batch(con, messages[k : k + 4])
        day = DAY1.astimezone(REPORTING_TIMEZONE_INFO).date()
        window = {"date_from": day, "date_to": day + timedelta(days=1)}
        params = {"scope_centre": None, "scope_team": None, "centre": None, "team": None, "agent": None, "limit": 10, **window}
        points = con.sql(sqlfiles.load("access_agent_coaching"), params=params).pl()
        expected = con.sql(EXAMPLES_FROM_CHECKS, params={"tz": REPORTING_TIMEZONE, **window}).pl()
    finally:
        con.close()
    shown = points.filter(pl.col("examples").list.len() > 0).select("agent_id", "item_id", "examples").sort("agent_id", "item_id")
    assert shown.height > 0 and shown.filter(pl.col("agent_id") == "agent-1")["examples"].list.len().max() == 3
    assert_frame_equal(shown, expected.join(shown.select("agent_id", "item_id"), on=["agent_id", "item_id"]).sort("agent_id", "item_id"))
