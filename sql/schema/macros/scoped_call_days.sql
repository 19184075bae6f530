-- The per-day call rollup (call_days) within a user's scope and a page's window and filters: the
-- rows the overview's rollup variants sum (access_kpis_rollup, access_daily_rollup,
-- access_categories_rollup) and the agent report's inspections (access_org_rollup).
-- Arguments, all bound; NULL means "any": scope_centre, scope_team (the user's scope), date_from,
-- date_to (local calendar days, inclusive, on the rollup's day), centre, team, agent (exact matches).
CREATE OR REPLACE MACRO scoped_call_days(scope_centre, scope_team, date_from, date_to, centre, team, agent) AS TABLE
SELECT d.*
FROM call_days_in_scope(scope_centre, scope_team) AS d
WHERE (date_from::DATE IS NULL OR d.day >= date_from::DATE)
  AND (date_to::DATE IS NULL OR d.day <= date_to::DATE)
  AND (centre::VARCHAR IS NULL OR d.centre_id = centre::VARCHAR)
  AND (team::VARCHAR IS NULL OR d.team_id = team::VARCHAR)
  AND (agent::VARCHAR IS NULL OR d.agent_id = agent::VARCHAR);
