-- The dead letters a user may see: those of calls in scope; ones naming no stored call only to
-- an unscoped user (an administrator).
CREATE OR REPLACE MACRO dead_letters_in_scope(scope_centre, scope_team) AS TABLE
SELECT d.*
FROM dead_letters AS d
LEFT JOIN calls AS c USING (call_id)
WHERE (scope_centre::VARCHAR IS NULL OR c.centre_id = scope_centre::VARCHAR)
  AND (scope_team::VARCHAR IS NULL OR c.team_id = scope_team::VARCHAR);
