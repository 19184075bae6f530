-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- A work order belongs to the scope of
-- its call (stored on the order row, work_order_state); orders linked to no landed call are
-- shown to unscoped users (administrators) only.
-- Overdue work orders: still open past their due time first (longest overdue first), then
-- those closed late.
-- In two steps, as access_routing_chains: the list's orders are picked by their narrow columns
-- (open or closed, hours past due), then only those rows are read whole, by rowid, and shown in
-- that order and by order id (0.05 s against 0.11 s with the order id in the pick, over an
-- unscoped year at 10 M orders). Orders tied exactly at the end of the list are taken in storage
-- order. work_order_overdue, hours_past_due: sql/schema/macros/.
WITH picked AS (
    SELECT w.row_id
    FROM work_order_state_in_scope($scope_centre, $scope_team) AS w
    WHERE work_order_overdue(w.is_closed, w.closed_at, w.due_at)
      -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
      AND ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR w.created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
      AND ($department::VARCHAR IS NULL OR w.current_department = $department::VARCHAR)
    ORDER BY w.is_closed, hours_past_due(w.closed_at, w.due_at) DESC, w.row_id
    LIMIT coalesce($limit::INTEGER, 200)
)

SELECT
    w.work_order_id,
    w.call_id,
    w.category,
    w.recorded_type,
    w.district,
    w.current_department,
    w.created_at,
    w.due_at,
    w.closed_at,
    w.is_closed,
    w.extensions,
    w.returns,
    hours_past_due(w.closed_at, w.due_at) AS hours_overdue
FROM work_order_state_in_scope($scope_centre, $scope_team) AS w
WHERE w.row_id IN (SELECT row_id FROM picked)
ORDER BY w.is_closed, hours_overdue DESC, w.work_order_id;
