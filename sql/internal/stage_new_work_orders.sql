-- $ids: the work orders a batch touched (their events, their call or its inspection changed);
-- delete_work_order_state removed their rows first. $call_ids: the calls their events name
-- (calls_of_work_orders). Each table is read for these ids only (work_orders_stored_derived_of).
-- Derived into the scratch (sign 1), from which they are stored (store_staged_work_orders) and rolled up.
INSERT INTO sink_work_order_shift BY NAME
SELECT 1 AS sign, *
FROM work_orders_stored_derived_of($ids::VARCHAR[], $call_ids::VARCHAR[]);
