-- The review queue without scanning every call.
--
-- 1. items_needing_review on the inspection row: the scorecard items a person must look at
--    (status 'needs_review'), in scorecard order. The team lead's "calls needing review" list read
--    them by grouping all check results (a hundred million rows at 10 M calls) on every visit;
--    the sink now writes them with the inspection (warehouse/batch.py).
ALTER TABLE inspections ADD COLUMN items_needing_review VARCHAR[];
ALTER TABLE sink_batch_inspections ADD COLUMN items_needing_review VARCHAR[];

-- The items as derived from the stored check results: the backfill below, and the fill after a
-- bulk load without the sink (sql/internal/fill_items_needing_review.sql).
CREATE VIEW items_needing_review_derived AS
SELECT call_id, list(item_id ORDER BY item_no) AS items
FROM check_results
WHERE status = 'needs_review'
GROUP BY call_id;

UPDATE inspections
SET items_needing_review = f.items
FROM items_needing_review_derived AS f
WHERE inspections.call_id = f.call_id;

-- 2. queue_calls: the review queue lists mandatory calls first (those with alerts first, however
--    old), then the rest, so it read every call and inspection of the window (months for a team)
--    to find the one in a hundred that is mandatory, and every call to find the alerted ones.
--    This table holds the list columns (scoped_calls' columns but human_reviewed, which comes from
--    the review store at reading) of every call that has an alert or was sent to mandatory
--    review. The sink writes a call's row again whenever an alert of it, its transcript or its
--    inspection lands (sql/internal/*queue_call*.sql, warehouse/store.py); a call re-inspected
--    out of mandatory review keeps a row that readers skip (queue_member false).
CREATE TABLE queue_calls (
    call_id VARCHAR PRIMARY KEY,
    centre_id VARCHAR,
    team_id VARCHAR,
    agent_id VARCHAR,
    started_at TIMESTAMPTZ,
    duration_s DOUBLE,
    caller_number VARCHAR,
    transcript_final BOOLEAN,
    inspected BOOLEAN,
    score DOUBLE,
    max_score DOUBLE,
    fatal BOOLEAN,
    defects VARCHAR[],
    category VARCHAR,
    review_state VARCHAR,
    district VARCHAR,
    alerts BIGINT NOT NULL,
    queue_member BOOLEAN NOT NULL
);

CREATE VIEW queue_call_rows AS
SELECT
    c.call_id,
    c.centre_id,
    c.team_id,
    c.agent_id,
    c.started_at,
    c.duration_s,
    c.caller_number,
    c.transcript_final,
    i.call_id IS NOT NULL AS inspected,
    i.score,
    i.max_score,
    i.fatal,
    i.defects,
    i.category,
    i.review_state,
    i.routing_district AS district,
    coalesce(a.alerts, 0) AS alerts,
    coalesce(a.alerts, 0) > 0 OR coalesce(i.review_state = 'mandatory_review', false) AS queue_member
FROM calls AS c
LEFT JOIN inspections AS i ON i.call_id = c.call_id
LEFT JOIN (SELECT call_id, count(*) AS alerts FROM alerts GROUP BY call_id) AS a ON a.call_id = c.call_id;

INSERT INTO queue_calls
SELECT *
FROM queue_call_rows
WHERE queue_member;

-- The queue's calls within a user's scope and a page's filters: the same arguments as
-- scoped_calls (0023), its columns and the call's alert count.
CREATE MACRO scoped_queue_calls(
    scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
) AS TABLE
SELECT s.*
FROM (
    SELECT
        q.* EXCLUDE (alerts, queue_member),
        list_contains(coalesce(reviewed::VARCHAR[], []::VARCHAR[]), q.call_id) AS human_reviewed,
        q.alerts
    FROM queue_calls AS q
    WHERE q.queue_member
      AND (scope_centre::VARCHAR IS NULL OR q.centre_id = scope_centre::VARCHAR)
      AND (scope_team::VARCHAR IS NULL OR q.team_id = scope_team::VARCHAR)
      AND (date_from::DATE IS NULL OR q.started_at >= date_from::DATE::TIMESTAMPTZ)
      AND (date_to::DATE IS NULL OR q.started_at < (date_to::DATE + 1)::TIMESTAMPTZ)
      AND (centre::VARCHAR IS NULL OR q.centre_id = centre::VARCHAR)
      AND (team::VARCHAR IS NULL OR q.team_id = team::VARCHAR)
      AND (agent::VARCHAR IS NULL OR q.agent_id = agent::VARCHAR)
      AND (category::VARCHAR IS NULL OR q.category = category::VARCHAR)
      AND (score_min::DOUBLE IS NULL OR q.score >= score_min::DOUBLE)
      AND (score_max::DOUBLE IS NULL OR q.score < score_max::DOUBLE)
      AND (review_state::VARCHAR IS NULL OR q.review_state = review_state::VARCHAR)
      AND (in_district::VARCHAR IS NULL OR q.district = in_district::VARCHAR)
) AS s
-- 'reviewed': a human decided the whole score; 'unreviewed': not yet.
WHERE human_review::VARCHAR IS NULL OR s.human_reviewed = (human_review::VARCHAR = 'reviewed');

-- Same arguments and columns as in 0023 (those of scoped_calls), read from queue_calls.
CREATE OR REPLACE MACRO scoped_alerted_calls(
    scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
) AS TABLE
SELECT * EXCLUDE (alerts)
FROM scoped_queue_calls(
    scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
)
WHERE alerts > 0;
