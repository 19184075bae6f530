-- Per day of call start: calls, inspected, average score, share of inspected calls with defects.
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

SELECT
    started_at::DATE AS day,
    count(*) AS calls,
    count(*) FILTER (WHERE inspected) AS inspected,
    avg(score) AS avg_score,
    avg(CASE WHEN NOT inspected THEN NULL WHEN len(defects) > 0 OR fatal THEN 1.0 ELSE 0.0 END) AS defect_share
FROM filtered
GROUP BY day
ORDER BY day;
