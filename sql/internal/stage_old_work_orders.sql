-- $ids: the work orders a batch touched. Their stored rows go to the scratch (sign -1) with the
-- rowid delete_work_order_state removes them by: the order rows are scanned once (there is no
-- index on the order id), and the rollups take out what they counted (migration 0034).
INSERT INTO sink_work_order_shift BY NAME
SELECT -1 AS sign, rowid AS old_rowid, *
FROM work_order_state
WHERE list_contains($ids::VARCHAR[], work_order_id);
