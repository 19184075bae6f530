-- $rows: list of structs from warehouse/reference.yaml. Rows are upserted, never deleted:
-- calls and work orders already on record keep their names after a reference row goes away.
INSERT OR REPLACE INTO centres (centre_id, name, city)
SELECT r.centre_id, r.name, r.city
FROM (SELECT unnest($rows) AS r);
