-- The call list. The caller's number is masked here: the list never carries a full number.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- the other parameters are the page's filters. Every one is bound; NULL means "any".
-- The filtered calls come from the scoped_calls table macro (migrations 0013, 0014).
WITH alert_counts AS (
    SELECT call_id, count(*) AS alerts
    FROM alerts
    GROUP BY call_id
)

SELECT
    f.call_id,
    f.started_at,
    f.centre_id,
    f.team_id,
    f.agent_id,
    CASE
        WHEN f.caller_number IS NULL THEN NULL
        WHEN length(f.caller_number) >= 7
            THEN left(f.caller_number, 3) || repeat('*', length(f.caller_number) - 7) || right(f.caller_number, 4)
        ELSE repeat('*', length(f.caller_number))
    END AS caller_masked,
    f.duration_s,
    f.transcript_final,
    f.inspected,
    f.score,
    f.max_score,
    f.fatal,
    coalesce(len(f.defects), 0) AS defects,
    f.category,
    f.review_state,
    f.human_reviewed,
    coalesce(a.alerts, 0) AS alerts
FROM scoped_calls(
    $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
    $score_min, $score_max, $review_state, $reviewed, $human_review, $district
) AS f
LEFT JOIN alert_counts AS a USING (call_id)
ORDER BY
    -- The review queue first when asked: mandatory before sampled, alerts before none, oldest first.
    CASE WHEN $queue_first::BOOLEAN THEN (f.review_state = 'mandatory_review')::INTEGER ELSE 0 END DESC,
    CASE WHEN $queue_first::BOOLEAN THEN coalesce(a.alerts, 0) ELSE 0 END DESC,
    f.started_at DESC,
    f.call_id
LIMIT coalesce($limit::INTEGER, 500);
