"""The overview's rollup (call_days) equals the base tables' aggregate whatever
the stream did (replays, re-inspections, a call moved to another agent or day, calls landed
without an inspection), and the rollup-backed variants of the overview's queries return what
the base queries return, for every filter combination warehouse/rollups.py sends to them."""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from hotline.settings import WarehouseSettings
from hotline.warehouse import access, rollups, sqlfiles
from hotline.warehouse.reader import REPORTING_TIMEZONE, bind_parameters, open_snapshot, query_frame
from hotline.warehouse.snapshot import publish_snapshot
from hotline.warehouse.store import open_writer, store_batch
from test_warehouse_messages import DAY1, make_alert, make_dead_letter, make_inspection, make_meta, make_transcript

# The rollup's definition, written independently of the sink's incremental statements.
BASE = """
SELECT timezone($tz, c.started_at)::DATE AS day, c.centre_id, c.team_id, c.agent_id, coalesce(i.category, '') AS category,
       count(*) AS inspected, count(i.score) AS scored, coalesce(sum(i.score), 0) AS score_sum,
       count(i.max_score) AS max_scored, coalesce(sum(i.max_score), 0) AS max_score_sum,
       count(*) FILTER (WHERE coalesce(len(i.defects) = 0 AND NOT i.fatal, false)) AS passed,
       count(*) FILTER (WHERE coalesce(len(i.defects) > 0 OR i.fatal, false)) AS defective,
       count(*) FILTER (WHERE i.fatal) AS fatal_calls,
       count(*) FILTER (WHERE i.review_state <> 'auto_pass') AS review_queue,
       count(*) FILTER (WHERE i.review_state = 'mandatory_review') AS mandatory_review
FROM inspections AS i JOIN calls AS c USING (call_id)
GROUP BY ALL ORDER BY ALL
"""
ROLLUP = """
SELECT day, centre_id, team_id, agent_id, category, inspected, scored, score_sum, max_scored, max_score_sum,
       passed, defective, fatal_calls, review_queue, mandatory_review
FROM call_days WHERE inspected > 0 ORDER BY ALL
"""
CATEGORIES = ("市政设施", "环境卫生", None)
STATES = ("auto_pass", "sample_review", "mandatory_review")


def inspection(meta, rng: random.Random):
    msg = make_inspection(
        meta,
        score=float(rng.randint(40, 100)),
        defects=rng.choice([(), ("greeting",)]),
        review_state=rng.choice(STATES),
        category=rng.choice(CATEGORIES) or "x",
    )
    update = {}
    if msg.category is not None and rng.random() < 0.25:
        update["category"] = None
    if rng.random() < 0.2:
        update["fatal"] = True
    return msg.model_copy(update=update) if update else msg


def stream(seed: int) -> list:
    rng = random.Random(seed)
    msgs: list = []
    for i in range(16):
        meta = make_meta(f"call-{i:02d}", agent=f"agent-{i % 3}", team=f"team-{i % 2}", started_at=DAY1 + timedelta(hours=7 * i))
        msgs.append(make_transcript(meta))
        if i % 5 == 4:
            continue  # landed, never inspected
        msgs.append(inspection(meta, rng))
        msgs.append(make_alert(meta.call_id, start_s=float(i % 2)))
        if i % 3 == 0:
            # Re-inspected with another outcome (the later one stands).
            msgs.append(inspection(meta, rng))
        if i % 4 == 1:
            # The recorder's metadata corrected: another agent and team, the next day.
            moved = make_meta(meta.call_id, agent="agent-9", team="team-0", started_at=meta.started_at + timedelta(days=1))
            msgs.append(make_transcript(moved))
    msgs.append(make_dead_letter("call-03"))
    replays = [rng.choice(msgs) for _ in range(10)]
    return msgs + replays


def split(messages: list, seed: int) -> list[list]:
    rng = random.Random(seed)
    batches, k = [], 0
    while k < len(messages):
        n = rng.randint(1, 9)
        batches.append(messages[k : k + n])
        k += n
    return batches


