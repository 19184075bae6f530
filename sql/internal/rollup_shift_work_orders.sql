-- Add what the staged orders (sink_work_order_shift: their old rows with sign -1, their rows
-- derived again with sign 1) change in each routing rollup (work_order_days, ...). The table macros
-- *_of are the rollups' one definition; a key seen for the first time is inserted.
INSERT INTO work_order_days
SELECT * FROM work_order_days_of(false)
ON CONFLICT DO UPDATE SET
    work_orders = work_orders + excluded.work_orders,
    open = open + excluded.open,
    closed = closed + excluded.closed,
    closed_overdue = closed_overdue + excluded.closed_overdue,
    with_due = with_due + excluded.with_due,
    rerouted = rerouted + excluded.rerouted,
    assigned = assigned + excluded.assigned,
    reopened = reopened + excluded.reopened,
    rated = rated + excluded.rated,
    satisfied = satisfied + excluded.satisfied,
    dispatched = dispatched + excluded.dispatched,
    dispatched_suggested = dispatched_suggested + excluded.dispatched_suggested,
    first_agreed = first_agreed + excluded.first_agreed,
    final_judged = final_judged + excluded.final_judged,
    final_agreed = final_agreed + excluded.final_agreed,
    dispatched_rerouted = dispatched_rerouted + excluded.dispatched_rerouted;

INSERT INTO work_order_department_days
SELECT * FROM work_order_department_days_of(false)
ON CONFLICT DO UPDATE SET
    received = received + excluded.received,
    returned = returned + excluded.returned,
    transferred_away = transferred_away + excluded.transferred_away;

INSERT INTO work_order_dispatch_hours
SELECT * FROM work_order_dispatch_hours_of(false)
ON CONFLICT DO UPDATE SET orders = orders + excluded.orders;

INSERT INTO work_order_close_hours
SELECT * FROM work_order_close_hours_of(false)
ON CONFLICT DO UPDATE SET orders = orders + excluded.orders;

INSERT INTO work_order_hop_days
SELECT * FROM work_order_hop_days_of(false)
ON CONFLICT DO UPDATE SET hops = hops + excluded.hops, work_orders = work_orders + excluded.work_orders;

DELETE FROM sink_work_order_shift;
