-- Add ($sign = 1) or subtract ($sign = -1) the staged check results (sink_rollup_checks) to
-- agent_item_days, attributed by the calls row as it stands now. Checks of a call with no calls
-- row yet count nothing here; they are added when the calls row is written (rollup_stage_call_checks).
INSERT INTO agent_item_days
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    r.item_id,
    any_value(r.name) AS name,
    $sign::BIGINT * count(*) AS applicable,
    $sign::BIGINT * count(*) FILTER (WHERE r.status = 'failed') AS failed,
    $sign::BIGINT * count(*) FILTER (WHERE r.fatal) AS fatal_checks
FROM sink_rollup_checks AS r
INNER JOIN calls AS c USING (call_id)
WHERE r.status IN ('passed', 'failed')
GROUP BY ALL
ON CONFLICT DO UPDATE SET
    name = coalesce(excluded.name, name),
    applicable = applicable + excluded.applicable,
    failed = failed + excluded.failed,
    fatal_checks = fatal_checks + excluded.fatal_checks;
