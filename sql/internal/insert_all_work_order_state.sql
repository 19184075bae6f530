INSERT INTO work_order_state
SELECT * FROM work_orders_derived;