def write(tmp_path, name: str, batches: list[list], *, snapshot: bool = False) -> tuple[pl.DataFrame, pl.DataFrame, WarehouseSettings]:
    cfg = WarehouseSettings(database=tmp_path / f"{name}.duckdb", snapshot=tmp_path / f"{name}-snap.duckdb")
    con = open_writer(cfg)
    try:
        for batch in batches:
            store_batch(con, batch)
        rollup, base = con.sql(ROLLUP).pl(), con.sql(BASE, params={"tz": REPORTING_TIMEZONE}).pl()
        if snapshot:
            publish_snapshot(con, cfg)
        return rollup, base, cfg
    finally:
        con.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_call_days_equal_base_aggregate_after_replays_and_reinspections(tmp_path, seed):
    messages = stream(seed)
    rollup, base, _ = write(tmp_path, "split", split(messages, seed))
    assert base["inspected"].sum() == 13 and base["category"].n_unique() > 1
    # Scores are added and taken away again: equal up to floating-point rounding.
    assert_frame_equal(rollup, base, check_dtypes=False, rel_tol=1e-9)
    one_by_one, _, _ = write(tmp_path, "single", [[m] for m in messages])
    assert_frame_equal(one_by_one, base, check_dtypes=False, rel_tol=1e-9)
    # Replaying the whole stream counts nothing twice.
    twice, base_twice, _ = write(tmp_path, "twice", [messages, messages[:7], messages])
    assert_frame_equal(base_twice, base)
    assert_frame_equal(twice, base, check_dtypes=False, rel_tol=1e-9)


LEAD = access.User("lead", "lead", "team_lead", centre_id="centre-01", team_id="team-0")
SUPERVISOR = access.User("sup", "sup", "qa_supervisor", centre_id="centre-01")
ADMIN = access.User("admin", "admin", "admin")
NO_FILTERS = {k: None for k in ("centre", "team", "agent", "category", "district", "score_min", "score_max", "review_state", "human_review")}
LOCAL_DAY1 = date(2025, 3, 3)
# Filter combinations the rollup variants take (rollups.pick must choose them).
SERVED = [
    {"reviewed": []},
    {"reviewed": [], "date_from": LOCAL_DAY1 + timedelta(days=1), "date_to": LOCAL_DAY1 + timedelta(days=3)},
    {"reviewed": [], "date_from": LOCAL_DAY1 + timedelta(days=2)},
    {"reviewed": [], "date_to": LOCAL_DAY1 + timedelta(days=1)},
    {"reviewed": [], "team": "team-1"},
    {"reviewed": [], "agent": "agent-9", "date_from": LOCAL_DAY1},
    {"reviewed": [], "centre": "centre-02"},
    {"reviewed": None},
    {"reviewed": ["call-01", "call-02", "call-04", "call-06", "call-06", "call-10", "no-such-call"]},
    {"reviewed": ["call-00", "call-03", "call-05", "call-09"], "date_from": LOCAL_DAY1 + timedelta(days=1), "team": "team-0"},
    {"reviewed": [], "date_from": date(2030, 1, 1)},
]


# The overview's variants (the routing pages' are tested in test_warehouse_routing_rollup).
OVERVIEW = ("access_kpis", "access_daily", "access_categories")


def _queries(params: dict) -> list[str]:
    return [q for q in OVERVIEW if rollups.pick(q, params | {"scope_centre": None, "scope_team": None})[0] != q]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("overview")
    messages = stream(7)
    _, _, cfg = write(tmp, "wh", split(messages, 7), snapshot=True)
    con = open_snapshot(cfg)
    yield con
    con.close()


def _compare(con, user: access.User, name: str, params: dict) -> None:
    picked, _ = rollups.pick(name, params | access.scope_params(user))
    assert picked == f"{name}_rollup"
    served = access.run_scoped(user, name, lambda n, p: query_frame(con, n, **p), params)
    base = access.mask_frame(query_frame(con, name, **(params | access.scope_params(user))), user)
    assert served.columns == base.columns
    assert_frame_equal(served, base, check_dtypes=False, rel_tol=1e-9)


@pytest.mark.parametrize("user", [LEAD, SUPERVISOR, ADMIN], ids=lambda u: u.role)
@pytest.mark.parametrize("filters", SERVED)
def test_rollup_variants_return_what_the_base_queries_return(snapshot, user, filters):
    params = NO_FILTERS | filters
    names = _queries(params)
    assert set(names) == set(OVERVIEW) <= set(rollups.VARIANTS)
    if filters.get("reviewed") and user is ADMIN:
        assert query_frame(snapshot, "access_kpis", **(params | access.scope_params(user)))["human_reviewed"][0] > 0
    for name in names:
        _compare(snapshot, user, name, params)


def test_categories_by_category(snapshot):
    _compare(snapshot, SUPERVISOR, "access_categories", NO_FILTERS | {"reviewed": [], "category": "市政设施"})


