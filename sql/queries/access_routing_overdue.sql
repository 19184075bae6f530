-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- A work order belongs to the scope of
-- its call (stored on the order row, migration 0024); orders linked to no landed call are
-- shown to unscoped users (administrators) only.
-- Overdue work orders: still open past their due time first (longest overdue first), then
-- those closed late.
SELECT
    w.work_order_id,
    w.call_id,
    category,
    recorded_type,
    district,
    current_department,
    created_at,
    due_at,
    closed_at,
    is_closed,
    extensions,
    returns,
    -- date_diff('second', …) in whole seconds, from epochs: the calendar-aware date_diff of the
    -- reporting time zone costs more than the rest of the query on a year of a centre's orders.
    (floor(epoch(coalesce(closed_at, now()))) - floor(epoch(due_at))) / 3600.0 AS hours_overdue
FROM work_orders AS w
WHERE overdue
  AND ($scope_centre::VARCHAR IS NULL OR w.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR w.team_id = $scope_team::VARCHAR)
  -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
  AND ($date_from::DATE IS NULL OR created_at >= $date_from::DATE::TIMESTAMPTZ)
  AND ($date_to::DATE IS NULL OR created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
  AND ($department::VARCHAR IS NULL OR current_department = $department::VARCHAR)
ORDER BY is_closed, hours_overdue DESC, w.work_order_id
LIMIT coalesce($limit::INTEGER, 200);
