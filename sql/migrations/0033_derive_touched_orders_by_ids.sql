-- The sink derives again the work orders a batch touched (their events, their call or its
-- inspection arrived). It did so through the view work_orders_stored_derived filtered by a
-- semi-join on the batch's ids, which DuckDB does not push into the view: every order was
-- derived from every event and then filtered. At ten million orders (41 M events) that cost
-- about 40 s per batch, whether it touched ten orders or fifty thousand.
-- Now the orders' ids and their calls' ids are passed as lists to a table macro that filters each
-- table by them before deriving: the events by an index on their order id (new here), the calls
-- and inspections by their primary keys. ids NULL: every order, which is what the view now reads,
-- so the derivation is defined once. (An indexed table's columns cannot be altered: a later
-- migration that changes work_order_events must drop the index first.)
CREATE INDEX work_order_events_work_order_id ON work_order_events (work_order_id);

CREATE MACRO work_orders_stored_derived_of(ids, call_ids) AS TABLE
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
    -- The category the routing rules are keyed by, and the catalogue's own choice (0010, 0012).
    i.category AS inspected_category,
    coalesce(i.routing_category, i.category) AS suggested_category,
    i.routing_department,
    coalesce(h.handoffs, []) AS handoffs
FROM (SELECT * FROM work_orders_derived WHERE ids IS NULL OR list_contains(ids, work_order_id)) AS d
LEFT JOIN (SELECT * FROM calls WHERE call_ids IS NULL OR list_contains(call_ids, call_id)) AS c ON c.call_id = d.call_id
LEFT JOIN (SELECT * FROM inspections WHERE call_ids IS NULL OR list_contains(call_ids, call_id)) AS i ON i.call_id = d.call_id
LEFT JOIN handoffs AS h ON h.work_order_id = d.work_order_id;

CREATE OR REPLACE VIEW work_orders_stored_derived AS
SELECT * FROM work_orders_stored_derived_of(NULL::VARCHAR[], NULL::VARCHAR[]);
