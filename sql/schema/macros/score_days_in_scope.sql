-- The per-day score distribution rollup in scope.
CREATE OR REPLACE MACRO score_days_in_scope(scope_centre, scope_team) AS TABLE
SELECT *
FROM score_days
WHERE (scope_centre::VARCHAR IS NULL OR centre_id = scope_centre::VARCHAR)
  AND (scope_team::VARCHAR IS NULL OR team_id = scope_team::VARCHAR);
