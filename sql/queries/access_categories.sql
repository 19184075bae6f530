-- Suggested categories of inspected calls, most frequent first.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- the other parameters are the page's filters. Every one is bound; NULL means "any".
-- The filtered calls come from the scoped_calls table macro.
SELECT coalesce(category, '未分类') AS category, count(*) AS calls
FROM scoped_calls(
    $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
    $score_min, $score_max, $review_state, $reviewed, $human_review, $district
)
WHERE inspected
GROUP BY 1
ORDER BY calls DESC, category;
