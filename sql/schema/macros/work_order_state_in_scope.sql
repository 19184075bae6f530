-- The stored work orders in scope: an order carries its call's centre and team; orders linked to no
-- landed call only to an unscoped user.
CREATE OR REPLACE MACRO work_order_state_in_scope(scope_centre, scope_team) AS TABLE
SELECT *
FROM work_order_state
WHERE (scope_centre::VARCHAR IS NULL OR centre_id = scope_centre::VARCHAR)
  AND (scope_team::VARCHAR IS NULL OR team_id = scope_team::VARCHAR);
