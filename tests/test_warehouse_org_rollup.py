"""The agent—team—centre report read from stored figures (calls' talk columns, call_days,
score_days) equals the report computed by joining every call to its inspection, turns and
sentiment; and the figures the sink stores for it (talk on the calls row, the caller's sentiment on the inspection,
call_days' sentiment counts, score_days) equal their definitions over the base tables, whatever
the stream did: replays, re-inspections, a call moved to another agent or day, any batch split."""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from hotline.contracts import CallSentiment, LlmJudgement, Segment
from hotline.conversation import DEFAULT_SILENCE_THRESHOLD_S
from hotline.settings import WarehouseSettings
from hotline.warehouse.reader import REPORTING_TIMEZONE, open_snapshot, query_frame
from hotline.warehouse.snapshot import publish_snapshot
from hotline.warehouse.store import open_writer, store_batch
from test_warehouse_messages import DAY1, make_inspection, make_meta, make_transcript
from test_warehouse_rollups import random_batches

# Talk and silence per call by their definition (hotline/conversation.py), written again in SQL
# over the stored turns: a party's talk is the union of its turns; a silence a gap in everyone's
# speech longer than $threshold (the sink's default: these transcripts carry no metrics); overlap
# the time two or more parties talk at once (a sweep over each party's merged talk); an
# interruption a turn started over another party's turn that goes on for 0.5 s or more. Times
# rounded to the millisecond as the metrics are.
TALK = """
speech AS (
    SELECT call_id, speaker, start_s, end_s,
           max(end_s) OVER (PARTITION BY call_id, speaker ORDER BY start_s, end_s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS own_end,
           max(end_s) OVER (PARTITION BY call_id ORDER BY start_s, end_s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS any_end
    FROM turns WHERE end_s > start_s
),
islands AS (
    SELECT call_id, speaker, min(start_s) AS s, max(end_s) AS e
    FROM (SELECT *, sum(CASE WHEN own_end IS NULL OR start_s > own_end THEN 1 ELSE 0 END)
                        OVER (PARTITION BY call_id, speaker ORDER BY start_s, end_s ROWS UNBOUNDED PRECEDING) AS island
          FROM speech)
    GROUP BY call_id, speaker, island
),
party_talk AS (SELECT call_id, speaker, round(sum(e - s), 3) AS talk_s FROM islands GROUP BY ALL),
sweep AS (
    SELECT call_id, sum(d) OVER w AS speaking, lead(pos) OVER w - pos AS span
    FROM (SELECT call_id, s AS pos, 1 AS d FROM islands UNION ALL SELECT call_id, e, -1 FROM islands)
    WINDOW w AS (PARTITION BY call_id ORDER BY pos, d ROWS UNBOUNDED PRECEDING)
),
talk AS (
    SELECT call_id, t.turns,
           coalesce(p.agent_s, 0) AS agent_s, coalesce(p.caller_s, 0) AS caller_s, p.all_s, p.roles,
           coalesce(g.silence_s, 0) AS silence_s, coalesce(g.longest_silence_s, 0) AS longest_silence_s,
           coalesce(o.overlap_s, 0) AS overlap_s, coalesce(i.interruptions, 0) AS interruptions
    FROM (SELECT call_id, count(*) AS turns FROM turns GROUP BY call_id) AS t
    LEFT JOIN (SELECT call_id, sum(talk_s) FILTER (WHERE speaker = 'agent') AS agent_s,
                      sum(talk_s) FILTER (WHERE speaker = 'caller') AS caller_s, sum(talk_s) AS all_s,
                      count(*) FILTER (WHERE speaker IN ('agent', 'caller')) AS roles
               FROM party_talk GROUP BY call_id) AS p USING (call_id)
    LEFT JOIN (SELECT call_id, round(sum(start_s - any_end), 3) AS silence_s, round(max(start_s - any_end), 3) AS longest_silence_s
               FROM speech WHERE start_s - any_end > $threshold GROUP BY call_id) AS g USING (call_id)
    LEFT JOIN (SELECT call_id, round(sum(span), 3) AS overlap_s FROM sweep WHERE speaking >= 2 GROUP BY call_id) AS o USING (call_id)
    LEFT JOIN (SELECT a.call_id, count(*) AS interruptions FROM speech AS a
               WHERE EXISTS (SELECT 1 FROM speech AS b WHERE b.call_id = a.call_id AND b.speaker <> a.speaker
                             AND b.start_s < a.start_s AND b.end_s - a.start_s >= 0.5)
               GROUP BY a.call_id) AS i USING (call_id)
)"""

