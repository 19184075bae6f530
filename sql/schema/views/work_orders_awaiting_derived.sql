-- The stored orders that name a call whose row or inspection has not landed yet: what
-- work_orders_awaiting_call holds. Used after each order's refresh
-- (insert_awaiting_work_orders.sql) and by a full rebuild (insert_all_work_order_state.sql).
CREATE OR REPLACE VIEW work_orders_awaiting_derived AS
SELECT work_order_id, call_id
FROM work_order_state
WHERE call_id IS NOT NULL AND (centre_id IS NULL OR inspected_category IS NULL);
