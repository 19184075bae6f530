-- Add the batch's inspections to agent_days, attributed by the batch's own calls rows (see
-- rollup_add_batch_checks). Only for a batch none of whose calls was inspected before.
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
FROM sink_batch_inspections AS i
INNER JOIN sink_batch_calls AS c USING (call_id)
GROUP BY ALL
ON CONFLICT DO UPDATE SET
    inspected = inspected + excluded.inspected,
    scored = scored + excluded.scored,
    score_sum = score_sum + excluded.score_sum,
    fatal_calls = fatal_calls + excluded.fatal_calls;
