-- $rows: list of structs from warehouse/reference.yaml. Rows are upserted, never deleted:
-- calls and work orders already on record keep their names after a reference row goes away.
INSERT OR REPLACE INTO agents (agent_id, team_id, name, job_number)
SELECT r.agent_id, r.team_id, r.name, r.job_number
FROM (SELECT unnest($rows) AS r);
