-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- Pass rate of every scorecard item per agent (items that applied: passed or failed), its
-- failures (the agent's most frequent defects come first), and the team's median agent.
WITH scoped AS (
    SELECT c.team_id, c.agent_id, r.item_id, r.name, r.status, r.fatal
    FROM check_results AS r
    INNER JOIN calls AS c USING (call_id)
    WHERE r.status IN ('passed', 'failed')
      AND ($date_from::DATE IS NULL OR c.started_at::DATE >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR c.started_at::DATE <= $date_to::DATE)
      AND ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
      AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
      AND ($centre::VARCHAR IS NULL OR c.centre_id = $centre::VARCHAR)
      AND ($team::VARCHAR IS NULL OR c.team_id = $team::VARCHAR)
),

per_agent AS (
    SELECT
        team_id,
        agent_id,
        item_id,
        any_value(name) AS name,
        bool_or(fatal) AS fatal,
        count(*) AS applicable,
        count(*) FILTER (WHERE status = 'failed') AS failed,
        avg(CASE WHEN status = 'passed' THEN 1.0 ELSE 0.0 END) AS pass_rate
    FROM scoped
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
