-- Work orders whose call or inspection lands in this batch (they were waiting for it, see
-- work_orders_awaiting_call): the sink derives them again, now with the call's scope and suggestion.
SELECT DISTINCT work_order_id
FROM work_orders_awaiting_call
WHERE call_id IN (SELECT call_id FROM sink_batch_calls);
