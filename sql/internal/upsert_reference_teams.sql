-- $rows: list of structs from warehouse/reference.yaml. Rows are upserted, never deleted:
-- calls and work orders already on record keep their names after a reference row goes away.
INSERT OR REPLACE INTO teams (team_id, centre_id, name, leader)
SELECT r.team_id, r.centre_id, r.name, r.leader
FROM (SELECT unnest($rows) AS r);
