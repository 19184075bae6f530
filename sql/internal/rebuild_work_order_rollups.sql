-- Every routing rollup (work_order_days, ...) derived again from the stored order rows: after a full
-- re-derivation of the orders, and when the routing rules (which judge agreement) changed.
DELETE FROM work_order_days;
DELETE FROM work_order_department_days;
DELETE FROM work_order_dispatch_hours;
DELETE FROM work_order_close_hours;
DELETE FROM work_order_hop_days;
DELETE FROM sink_work_order_shift;

INSERT INTO work_order_days SELECT * FROM work_order_days_of(true) ORDER BY day;
INSERT INTO work_order_department_days SELECT * FROM work_order_department_days_of(true) ORDER BY day;
INSERT INTO work_order_dispatch_hours SELECT * FROM work_order_dispatch_hours_of(true) ORDER BY day;
INSERT INTO work_order_close_hours SELECT * FROM work_order_close_hours_of(true) ORDER BY day;
INSERT INTO work_order_hop_days SELECT * FROM work_order_hop_days_of(true) ORDER BY day;
