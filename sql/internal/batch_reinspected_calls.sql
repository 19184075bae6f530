-- How many of the batch's inspected calls were inspected before: only then are there checks,
-- LLM items, sentiment turns and demands to replace (most batches inspect new calls only, and
-- each of those deletes scans a table with many rows per call).
SELECT count(*) AS reinspected
FROM inspections
WHERE call_id IN (SELECT call_id FROM sink_batch_inspections);
