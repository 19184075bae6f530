-- One Beijing day of work-order events (by when they happened).
SELECT *
FROM work_order_events
WHERE occurred_at::DATE = $day::DATE
ORDER BY work_order_id, occurred_at, event_id;
