-- The orders stage_new_work_orders derived again, from the scratch into the order rows.
INSERT INTO work_order_state BY NAME
SELECT * EXCLUDE (sign, old_rowid)
FROM sink_work_order_shift
WHERE sign = 1;
