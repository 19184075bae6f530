-- Add ($sign = 1) or subtract ($sign = -1) the staged inspections (sink_rollup_inspections) to
-- agent_days, attributed by the calls row as it stood when staged (rollup_stage_call_inspections).
INSERT INTO agent_days
SELECT
    i.day,
    i.centre_id,
    i.team_id,
    i.agent_id,
    $sign::BIGINT * count(*) AS inspected,
    $sign::BIGINT * count(i.score) AS scored,
    $sign::BIGINT * coalesce(sum(i.score), 0) AS score_sum,
    $sign::BIGINT * count(*) FILTER (WHERE i.fatal) AS fatal_calls
FROM sink_rollup_inspections AS i
GROUP BY ALL
ON CONFLICT DO UPDATE SET
    inspected = inspected + excluded.inspected,
    scored = scored + excluded.scored,
    score_sum = score_sum + excluded.score_sum,
    fatal_calls = fatal_calls + excluded.fatal_calls;
