-- Stored inspections of the calls this batch rewrites: they move with the call (rollup_stage_call_checks).
INSERT INTO sink_rollup_inspections
SELECT call_id, score, fatal
FROM inspections
WHERE call_id IN (SELECT call_id FROM sink_batch_calls);
