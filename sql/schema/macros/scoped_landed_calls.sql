-- The landed calls (inspected or not) within a user's scope and a page's window and filters, read
-- from calls alone (no inspection joined): counted by the overview's rollup variants
-- (access_daily_rollup, access_kpis_rollup) and the agent report (access_org_rollup) beside
-- their call_days figures (scoped_call_days, which takes the same arguments).
-- Arguments, all bound; NULL means "any": scope_centre, scope_team (the user's scope), date_from,
-- date_to (local calendar days, inclusive, on started_at), centre, team, agent (exact matches).
-- The window is a range on the stored instant, not a cast of every row: row groups outside it are skipped.
CREATE OR REPLACE MACRO scoped_landed_calls(scope_centre, scope_team, date_from, date_to, centre, team, agent) AS TABLE
SELECT c.*
FROM calls_in_scope(scope_centre, scope_team) AS c
WHERE (date_from::DATE IS NULL OR c.started_at >= date_from::DATE::TIMESTAMPTZ)
  AND (date_to::DATE IS NULL OR c.started_at < (date_to::DATE + 1)::TIMESTAMPTZ)
  AND (centre::VARCHAR IS NULL OR c.centre_id = centre::VARCHAR)
  AND (team::VARCHAR IS NULL OR c.team_id = team::VARCHAR)
  AND (agent::VARCHAR IS NULL OR c.agent_id = agent::VARCHAR);
