-- After rebuild_work_order_state: every order derived again, grouped by scope and in created_at
-- order within it (the routing pages' scopes and windows skip row groups by them: work_order_state).
INSERT INTO work_order_state BY NAME
SELECT * FROM work_orders_stored_derived
ORDER BY centre_id, team_id, created_at, work_order_id;

INSERT INTO work_orders_awaiting_call
SELECT * FROM work_orders_awaiting_derived;
