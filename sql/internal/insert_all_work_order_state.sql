INSERT INTO work_order_state BY NAME
SELECT * FROM work_orders_stored_derived;

INSERT INTO work_orders_awaiting_call
SELECT work_order_id, call_id
FROM work_order_state
WHERE call_id IS NOT NULL AND (centre_id IS NULL OR inspected_category IS NULL);
