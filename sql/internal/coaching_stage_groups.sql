-- The coaching groups the batch's calls are in as stored now: run before the batch's upserts
-- (the groups its rewritten or re-inspected calls leave) and after them (those they join), then
-- refilled whole from check_results (coaching_refill_groups). Only when a call of the batch
-- was inspected before.
INSERT INTO sink_coaching_groups
SELECT DISTINCT day, centre_id, team_id, agent_id, item_id
FROM coaching_examples
WHERE call_id IN (SELECT call_id FROM sink_batch_calls)
UNION
SELECT DISTINCT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    r.item_id
FROM check_results AS r
INNER JOIN calls AS c USING (call_id)
WHERE r.call_id IN (SELECT call_id FROM sink_batch_calls)
  AND r.status = 'failed'
  AND len(r.evidence) > 0;