# access_alerts read without queue_calls, as the reference: every call of the window, then its alerts.
ALERTS_FROM_EVERY_CALL = """
SELECT
    a.call_id, a.kind, a.severity, a.quote, a.speaker, a.start_s, a.end_s, a.from_partial, a.raised_at,
    f.team_id, f.agent_id, f.started_at, f.human_reviewed
FROM alerts AS a
INNER JOIN scoped_calls(
    $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
    $score_min, $score_max, $review_state, $reviewed, $human_review, $district
) AS f USING (call_id)
ORDER BY a.raised_at DESC, a.call_id, a.start_s
LIMIT coalesce($limit::INTEGER, 200)
"""


@pytest.mark.parametrize("filters", [
    {}, {"human_review": "unreviewed", "reviewed": ["call-01"]}, {"human_review": "reviewed", "reviewed": ["call-01"]},
    {"score_max": 80.0}, {"category": "市政设施"}, {"review_state": "mandatory_review"}, {"team": "team-1"},
    {"date_from": LOCAL_DAY1 + timedelta(days=1)},
])
def test_alerts_from_the_queue_table_are_those_of_every_call_in_scope(snapshot, filters):
    params = bind_parameters("access_alerts", NO_FILTERS | {"reviewed": []} | filters | access.scope_params(SUPERVISOR))
    cur = snapshot.cursor()
    try:
        cur.execute(sqlfiles.load("use_snapshot", "internal"))
        cur.execute(sqlfiles.load("set_timezone", "internal"), {"timezone": REPORTING_TIMEZONE})
        expected = cur.sql(ALERTS_FROM_EVERY_CALL, params=params).pl()
    finally:
        cur.close()
    assert_frame_equal(query_frame(snapshot, "access_alerts", **params), expected)
    if not filters:
        assert expected.height > 0


def test_the_data_exercise_every_figure(snapshot):
    kpis = query_frame(snapshot, "access_kpis_rollup", scope_centre=None, scope_team=None).row(0, named=True)
    assert kpis["calls_landed"] > kpis["calls_inspected"] > 0
    assert kpis["review_queue"] > kpis["mandatory_waiting"] > 0 and kpis["alerts"] > 0
    assert 0 < kpis["pass_rate"] < 1 and 0 < kpis["defect_share"] < 1
    # The reviewed calls of SERVED take calls off the review queue and off its mandatory part.
    reviewed = query_frame(snapshot, "access_kpis_rollup", scope_centre=None, scope_team=None, reviewed=SERVED[-3]["reviewed"]).row(0, named=True)
    assert reviewed["review_queue"] < kpis["review_queue"] and reviewed["mandatory_waiting"] < kpis["mandatory_waiting"]
    categories = query_frame(snapshot, "access_categories_rollup", scope_centre=None, scope_team=None)
    assert "未分类" in categories["category"].to_list()


@pytest.mark.parametrize(
    ("name", "filters"),
    [
        ("access_kpis", {"human_review": "unreviewed", "reviewed": ["call-01"]}),
        ("access_kpis", {"category": "市政设施"}),
        ("access_daily", {"score_min": 50.0}),
        ("access_daily", {"human_review": "reviewed"}),
        ("access_categories", {"review_state": "sample_review"}),
        ("access_categories", {"district": "江北区"}),
        ("access_alerts", {"score_max": 80.0}),
    ],
)
def test_other_filters_run_the_base_query(snapshot, name, filters):
    params = NO_FILTERS | {"reviewed": []} | filters
    assert rollups.pick(name, params | access.scope_params(SUPERVISOR)) == (name, params | access.scope_params(SUPERVISOR))
    # And run_scoped gives what the base query gives.
    served = access.run_scoped(SUPERVISOR, name, lambda n, p: query_frame(snapshot, n, **p), params)
    base = access.mask_frame(query_frame(snapshot, name, **(params | access.scope_params(SUPERVISOR))), SUPERVISOR)
    assert_frame_equal(served, base)


def test_a_parameter_the_query_does_not_take_is_still_refused(snapshot):
    with pytest.raises(TypeError, match="unknown"):
        access.run_scoped(SUPERVISOR, "access_kpis", lambda n, p: query_frame(snapshot, n, **p), {"no_such": 1})


def test_every_variant_takes_the_base_querys_parameters_it_keeps():
    for name, (variant, unset) in rollups.VARIANTS.items():
        base, taken = set(sqlfiles.parameters(name)), set(sqlfiles.parameters(variant))
        assert taken <= base and base - taken <= unset | {"reviewed", "human_review"}
