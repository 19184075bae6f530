-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- Pass rate of every scorecard item per agent (items that applied: passed or failed), its
-- failures (the agent's most frequent defects come first), and the team's median agent
-- (scoped_agent_item_rates, which the coaching points rank).
SELECT
    team_id,
    agent_id,
    item_id,
    name,
    fatal,
    applicable,
    failed,
    pass_rate,
    team_median_pass_rate,
    pass_rate - team_median_pass_rate AS vs_team_median
FROM scoped_agent_item_rates($scope_centre, $scope_team, $date_from, $date_to, $centre, $team)
WHERE $agent::VARCHAR IS NULL OR agent_id = $agent::VARCHAR
ORDER BY team_id, agent_id, failed DESC, item_id;
