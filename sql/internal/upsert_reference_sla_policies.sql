-- $rows: list of structs from warehouse/reference.yaml. Rows are upserted, never deleted:
-- calls and work orders already on record keep their names after a reference row goes away.
INSERT OR REPLACE INTO sla_policies (recorded_type, sla_hours)
SELECT r.recorded_type, r.sla_hours
FROM (SELECT unnest($rows) AS r);
