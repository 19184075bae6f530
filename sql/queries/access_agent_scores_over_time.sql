-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- Each agent's average score per period ($grain: 'day' | 'week' | 'month', default week),
-- beside the median of their team's agents in the same period.
WITH scoped AS (
    SELECT
        date_trunc(coalesce($grain::VARCHAR, 'week'), c.started_at)::DATE AS period,
        c.team_id,
        c.agent_id,
        i.score,
        i.fatal
    FROM calls AS c
    INNER JOIN inspections AS i USING (call_id)
    WHERE ($date_from::DATE IS NULL OR c.started_at::DATE >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR c.started_at::DATE <= $date_to::DATE)
      AND ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
      AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
      AND ($centre::VARCHAR IS NULL OR c.centre_id = $centre::VARCHAR)
      AND ($team::VARCHAR IS NULL OR c.team_id = $team::VARCHAR)
),

per_agent AS (
    SELECT
        period,
        team_id,
        agent_id,
        count(*) AS calls,
        avg(score) AS avg_score,
        avg(CASE WHEN fatal THEN 1.0 ELSE 0.0 END) AS fatal_share
    FROM scoped
    GROUP BY period, team_id, agent_id
),

with_team AS (
    SELECT
        *,
        median(avg_score) OVER (PARTITION BY period, team_id) AS team_median_score
    FROM per_agent
)

SELECT period, team_id, agent_id, calls, avg_score, fatal_share, team_median_score, avg_score - team_median_score AS vs_team_median
FROM with_team
WHERE $agent::VARCHAR IS NULL OR agent_id = $agent::VARCHAR
ORDER BY period, team_id, agent_id;
