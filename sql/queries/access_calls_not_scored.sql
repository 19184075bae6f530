-- The calls that are not scored (inspections.score NULL): inspected, but no scorecard item could be
-- decided (a silent call, one whose agent could not be told apart). They are neither passed nor
-- failed and wait in no review queue; this is their own list, newest first, for a person to see
-- what they were. Scope ($scope_centre, $scope_team) is bound from the signed-in user by
-- access.run_scoped; the other parameters are the page's filters, NULL = any.
WITH window_calls AS (
    SELECT *
    FROM scoped_calls(
        $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
        NULL, NULL, $review_state, $reviewed, $human_review, $district
    )
)

-- The call list's columns (call_list_of, as access_calls shows them), less the scores they lack.
SELECT * EXCLUDE (inspected, score, max_score, fatal, defects, category)
FROM call_list_of('window_calls')
WHERE inspected AND score IS NULL
ORDER BY started_at DESC, call_id
LIMIT coalesce($limit::INTEGER, 200);
