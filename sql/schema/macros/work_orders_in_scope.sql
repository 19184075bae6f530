-- The work orders (view work_orders) in scope, by the scope their call gave them.
CREATE OR REPLACE MACRO work_orders_in_scope(scope_centre, scope_team) AS TABLE
SELECT *
FROM work_orders
WHERE (scope_centre::VARCHAR IS NULL OR centre_id = scope_centre::VARCHAR)
  AND (scope_team::VARCHAR IS NULL OR team_id = scope_team::VARCHAR);
