-- The newest and oldest days with inspected calls in the user's scope: where access.run_scoped
-- starts looking back from when a page asks for the newest calls without a last day, and where
-- looking back further reads everything anyway. From the per-day rollup (agent_days:
-- thousands of rows, not millions); NULL when nothing is inspected yet. Only starting points:
-- a newer call is still found (the window has no upper bound), and reading everything is the
-- plain query.
SELECT max(day) AS newest, min(day) AS oldest
FROM agent_days_in_scope($scope_centre, $scope_team)
WHERE inspected > 0;
