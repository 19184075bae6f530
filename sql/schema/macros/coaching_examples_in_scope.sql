-- The coaching examples in scope.
CREATE OR REPLACE MACRO coaching_examples_in_scope(scope_centre, scope_team) AS TABLE
SELECT *
FROM coaching_examples
WHERE (scope_centre::VARCHAR IS NULL OR centre_id = scope_centre::VARCHAR)
  AND (scope_team::VARCHAR IS NULL OR team_id = scope_team::VARCHAR);
