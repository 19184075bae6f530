-- Work orders that did not go straight to one department: re-dispatched, transferred or
-- returned (退单), with their route. Longest chains first.
SELECT
    work_order_id,
    call_id,
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
FROM work_orders
WHERE (assignments > 1 OR returns > 0 OR transfers > 0)
  AND assignments + returns >= coalesce($min_hops::INTEGER, 2)
  AND ($date_from::DATE IS NULL OR created_at::DATE >= $date_from::DATE)
  AND ($date_to::DATE IS NULL OR created_at::DATE <= $date_to::DATE)
ORDER BY assignments + returns DESC, created_at DESC, work_order_id
LIMIT coalesce($limit::INTEGER, 200);
