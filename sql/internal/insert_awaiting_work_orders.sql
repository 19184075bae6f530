-- $ids: the work orders just derived again: note which of them still wait for their call or its
-- inspection (work_orders_awaiting_call).
INSERT INTO work_orders_awaiting_call
SELECT *
FROM work_orders_awaiting_derived
WHERE work_order_id IN (SELECT unnest($ids::VARCHAR[]));
