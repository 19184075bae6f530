INSERT INTO work_order_state
SELECT *
FROM work_orders_derived
WHERE work_order_id IN (SELECT unnest($ids::VARCHAR[]));
