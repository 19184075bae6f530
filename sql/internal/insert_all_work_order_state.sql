INSERT INTO work_order_state BY NAME
SELECT * FROM work_orders_stored_derived;

INSERT INTO work_orders_awaiting_call
SELECT * FROM work_orders_awaiting_derived;
