-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted);
-- the other parameters are the page's.
-- Coaching points for one agent ($agent; NULL = every agent): their worst items, where they fall
-- furthest below their team's median agent, each with up to three example quotes from their
-- own failed checks (verified quotes first) so the coach can play the moment back.
WITH ranked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY agent_id ORDER BY pass_rate - team_median_pass_rate, failed DESC, item_id) AS rank
    FROM scoped_agent_item_rates($scope_centre, $scope_team, $date_from, $date_to, $centre, $team)
    -- Only items the agent actually fails are coaching points.
    WHERE failed > 0
),

shown AS (
    SELECT agent_id, item_id
    FROM ranked
    WHERE rank <= coalesce($limit::INTEGER, 3)
      AND ($agent::VARCHAR IS NULL OR agent_id = $agent::VARCHAR)
),

picked AS (
    -- Examples from the per-day coaching table (coaching_examples: each day's first three per agent
    -- and item, in this order), not from every failed check: the window's first three are among them.
    -- max_by keeps the three greatest by one key, in the order shown: verified quotes first (an
    -- unknown one last), then the newest call, then the check's first evidence. It equals sorting
    -- every candidate inside list() and slicing, which cost 200 ms of a centre's year at 10 M calls.
    SELECT
        e.agent_id,
        e.item_id,
        max_by(
            {'call_id': e.call_id, 'quote': e.quote, 'start_s': e.start_s, 'reason': e.reason},
            {'verified': coalesce(e.verified::INTEGER, -1), 'started_at': e.started_at, 'call_id': e.call_id, 'ev_no': -e.ev_no},
            3
        ) AS examples
    FROM coaching_examples_in_scope($scope_centre, $scope_team) AS e
    INNER JOIN shown AS s ON s.agent_id = e.agent_id AND s.item_id = e.item_id
    WHERE ($date_from::DATE IS NULL OR e.day >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR e.day <= $date_to::DATE)
      AND ($centre::VARCHAR IS NULL OR e.centre_id = $centre::VARCHAR)
      AND ($team::VARCHAR IS NULL OR e.team_id = $team::VARCHAR)
    GROUP BY e.agent_id, e.item_id
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
