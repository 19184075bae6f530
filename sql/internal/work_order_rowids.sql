-- $ids: the work orders a batch touched. Where their stored rows are (rowid): found by one scan of
-- the order ids alone (there is no index on them), so stage_old_work_orders reads the rows'
-- other columns for these rows only.
SELECT rowid
FROM work_order_state
WHERE list_contains($ids::VARCHAR[], work_order_id);
