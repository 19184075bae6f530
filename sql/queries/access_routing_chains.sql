-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- A work order belongs to the scope of
-- its call (stored on the order row, migration 0024); orders linked to no landed call are
-- shown to unscoped users (administrators) only.
-- Work orders that did not go straight to one department: re-dispatched, transferred or
-- returned (退单), with their route. Longest chains first.
SELECT
    w.work_order_id,
    w.call_id,
    category,
    district,
    created_at,
    array_to_string(route, ' → ') AS route,
    assignments,
    transfers,
    returns,
    reopens,
    current_department,
    is_closed,
    overdue
FROM work_orders AS w
WHERE ($scope_centre::VARCHAR IS NULL OR w.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR w.team_id = $scope_team::VARCHAR)
  AND (assignments > 1 OR returns > 0 OR transfers > 0)
  AND assignments + returns >= coalesce($min_hops::INTEGER, 2)
  -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
  AND ($date_from::DATE IS NULL OR created_at >= $date_from::DATE::TIMESTAMPTZ)
  AND ($date_to::DATE IS NULL OR created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
ORDER BY assignments + returns DESC, created_at DESC, w.work_order_id
LIMIT coalesce($limit::INTEGER, 200);
