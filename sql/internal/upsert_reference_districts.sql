-- $rows: list of structs from warehouse/reference.yaml. Rows are upserted, never deleted:
-- calls and work orders already on record keep their names after a reference row goes away.
INSERT OR REPLACE INTO districts (district, city)
SELECT r.district, r.city
FROM (SELECT unnest($rows) AS r);
