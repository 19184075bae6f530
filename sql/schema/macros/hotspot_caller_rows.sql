-- The calls of (scope_centre, scope_team) in the window with a caller's number, one row each,
-- for the repeat callers counted per scope by hotspot_repeat_callers_of: on the hotspot page
-- (access_hotspot_repeat_callers: the user's scope) and in the hourly job
-- (hotspot_scoped_repeat_callers: scope NULL, every scope from one read).
CREATE OR REPLACE MACRO hotspot_caller_rows(scope_centre, scope_team, date_from, date_to) AS TABLE
SELECT f.call_id, f.centre_id, f.team_id, f.caller_number, f.started_at, f.category, f.district
FROM call_facts_in_scope(scope_centre, scope_team) AS f
WHERE f.caller_number IS NOT NULL
  AND (date_from::DATE IS NULL OR f.started_at >= date_from::DATE::TIMESTAMPTZ)
  AND (date_to::DATE IS NULL OR f.started_at < (date_to::DATE + 1)::TIMESTAMPTZ);
