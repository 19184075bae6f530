-- Work orders of the batch's calls that were inspected before (a re-inspection, a replay): what
-- they carry of the call and its inspection may change. One scan of the stored orders, only on
-- the sink's slow path (store._write).
SELECT work_order_id
FROM work_order_state
WHERE call_id IN (SELECT call_id FROM sink_batch_calls);
