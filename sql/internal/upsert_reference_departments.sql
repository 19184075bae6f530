-- $rows: list of structs from warehouse/reference.yaml. Rows are upserted, never deleted:
-- calls and work orders already on record keep their names after a reference row goes away.
INSERT OR REPLACE INTO departments (department, kind, district)
SELECT r.department, r.kind, r.district
FROM (SELECT unnest($rows) AS r);
