-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- Coaching points for one agent ($agent; NULL = every agent): their worst items, where they fall
-- furthest below their team's median agent, each with up to three example quotes from their
-- own failed checks (verified quotes first) so the coach can play the moment back.
WITH scoped AS (
    SELECT c.call_id, c.started_at, c.team_id, c.agent_id, r.item_id, r.name, r.status, r.reason, r.evidence
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

rates AS (
    SELECT
        team_id,
        agent_id,
        item_id,
        any_value(name) AS name,
        count(*) AS applicable,
        count(*) FILTER (WHERE status = 'failed') AS failed,
        avg(CASE WHEN status = 'passed' THEN 1.0 ELSE 0.0 END) AS pass_rate
    FROM scoped
    GROUP BY team_id, agent_id, item_id
),

with_median AS (
    SELECT *, median(pass_rate) OVER (PARTITION BY team_id, item_id) AS team_median_pass_rate
    FROM rates
),

ranked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY agent_id ORDER BY pass_rate - team_median_pass_rate, failed DESC, item_id) AS rank
    FROM with_median
    -- Only items the agent actually fails are coaching points.
    WHERE failed > 0
),

examples AS (
    SELECT
        s.agent_id,
        s.item_id,
        s.call_id,
        s.started_at,
        s.reason,
        e.quote,
        e.start_s,
        e.verified
    FROM scoped AS s, unnest(s.evidence) AS u(e)
    WHERE s.status = 'failed'
      AND ($agent::VARCHAR IS NULL OR s.agent_id = $agent::VARCHAR)
),

picked AS (
    SELECT
        agent_id,
        item_id,
        list({'call_id': call_id, 'quote': quote, 'start_s': start_s, 'reason': reason} ORDER BY verified DESC, started_at DESC)[1:3] AS examples
    FROM examples
    GROUP BY agent_id, item_id
)

SELECT
    r.team_id,
    r.agent_id,
    r.rank,
    r.item_id,
    r.name,
    r.applicable,
    r.failed,
    r.pass_rate,
    r.team_median_pass_rate,
    r.pass_rate - r.team_median_pass_rate AS vs_team_median,
    coalesce(p.examples, []) AS examples
FROM ranked AS r
LEFT JOIN picked AS p USING (agent_id, item_id)
WHERE r.rank <= coalesce($limit::INTEGER, 3)
  AND ($agent::VARCHAR IS NULL OR r.agent_id = $agent::VARCHAR)
ORDER BY r.team_id, r.agent_id, r.rank;
