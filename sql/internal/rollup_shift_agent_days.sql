-- Add ($sign = 1) or subtract ($sign = -1) the staged inspections (sink_rollup_inspections) to
-- agent_days, attributed by the calls row as it stands now (see rollup_shift_agent_items).
INSERT INTO agent_days
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    $sign::BIGINT * count(*) AS inspected,
    $sign::BIGINT * count(i.score) AS scored,
    $sign::BIGINT * coalesce(sum(i.score), 0) AS score_sum,
    $sign::BIGINT * count(*) FILTER (WHERE i.fatal) AS fatal_calls
FROM sink_rollup_inspections AS i
INNER JOIN calls AS c USING (call_id)
GROUP BY ALL
ON CONFLICT DO UPDATE SET
    inspected = inspected + excluded.inspected,
    scored = scored + excluded.scored,
    score_sum = score_sum + excluded.score_sum,
    fatal_calls = fatal_calls + excluded.fatal_calls;
