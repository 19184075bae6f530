-- Stored check results of the calls this batch rewrites (a transcript after its inspection, a
-- replayed transcript): counted under the call's old day/agent, they move to its new one.
INSERT INTO sink_rollup_checks
SELECT call_id, item_id, name, status, fatal
FROM check_results
WHERE call_id IN (SELECT call_id FROM sink_batch_calls);
