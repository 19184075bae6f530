-- After rebuild_work_order_state: every order derived again, in created_at order (the routing
-- pages' windows skip row groups by it, migration 0030).
INSERT INTO work_order_state BY NAME
SELECT * FROM work_orders_stored_derived
ORDER BY created_at, work_order_id;

INSERT INTO work_orders_awaiting_call
SELECT * FROM work_orders_awaiting_derived;
