-- The lifecycle of one call's work orders (created, dispatched, transferred, returned 退单,
-- extended, replied, closed, reopened, callback), in the order it happened; within the user's scope.
SELECT
    e.work_order_id, e.occurred_at, e.kind, e.department, e.from_department, e.due_at, e.satisfaction, e.note, e.source
FROM work_order_events AS e
INNER JOIN work_orders_in_scope($scope_centre, $scope_team) AS w USING (work_order_id)
-- A plain equality on the stored order's call_id: the index work_order_state_call_id serves it (an index
-- scan instead of reading every row group of work_order_state).
WHERE w.call_id = $call_id
ORDER BY e.occurred_at, e.event_id;
