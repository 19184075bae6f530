-- Work orders are read on every routing and hotspot page; deriving them from all events on
-- each read costs seconds at a million orders. Keep the derived rows in a table the sink
-- refreshes for the orders a batch touched (internal/refresh_work_orders.sql), and keep the
-- derivation itself as the view work_orders_derived. "overdue" for an open order depends on
-- the time of reading, so the public view recomputes it from the stored due time.
ALTER VIEW work_orders RENAME TO work_orders_derived;

CREATE TABLE work_order_state AS
SELECT * FROM work_orders_derived;


CREATE VIEW work_orders AS
SELECT * REPLACE (
    CASE
        WHEN due_at IS NULL THEN NULL
        WHEN is_closed THEN closed_at > due_at
        ELSE now() > due_at
    END AS overdue
)
FROM work_order_state;
