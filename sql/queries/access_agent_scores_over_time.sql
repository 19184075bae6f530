-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- Each agent's average score per period ($grain: 'day' | 'week' | 'month', default week),
-- beside the median of their team's agents in the same period.
WITH per_agent AS (
    -- From the per-day rollup (agent_days): the same averages, without reading every inspection.
    SELECT
        date_trunc(coalesce($grain::VARCHAR, 'week'), day)::DATE AS period,
        team_id,
        agent_id,
        sum(inspected) AS calls,
        sum(score_sum) / nullif(sum(scored), 0) AS avg_score,
        -- Of scored calls: a call not scored (score NULL) is not a failure either.
        sum(fatal_calls) / nullif(sum(scored), 0) AS fatal_share
    FROM agent_days_in_scope($scope_centre, $scope_team)
    WHERE inspected > 0
      AND ($date_from::DATE IS NULL OR day >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
      AND ($centre::VARCHAR IS NULL OR centre_id = $centre::VARCHAR)
      AND ($team::VARCHAR IS NULL OR team_id = $team::VARCHAR)
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
