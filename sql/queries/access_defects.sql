-- How often each scorecard item failed, most frequent first.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped;
-- the other parameters are the page's filters. Every one is bound; NULL means "any".
-- The filtered calls come from the scoped_calls table macro (migrations 0013, 0014).
SELECT r.item_id, any_value(r.name) AS name, bool_or(r.fatal) AS fatal, count(*) AS failed
FROM check_results AS r
INNER JOIN scoped_calls(
    $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
    $score_min, $score_max, $review_state, $reviewed, $human_review, $district
) USING (call_id)
WHERE r.status = 'failed'
GROUP BY r.item_id
ORDER BY failed DESC, r.item_id;