# The report computed from the base tables, kept here as the reference: every call of the
# window joined to its inspection, its talk figures recomputed from its turns, its sentiment.
REFERENCE = "WITH " + TALK + """,
scoped AS (
    SELECT c.call_id, c.centre_id, c.team_id, c.agent_id, i.call_id IS NOT NULL AS inspected, i.score, i.fatal,
           CASE WHEN i.call_id IS NULL THEN NULL WHEN len(i.defects) > 0 OR i.fatal THEN 1.0 ELSE 0.0 END AS defective,
           i.review_state IS NOT NULL AND i.review_state <> 'auto_pass' AS needs_review,
           CASE WHEN m.all_s > 0 AND m.roles > 0 THEN m.agent_s / m.all_s END AS agent_talk_share,
           CASE WHEN m.call_id IS NOT NULL AND c.duration_s > 0 THEN m.silence_s / c.duration_s END AS silence_share,
           m.longest_silence_s, m.call_id IS NOT NULL AS has_turns,
           CASE WHEN s.caller_sentiment IS NULL THEN NULL WHEN s.caller_sentiment IN ('dissatisfied', 'angry') THEN 1.0 ELSE 0.0 END AS negative_caller
    FROM calls AS c
    LEFT JOIN inspections AS i USING (call_id)
    LEFT JOIN talk AS m USING (call_id)
    LEFT JOIN call_sentiment AS s USING (call_id)
    WHERE ($date_from::DATE IS NULL OR c.started_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR c.started_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
      AND ($team::VARCHAR IS NULL OR c.team_id = $team::VARCHAR)
)
SELECT
    CASE WHEN grouping(agent_id) = 0 THEN 'agent' WHEN grouping(team_id) = 0 THEN 'team' ELSE 'centre' END AS level,
    centre_id,
    CASE WHEN grouping(team_id) = 0 THEN team_id END AS team_id,
    CASE WHEN grouping(agent_id) = 0 THEN agent_id END AS agent_id,
    count(*) AS calls, count(*) FILTER (WHERE inspected) AS inspected, avg(score) AS avg_score, median(score) AS median_score,
    avg(CASE WHEN fatal THEN 1.0 WHEN inspected THEN 0.0 END) AS fatal_share, avg(defective) AS defect_share,
    count(*) FILTER (WHERE needs_review) AS calls_needing_review, avg(agent_talk_share) AS agent_talk_share,
    avg(silence_share) AS silence_share, max(longest_silence_s) FILTER (WHERE has_turns) AS longest_silence_s,
    avg(negative_caller) AS negative_caller_share
FROM scoped
GROUP BY GROUPING SETS ((centre_id, team_id, agent_id), (centre_id, team_id), (centre_id))
ORDER BY centre_id, team_id NULLS FIRST, agent_id NULLS FIRST
"""
FIGURES = ["level", "centre_id", "team_id", "agent_id", "calls", "inspected", "avg_score", "median_score", "fatal_share",
           "defect_share", "calls_needing_review", "agent_talk_share", "silence_share", "longest_silence_s", "negative_caller_share"]

