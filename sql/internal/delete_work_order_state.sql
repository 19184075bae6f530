-- $ids: the work orders a batch touched; their derived rows are rebuilt by insert_work_order_state.
DELETE FROM work_order_state
WHERE work_order_id IN (SELECT unnest($ids::VARCHAR[]));
