-- The work orders filed for one call, as the centre's work-order system reports them, with the
-- department the routing rules suggest beside where the order went; within the user's scope.
SELECT
    w.work_order_id, w.created_at, w.category, w.recorded_type, w.district, w.address,
    w.suggested_category, w.suggested_department, w.first_department, w.current_department,
    array_to_string(w.route, ' → ') AS route, w.assignments, w.transfers, w.returns, w.reopens, w.extensions,
    w.due_at, w.first_replied_at, w.is_closed, w.closed_at, w.overdue, w.satisfaction
-- The order rows carry their call's scope and suggestion (work_order_state).
FROM work_order_suggestions_in_scope($scope_centre, $scope_team) AS w
WHERE w.call_id = $call_id
ORDER BY w.created_at, w.work_order_id;
