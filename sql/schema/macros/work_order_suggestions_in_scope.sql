-- The work orders with their routing suggestion (view work_order_suggestions) in scope.
CREATE OR REPLACE MACRO work_order_suggestions_in_scope(scope_centre, scope_team) AS TABLE
SELECT *
FROM work_order_suggestions
WHERE (scope_centre::VARCHAR IS NULL OR centre_id = scope_centre::VARCHAR)
  AND (scope_team::VARCHAR IS NULL OR team_id = scope_team::VARCHAR);
