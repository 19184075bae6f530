-- Work orders as work_order_state stores them: work_orders_derived plus the call's scope, the
-- inspection's category and routing choice, and the order's transfers and returns as a list. ids:
-- the orders, call_ids: their calls; NULL: all (the view work_orders_stored_derived). The sink
-- derives the orders a batch touched through it (stage_new_work_orders.sql): each table is filtered
-- by the lists before deriving (a filter on a view is not pushed into it: every order would be
-- derived).
CREATE OR REPLACE MACRO work_orders_stored_derived_of(ids, call_ids) AS TABLE
WITH handoffs AS (
    SELECT
        work_order_id,
        list({'kind': kind, 'department': department, 'from_department': from_department} ORDER BY occurred_at, event_id)
            AS handoffs
    FROM work_order_events
    WHERE kind IN ('transferred', 'returned')
      AND (ids IS NULL OR list_contains(ids, work_order_id))
    GROUP BY work_order_id
)

SELECT
    d.*,
    c.centre_id,
    c.team_id,
    -- The category the routing rules are keyed by, and the catalogue's own choice.
    i.category AS inspected_category,
    coalesce(i.routing_category, i.category) AS suggested_category,
    i.routing_department,
    coalesce(h.handoffs, []) AS handoffs
FROM (SELECT * FROM work_orders_derived WHERE ids IS NULL OR list_contains(ids, work_order_id)) AS d
LEFT JOIN (SELECT * FROM calls WHERE call_ids IS NULL OR list_contains(call_ids, call_id)) AS c ON c.call_id = d.call_id
LEFT JOIN (SELECT * FROM inspections WHERE call_ids IS NULL OR list_contains(call_ids, call_id)) AS i ON i.call_id = d.call_id
LEFT JOIN handoffs AS h ON h.work_order_id = d.work_order_id;
