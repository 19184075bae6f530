-- Fill an empty agent_days from everything stored: for a
-- warehouse loaded in bulk without the sink (bench/warehouse.py), after the load.
INSERT INTO agent_days
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    count(*) AS inspected,
    count(i.score) AS scored,
    coalesce(sum(i.score), 0) AS score_sum,
    count(*) FILTER (WHERE i.fatal) AS fatal_calls
FROM inspections AS i
INNER JOIN calls AS c USING (call_id)
GROUP BY ALL
ORDER BY day;
