-- Add the batch's new check results to agent_item_days, from the scratch copy of the frame the
-- sink just appended to check_results (sink_batch_checks): finding them again in check_results
-- would scan a table with ten rows per call ever stored. Every inspected call of a batch has its
-- calls row in sink_batch_calls (an inspection carries the call's metadata), as just upserted.
-- Only for a batch none of whose calls was inspected before (store._write's fast path).
INSERT INTO agent_item_days
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    r.item_id,
    any_value(r.name) AS name,
    count(*) AS applicable,
    count(*) FILTER (WHERE r.status = 'failed') AS failed,
    count(*) FILTER (WHERE r.fatal) AS fatal_checks
FROM sink_batch_checks AS r
INNER JOIN sink_batch_calls AS c USING (call_id)
WHERE r.status IN ('passed', 'failed')
GROUP BY ALL
ON CONFLICT DO UPDATE SET
    name = coalesce(excluded.name, name),
    applicable = applicable + excluded.applicable,
    failed = failed + excluded.failed,
    fatal_checks = fatal_checks + excluded.fatal_checks;
