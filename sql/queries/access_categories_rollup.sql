-- access_categories served from the call_days rollup: the same rows, for pages
-- whose filters the rollup has. warehouse/rollups.py picks it instead of access_categories only
-- when $score_min, $score_max, $review_state, $human_review and $district are NULL (only
-- inspected calls count here, and call_days is keyed by category: $category may be set).
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- $date_from, $date_to, $centre, $team, $agent, $category are the page's filters; NULL means "any".
-- call_days keeps no category as '': it is shown as 未分类, as access_categories shows NULL.
SELECT coalesce(nullif(category, ''), '未分类') AS category, sum(inspected)::BIGINT AS calls
FROM scoped_call_days($scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent)
WHERE $category::VARCHAR IS NULL OR category = $category::VARCHAR
GROUP BY 1
HAVING sum(inspected) > 0
ORDER BY calls DESC, category;
