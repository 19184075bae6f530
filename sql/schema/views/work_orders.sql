-- One row per work order: the stored rows (work_order_state) with overdue judged as of now
-- (work_order_overdue), as it depends on the time of reading. What the pages read of orders: the
-- routing page (access_routing_kpis, _departments, _bounces, ...), the call page
-- (access_call_routing) and the hotspots (call_facts).
CREATE OR REPLACE VIEW work_orders AS
SELECT * REPLACE (work_order_overdue(is_closed, closed_at, due_at) AS overdue)
FROM work_order_state;