# The sink's stored figures, each defined independently of the statements that keep them.
SENTIMENT_BASE = """
SELECT timezone($tz, c.started_at)::DATE AS day, c.centre_id, c.team_id, c.agent_id, coalesce(i.category, '') AS category,
       count(s.caller_sentiment) AS sentiment_known,
       count(*) FILTER (WHERE s.caller_sentiment IN ('dissatisfied', 'angry')) AS negative_caller
FROM inspections AS i JOIN calls AS c USING (call_id) LEFT JOIN call_sentiment AS s USING (call_id)
GROUP BY ALL ORDER BY ALL
"""
SENTIMENT_ROLLUP = """
SELECT day, centre_id, team_id, agent_id, category, sentiment_known, negative_caller
FROM call_days WHERE inspected > 0 ORDER BY ALL
"""
SCORE_BASE = """
SELECT timezone($tz, c.started_at)::DATE AS day, c.centre_id, c.team_id, c.agent_id, i.score, count(*) AS calls
FROM inspections AS i JOIN calls AS c USING (call_id) WHERE i.score IS NOT NULL
GROUP BY ALL ORDER BY ALL
"""
SCORE_ROLLUP = "SELECT day, centre_id, team_id, agent_id, score, calls FROM score_days WHERE calls > 0 ORDER BY ALL"
TALK_BASE = "WITH " + TALK + """
SELECT call_id, turns, agent_s AS agent_talk_s, caller_s AS caller_talk_s, silence_s, longest_silence_s, overlap_s,
       interruptions, $threshold AS silence_threshold_s
FROM talk ORDER BY call_id
"""
TALK_STORED = """
SELECT call_id, turns, agent_talk_s, caller_talk_s, silence_s, longest_silence_s, overlap_s, interruptions, silence_threshold_s
FROM call_metrics ORDER BY call_id
"""
SENTIMENTS = ("satisfied", "neutral", "anxious", "dissatisfied", "angry")


def transcript(meta, rng: random.Random):
    """A final transcript with random turn timings: gaps, overlaps, a turn inside another, an unknown speaker."""
    base = make_transcript(meta, turns=1)
    segments, t = [], 0.0
    for _ in range(rng.randint(0, 6)):
        start = max(0.0, t + rng.uniform(-2.0, 6.0))
        end = start + rng.uniform(0.5, 8.0)
        speaker = rng.choice(("agent", "caller", "caller", "unknown") if segments else ("agent",))
        segments.append(Segment(speaker=speaker, start_s=round(start, 2), end_s=round(end, 2), text="好的"))
        t = end
    return base.model_copy(update={"segments": tuple(segments), "duration_s": round(t + rng.uniform(0.0, 5.0), 2)})


def inspection(meta, rng: random.Random):
    msg = make_inspection(meta, score=float(rng.choice([55, 70, 80, 85, 90, 95, 100])), defects=rng.choice([(), ("greeting",)]),
                          review_state=rng.choice(("auto_pass", "sample_review", "mandatory_review")))
    update: dict = {"fatal": rng.random() < 0.15}
    how = rng.random()
    if how < 0.4:
        update["sentiment"] = CallSentiment(method="embedding", overall=rng.choice(SENTIMENTS))
    elif how < 0.7:
        label = rng.choice(SENTIMENTS)
        judged = LlmJudgement(name="caller_sentiment", status="judged", reason="r", value={"label": label, "quote": "q"}, model="m")
        update["llm"] = msg.llm + (judged,)
    return msg.model_copy(update=update)


def stream(seed: int) -> list:
    rng = random.Random(seed)
    msgs: list = []
    for i in range(24):
        meta = make_meta(f"call-{i:02d}", agent=f"agent-{i % 4}", team=f"team-{i % 2}", started_at=DAY1 + timedelta(hours=9 * i))
        msgs.append(transcript(meta, rng))
        if i % 6 == 5:
            continue  # landed, never inspected
        msgs.append(inspection(meta, rng))
        if i % 3 == 0:
            msgs.append(inspection(meta, rng))  # re-inspected: the later one stands
        if i % 4 == 1:
            moved = make_meta(meta.call_id, agent="agent-9", team="team-0", started_at=meta.started_at + timedelta(days=1))
            msgs.append(transcript(moved, rng))  # another agent, the next day, a new transcript
    return msgs + [rng.choice(msgs) for _ in range(12)]


def write(tmp_path, name: str, batches: list[list]) -> WarehouseSettings:
    cfg = WarehouseSettings(database=tmp_path / f"{name}.duckdb", snapshot=tmp_path / f"{name}-snap.duckdb")
    con = open_writer(cfg)
    try:
        for batch in batches:
            store_batch(con, batch)
        publish_snapshot(con, cfg)
    finally:
        con.close()
    return cfg


