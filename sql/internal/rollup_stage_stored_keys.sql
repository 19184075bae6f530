-- Before the batch's upserts, the agent-days its calls that were inspected before count under now:
-- a call moved to another day or agent leaves these, which are refreshed with the new ones.
INSERT INTO sink_rollup_keys
SELECT DISTINCT timezone('Asia/Shanghai', started_at)::DATE AS day, centre_id, team_id, agent_id
FROM calls
WHERE call_id IN (SELECT call_id FROM sink_batch_calls)
EXCEPT
SELECT day, centre_id, team_id, agent_id FROM sink_rollup_keys;
