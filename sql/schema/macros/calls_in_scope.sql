-- The calls a user may see: every call for an unscoped user (administrator; NULL scope), a
-- centre's or a team's otherwise. This is the one place the access scope is written: every
-- *_in_scope relation derives from it or applies the same rule to its own centre_id/team_id,
-- and page queries read those relations, never the tables (tests/test_warehouse_scope.py).
CREATE OR REPLACE MACRO calls_in_scope(scope_centre, scope_team) AS TABLE
SELECT *
FROM calls
WHERE (scope_centre::VARCHAR IS NULL OR centre_id = scope_centre::VARCHAR)
  AND (scope_team::VARCHAR IS NULL OR team_id = scope_team::VARCHAR);
