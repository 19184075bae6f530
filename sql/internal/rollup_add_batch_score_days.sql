-- Add the batch's inspections to score_days, attributed by the batch's own calls
-- rows, as rollup_add_batch_call_days does. Only for a batch none of whose calls was inspected
-- before (store._write's fast path).
INSERT INTO score_days
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    i.score,
    count(*) AS calls
FROM sink_batch_inspections AS i
INNER JOIN sink_batch_calls AS c USING (call_id)
WHERE i.score IS NOT NULL
GROUP BY ALL
ON CONFLICT DO UPDATE SET calls = calls + excluded.calls;
