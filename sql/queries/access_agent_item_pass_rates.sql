-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- Pass rate of every scorecard item per agent (items that applied: passed or failed), its
-- failures (the agent's most frequent defects come first), and the team's median agent.
WITH per_agent AS (
    -- From the per-day rollup (agent_item_days), not from every check result: same counts.
    SELECT
        team_id,
        agent_id,
        item_id,
        any_value(name) AS name,
        sum(fatal_checks) > 0 AS fatal,
        sum(applicable) AS applicable,
        sum(failed) AS failed,
        (sum(applicable) - sum(failed)) / sum(applicable) AS pass_rate
    FROM agent_item_days_in_scope($scope_centre, $scope_team)
    WHERE applicable > 0
      AND ($date_from::DATE IS NULL OR day >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
      AND ($centre::VARCHAR IS NULL OR centre_id = $centre::VARCHAR)
      AND ($team::VARCHAR IS NULL OR team_id = $team::VARCHAR)
    GROUP BY team_id, agent_id, item_id
),

with_team AS (
    SELECT *, median(pass_rate) OVER (PARTITION BY team_id, item_id) AS team_median_pass_rate
    FROM per_agent
)

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
FROM with_team
WHERE $agent::VARCHAR IS NULL OR agent_id = $agent::VARCHAR
ORDER BY team_id, agent_id, failed DESC, item_id;
