-- The review queue's calls (queue_calls rows with queue_member) within a user's scope and a page's
-- filters: scoped_calls' arguments and columns (the same filters, page_filtered_calls), plus the
-- call's alert count. Read by the review queue (access_review_queue), scoped_alerted_calls and the
-- overview's alert counts (access_kpis_rollup).
CREATE OR REPLACE MACRO scoped_queue_calls(
    scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
) AS TABLE
WITH queued_calls AS (
    SELECT q.* EXCLUDE (queue_member)
    FROM queue_calls AS q
    WHERE q.queue_member
)

SELECT * EXCLUDE (alerts), alerts
FROM page_filtered_calls(
    'queued_calls', scope_centre, scope_team, date_from, date_to, centre, team, agent, category,
    score_min, score_max, review_state, reviewed, human_review, in_district
);
