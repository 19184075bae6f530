-- The agent-days the batch's calls count under once it is written (their calls rows carry the
-- recorder's metadata, which the upsert takes whole): the keys of the call rollups to refresh.
INSERT INTO sink_rollup_keys
SELECT DISTINCT timezone('Asia/Shanghai', started_at)::DATE AS day, centre_id, team_id, agent_id
FROM sink_batch_calls;
