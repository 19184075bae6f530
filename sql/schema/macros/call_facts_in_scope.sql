-- One row per call with its inspection and demand facts (view call_facts), in scope.
CREATE OR REPLACE MACRO call_facts_in_scope(scope_centre, scope_team) AS TABLE
SELECT *
FROM call_facts
WHERE (scope_centre::VARCHAR IS NULL OR centre_id = scope_centre::VARCHAR)
  AND (scope_team::VARCHAR IS NULL OR team_id = scope_team::VARCHAR);
