-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- What each caller asked for, as text to cluster into topics: the judged demand summary where
-- the LLM gave one, otherwise the caller's own first words (up to 200 characters); the $limit
-- most recent (hotspot_text_rows, which the hourly job's every-scope read shares).
SELECT * EXCLUDE (centre_id, team_id, started_at)
FROM hotspot_text_rows($scope_centre, $scope_team, $date_from, $date_to)
ORDER BY started_at DESC, call_id
LIMIT coalesce($limit::INTEGER, 5000);
