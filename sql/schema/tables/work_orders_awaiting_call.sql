-- The stored work orders still waiting for their call or its inspection to land (what
-- work_orders_awaiting_derived lists), so a landing call finds its orders without scanning every
-- order. Written by the sink after each order's refresh (insert_awaiting_work_orders.sql) and by a
-- full rebuild; read by the sink (batch_awaiting_work_orders.sql) to derive those orders again.
CREATE TABLE work_orders_awaiting_call (
    work_order_id VARCHAR NOT NULL,
    call_id VARCHAR NOT NULL
);
