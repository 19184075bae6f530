-- The call list. The caller's number is masked here: the list never carries a full number.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- the other parameters are the page's filters. Every one is bound; NULL means "any".
WITH scoped AS (
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
        list_contains(coalesce($reviewed::VARCHAR[], []::VARCHAR[]), c.call_id) AS human_reviewed
    FROM calls AS c
    LEFT JOIN inspections AS i USING (call_id)
    WHERE ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
      AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
      AND ($date_from::DATE IS NULL OR c.started_at::DATE >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR c.started_at::DATE <= $date_to::DATE)
      AND ($centre::VARCHAR IS NULL OR c.centre_id = $centre::VARCHAR)
      AND ($team::VARCHAR IS NULL OR c.team_id = $team::VARCHAR)
      AND ($agent::VARCHAR IS NULL OR c.agent_id = $agent::VARCHAR)
      AND ($category::VARCHAR IS NULL OR i.category = $category::VARCHAR)
      AND ($score_min::DOUBLE IS NULL OR i.score >= $score_min::DOUBLE)
      AND ($score_max::DOUBLE IS NULL OR i.score < $score_max::DOUBLE)
      AND ($review_state::VARCHAR IS NULL OR i.review_state = $review_state::VARCHAR)
),

filtered AS (
    SELECT *
    FROM scoped
    -- 'reviewed': a human decided the whole score; 'unreviewed': not yet.
    WHERE $human_review::VARCHAR IS NULL OR human_reviewed = ($human_review::VARCHAR = 'reviewed')
)
,

alert_counts AS (
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
FROM filtered AS f
LEFT JOIN alert_counts AS a USING (call_id)
ORDER BY
    -- The review queue first when asked: mandatory before sampled, alerts before none, oldest first.
    CASE WHEN $queue_first::BOOLEAN THEN (f.review_state = 'mandatory_review')::INTEGER ELSE 0 END DESC,
    CASE WHEN $queue_first::BOOLEAN THEN coalesce(a.alerts, 0) ELSE 0 END DESC,
    f.started_at DESC,
    f.call_id
LIMIT coalesce($limit::INTEGER, 500);
