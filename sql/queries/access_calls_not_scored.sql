-- The calls that are not scored (inspections.score NULL): inspected, but no scorecard item could be
-- decided (a silent call, one whose agent could not be told apart). They are neither passed nor
-- failed and wait in no review queue; this is their own list, newest first, for a person to see
-- what they were. Scope ($scope_centre, $scope_team) is bound from the signed-in user by
-- access.run_scoped; the other parameters are the page's filters, NULL = any.
SELECT
    f.call_id,
    f.started_at,
    f.centre_id,
    f.team_id,
    f.agent_id,
    masked_number(f.caller_number) AS caller_masked,
    f.duration_s,
    f.transcript_final,
    f.review_state,
    f.human_reviewed
FROM scoped_calls(
    $scope_centre, $scope_team, $date_from, $date_to, $centre, $team, $agent, $category,
    NULL, NULL, $review_state, $reviewed, $human_review, $district
) AS f
WHERE f.inspected AND f.score IS NULL
ORDER BY f.started_at DESC, f.call_id
LIMIT coalesce($limit::INTEGER, 200);
