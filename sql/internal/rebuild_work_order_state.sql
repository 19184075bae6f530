-- After a bulk load (backfill, benchmark): derive every work order again.
DELETE FROM work_order_state;
DELETE FROM work_orders_awaiting_call;
