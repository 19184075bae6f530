-- The review queue's head: its inspected calls in scope and filters (mandatory, or with alerts),
-- mandatory first, then those with more alerts, then newest first; the same columns and order as
-- access_calls with $queue_first, read from the queue's own table (queue_calls) instead of
-- every call of the window. Every inspected call the queue holds sorts there before every
-- inspected call it does not hold (sampled and without alerts) and before every call not
-- inspected yet, so these rows are exactly the start of access_calls' list: all of it when they
-- are $limit, else access.read_newest_first completes it with the window's newest other calls.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped; the
-- other parameters are the page's filters, NULL = any.
SELECT
    q.call_id,
    q.started_at,
    q.centre_id,
    q.team_id,
    q.agent_id,
    masked_number(q.caller_number) AS caller_masked,
    q.duration_s,
    q.transcript_final,
    q.inspected,
    q.score,
    q.max_score,
    q.fatal,
    coalesce(len(q.defects), 0) AS defects,
    q.category,
    q.review_state,
    q.human_reviewed,
    q.alerts
FROM scoped_queue_calls(
    $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
    $score_min, $score_max, $review_state, $reviewed, $human_review, $district
) AS q
WHERE q.review_state IS NOT NULL
ORDER BY (q.review_state = 'mandatory_review') DESC, q.alerts DESC, q.started_at DESC, q.call_id
LIMIT coalesce($limit::INTEGER, 500);
