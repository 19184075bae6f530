-- Fill an empty agent_item_days from everything stored: for a
-- warehouse loaded in bulk without the sink (bench/warehouse.py), after the load.
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
FROM check_results AS r
INNER JOIN calls AS c USING (call_id)
WHERE r.status IN ('passed', 'failed')
GROUP BY ALL
ORDER BY day;
