-- Overdue work orders: still open past their due time first (longest overdue first), then
-- those closed late.
SELECT
    work_order_id,
    call_id,
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
    date_diff('second', due_at, coalesce(closed_at, now())) / 3600.0 AS hours_overdue
FROM work_orders
WHERE overdue
  AND ($date_from::DATE IS NULL OR created_at::DATE >= $date_from::DATE)
  AND ($date_to::DATE IS NULL OR created_at::DATE <= $date_to::DATE)
  AND ($department::VARCHAR IS NULL OR current_department = $department::VARCHAR)
ORDER BY is_closed, hours_overdue DESC, work_order_id
LIMIT coalesce($limit::INTEGER, 200);
