-- Per day of call start: calls, inspected, average score, share of scored calls with defects
-- (a call not scored, score NULL, is in neither).
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- the other parameters are the page's filters. Every one is bound; NULL means "any".
-- The filtered calls come from the scoped_calls table macro.
SELECT
    started_at::DATE AS day,
    count(*) AS calls,
    count(*) FILTER (WHERE inspected) AS inspected,
    avg(score) AS avg_score,
    avg(CASE WHEN NOT inspected OR score IS NULL THEN NULL WHEN len(defects) > 0 OR fatal THEN 1.0 ELSE 0.0 END) AS defect_share
FROM scoped_calls(
    $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
    $score_min, $score_max, $review_state, $reviewed, $human_review, $district
)
GROUP BY day
ORDER BY day;