def frames(cfg: WarehouseSettings, rollup: str, base: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    con = open_snapshot(cfg)
    try:
        params = {"tz": REPORTING_TIMEZONE} if "$tz" in base else {"threshold": DEFAULT_SILENCE_THRESHOLD_S} if "$threshold" in base else None
        return con.sql(rollup).pl(), con.sql(base, params=params).pl()
    finally:
        con.close()


@pytest.fixture(scope="module", params=[1, 2])
def warehouse(request, tmp_path_factory):
    messages = stream(request.param)
    tmp = tmp_path_factory.mktemp(f"org{request.param}")
    return {
        "split": write(tmp, "split", random_batches(messages, request.param)),
        "single": write(tmp, "single", [[m] for m in messages]),
        "twice": write(tmp, "twice", [messages, messages[:9], messages]),
    }


@pytest.mark.parametrize("how", ["split", "single", "twice"])
@pytest.mark.parametrize(("rollup", "base"), [(SENTIMENT_ROLLUP, SENTIMENT_BASE), (SCORE_ROLLUP, SCORE_BASE), (TALK_STORED, TALK_BASE)],
                         ids=["call_days sentiment", "score_days", "talk"])
def test_stored_figures_equal_their_definitions(warehouse, how, rollup, base):
    kept, derived = frames(warehouse[how], rollup, base)
    assert derived.height > 3
    assert_frame_equal(kept, derived, check_dtypes=False, rel_tol=1e-9)


def test_the_stream_exercises_every_figure(warehouse):
    talk, _ = frames(warehouse["split"], TALK_STORED, TALK_BASE)
    assert (talk["overlap_s"] > 0).any() and (talk["silence_s"] > 0).any() and (talk["interruptions"] > 0).any()
    # Gaps at or under the threshold are pauses, not silence: some calls have gaps but no silence.
    _, base = frames(warehouse["split"], TALK_STORED, TALK_BASE.replace("$threshold", "0.0"))
    assert (base["silence_s"] > talk["silence_s"]).any()
    sentiment, _ = frames(warehouse["split"], SENTIMENT_ROLLUP, SENTIMENT_BASE)
    assert sentiment["negative_caller"].sum() > 0 and sentiment["sentiment_known"].sum() > sentiment["negative_caller"].sum()
    con = open_snapshot(warehouse["split"])
    try:
        # Both sources of the caller's sentiment, and calls landed without turns or an inspection.
        assert con.sql("SELECT count(DISTINCT sentiment_source) FROM call_sentiment").fetchall()[0][0] == 2
        assert con.sql("SELECT count(*) FROM calls WHERE turn_count IS NULL").fetchall()[0][0] > 0
        assert con.sql("SELECT count(*) FROM calls ANTI JOIN inspections USING (call_id)").fetchall()[0][0] > 0
    finally:
        con.close()


LOCAL_DAY1 = date(2025, 3, 3)
WINDOWS = [
    {},
    {"date_from": LOCAL_DAY1 + timedelta(days=1), "date_to": LOCAL_DAY1 + timedelta(days=4)},
    {"date_from": LOCAL_DAY1 + timedelta(days=3)},
    {"team": "team-1"},
    {"team": "team-0", "date_to": LOCAL_DAY1 + timedelta(days=2)},
    {"date_from": date(2030, 1, 1)},
]


@pytest.mark.parametrize("window", WINDOWS)
def test_report_equals_the_report_over_every_call(warehouse, window):
    con = open_snapshot(warehouse["split"])
    try:
        params = {"date_from": None, "date_to": None, "team": None} | window
        reference = con.sql(REFERENCE, params=params | {"threshold": DEFAULT_SILENCE_THRESHOLD_S}).pl()
        report = query_frame(con, "access_org_rollup", **params).select(FIGURES)
    finally:
        con.close()
    if window.get("date_from") != date(2030, 1, 1):
        assert reference.height > 3 and reference["median_score"].null_count() < reference.height
    assert_frame_equal(report, reference, check_dtypes=False, rel_tol=1e-9)


