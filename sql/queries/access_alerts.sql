-- Alerts on calls in scope and filter, newest first.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- the other parameters are the page's filters. Every one is bound; NULL means "any".
-- The filtered calls come from scoped_alerted_calls: scoped_calls' rows of the calls with alerts,
-- read from the review queue's table (queue_calls), not from every call of the window; their
-- alerts through them (alerts_of_calls: no second read of the calls in scope).
WITH alerted AS (
    SELECT *
    FROM scoped_alerted_calls(
        $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
        $score_min, $score_max, $review_state, $reviewed, $human_review, $district
    )
)

SELECT
    a.call_id, a.kind, a.severity, a.quote, a.speaker, a.start_s, a.end_s, a.from_partial, a.raised_at,
    a.team_id, a.agent_id, a.started_at, a.human_reviewed
FROM alerts_of_calls('alerted') AS a
ORDER BY a.raised_at DESC, a.call_id, a.start_s
LIMIT coalesce($limit::INTEGER, 200);
