-- Choices for the cockpit's filters. Centres, teams and agents: only what the user's scope holds.
-- Scope ($scope_centre, $scope_team) is bound from the signed-in user by access.run_scoped.
-- Read without joining the calls (a DISTINCT over ten million calls and their inspections took
-- seconds): agents, teams and centres from the reference tables and from the
-- per-day rollup (agent_days: agents who took inspected calls, also those the
-- reference data does not list). Categories and districts are the taxonomy, the same for every
-- scope: the routing rules' categories and the district list, plus whatever the inspections
-- hold (the classifier knows more categories than the routing rules route; a DISTINCT over one
-- dictionary-compressed column, without the join to the calls that scoping them would need).
-- One row per agent (category, district NULL), and per team in scope one row per category and
-- per district (agent NULL), so that the page, narrowing the rows to a picked centre or team,
-- still offers every category and district (dashboards/filters.py).
WITH hierarchy AS (
    SELECT t.centre_id, a.team_id, a.agent_id
    FROM agents AS a
    INNER JOIN teams AS t USING (team_id)
    UNION
    SELECT DISTINCT centre_id, team_id, agent_id
    FROM agent_days
),

scoped AS (
    SELECT centre_id, team_id, agent_id
    FROM hierarchy
    WHERE ($scope_centre::VARCHAR IS NULL OR centre_id = $scope_centre::VARCHAR)
      AND ($scope_team::VARCHAR IS NULL OR team_id = $scope_team::VARCHAR)
),

teams_in_scope AS (
    SELECT DISTINCT centre_id, team_id
    FROM scoped
)

SELECT centre_id, team_id, agent_id, NULL::VARCHAR AS category, NULL::VARCHAR AS district
FROM scoped
UNION ALL
SELECT t.centre_id, t.team_id, NULL, r.category, NULL
FROM teams_in_scope AS t
CROSS JOIN (
    SELECT category FROM routing_rules
    UNION
    SELECT DISTINCT category FROM inspections WHERE category IS NOT NULL
) AS r
UNION ALL
SELECT t.centre_id, t.team_id, NULL, NULL, d.district
FROM teams_in_scope AS t
CROSS JOIN (
    SELECT district FROM districts
    UNION
    SELECT DISTINCT routing_district FROM inspections WHERE routing_district IS NOT NULL
) AS d
ORDER BY centre_id, team_id, agent_id, category, district;
