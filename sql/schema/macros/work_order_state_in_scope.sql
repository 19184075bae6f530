-- The stored work orders in scope: an order carries its call's centre and team; orders linked to no
-- landed call only to an unscoped user. row_id is the row's storage position (work_order_state's
-- rowid, which a table macro's SELECT * leaves out): the routing page's lists
-- (access_routing_chains, access_routing_overdue) pick their orders by the narrow columns, then
-- read only those rows whole, by position. A reader that does not name it does not read it.
CREATE OR REPLACE MACRO work_order_state_in_scope(scope_centre, scope_team) AS TABLE
SELECT rowid AS row_id, *
FROM work_order_state
WHERE (scope_centre::VARCHAR IS NULL OR centre_id = scope_centre::VARCHAR)
  AND (scope_team::VARCHAR IS NULL OR team_id = scope_team::VARCHAR);
