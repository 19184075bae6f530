-- $ids: the work orders a batch touched (their events, their call or its inspection changed);
-- delete_work_order_state removed their rows first.
INSERT INTO work_order_state BY NAME
SELECT *
FROM work_orders_stored_derived
WHERE work_order_id IN (SELECT unnest($ids::VARCHAR[]));
