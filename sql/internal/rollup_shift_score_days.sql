-- Add ($sign = 1) or subtract ($sign = -1) the staged inspections (sink_rollup_inspections) of the
-- calls this batch rewrites to score_days, as rollup_shift_call_days does.
INSERT INTO score_days
SELECT
    day,
    centre_id,
    team_id,
    agent_id,
    score,
    $sign::BIGINT * count(*) AS calls
FROM sink_rollup_inspections
WHERE score IS NOT NULL
GROUP BY ALL
ON CONFLICT DO UPDATE SET calls = calls + excluded.calls;
