-- The rows stage_old_work_orders staged, by rowid (no second scan of the order ids); their
-- orders are derived again by stage_new_work_orders.
DELETE FROM work_order_state
WHERE rowid IN (SELECT old_rowid FROM sink_work_order_shift WHERE sign = -1);
