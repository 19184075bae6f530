-- $ids: the work orders being derived again; insert_awaiting_work_orders lists them anew.
DELETE FROM work_orders_awaiting_call
WHERE work_order_id IN (SELECT unnest($ids::VARCHAR[]));
