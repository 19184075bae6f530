-- The calls a dashboard page shows: those within the signed-in user's scope and the page's filters,
-- with the list columns. Read by the overview (access_kpis, access_daily, access_categories,
-- access_defects) and the call lists (access_calls, access_calls_not_scored).
-- Arguments, all bound; NULL means "any":
--   scope_centre, scope_team   the user's scope (bound by access.run_scoped)
--   date_from, date_to         local calendar days, inclusive, on started_at
--   centre, team, agent, category, review_state   exact matches
--   score_min, score_max       score_min <= score < score_max
--   reviewed                   call ids a human has decided (from the dashboard's own store)
--   human_review               'reviewed' or 'unreviewed'
--   in_district                the district the inspection located the demand in
-- The filters are page_filtered_calls' (shared with the review queue's scoped_queue_calls). The
-- date window is a range on the stored instants, so row groups outside it are skipped by their
-- min/max; inspections are bounded the same way (a call is inspected after it started; a day's
-- margin covers clock skew between the systems).
CREATE OR REPLACE MACRO scoped_calls(
    scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
) AS TABLE
WITH calls_inspected AS (
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
        -- Where the inspection located the caller's demand (the place the work order goes to).
        i.routing_district AS district
    FROM calls AS c
    LEFT JOIN (
        SELECT *
        FROM inspections
        WHERE date_from::DATE IS NULL OR inspected_at >= (date_from::DATE - 1)::TIMESTAMPTZ
    ) AS i USING (call_id)
)

SELECT *
FROM page_filtered_calls(
    'calls_inspected', scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
);
