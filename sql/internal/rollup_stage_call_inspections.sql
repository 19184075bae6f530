-- Stored inspections of the calls this batch rewrites: they move with the call (rollup_stage_call_checks).
-- Staged with their calls row's attribution as it stands now: rollup_shift_agent_days
-- and rollup_shift_call_days read only this scratch. An inspection with no calls row yet stages
-- nothing (it counts nowhere until its calls row is written).
INSERT INTO sink_rollup_inspections (call_id, score, fatal, max_score, defects, category, review_state, caller_sentiment, day, centre_id, team_id, agent_id)
SELECT
    i.call_id,
    i.score,
    i.fatal,
    i.max_score,
    i.defects,
    i.category,
    i.review_state,
    i.caller_sentiment,
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id
FROM inspections AS i
INNER JOIN calls AS c USING (call_id)
WHERE i.call_id IN (SELECT call_id FROM sink_batch_calls);
