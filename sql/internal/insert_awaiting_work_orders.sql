-- $ids: the work orders just derived again: note which of them still wait for their call or its
-- inspection (work_orders_awaiting_call, migration 0024).
INSERT INTO work_orders_awaiting_call
SELECT work_order_id, call_id
FROM work_order_state
WHERE work_order_id IN (SELECT unnest($ids::VARCHAR[]))
  AND call_id IS NOT NULL
  AND (centre_id IS NULL OR inspected_category IS NULL);
