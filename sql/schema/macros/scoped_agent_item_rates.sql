-- Each agent's pass rate per scorecard item (items that applied: passed or failed) within a user's
-- scope and a page's window, with its failures and the team's median agent on the item. Read by
-- the reports page: access_agent_item_pass_rates (every item) and access_agent_coaching (the
-- items an agent falls furthest below that median on).
-- Arguments, all bound; NULL means "any": scope_centre, scope_team (the user's scope), date_from,
-- date_to (local days, inclusive), centre, team (exact matches).
-- From the per-day rollup (agent_item_days), not from every check result: same counts. The median
-- is over every agent of the team with the item applicable, before a page picks agents or items.
CREATE OR REPLACE MACRO scoped_agent_item_rates(scope_centre, scope_team, date_from, date_to, centre, team) AS TABLE
WITH per_agent AS (
    SELECT
        d.team_id,
        d.agent_id,
        d.item_id,
        any_value(d.name) AS name,
        sum(d.fatal_checks) > 0 AS fatal,
        sum(d.applicable) AS applicable,
        sum(d.failed) AS failed,
        (sum(d.applicable) - sum(d.failed)) / sum(d.applicable) AS pass_rate
    FROM agent_item_days_in_scope(scope_centre, scope_team) AS d
    WHERE d.applicable > 0
      AND (date_from::DATE IS NULL OR d.day >= date_from::DATE)
      AND (date_to::DATE IS NULL OR d.day <= date_to::DATE)
      AND (centre::VARCHAR IS NULL OR d.centre_id = centre::VARCHAR)
      AND (team::VARCHAR IS NULL OR d.team_id = team::VARCHAR)
    GROUP BY d.team_id, d.agent_id, d.item_id
)

SELECT p.*, median(p.pass_rate) OVER (PARTITION BY p.team_id, p.item_id) AS team_median_pass_rate
FROM per_agent AS p;
