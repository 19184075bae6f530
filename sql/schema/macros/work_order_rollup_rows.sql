-- The rows the routing rollups are derived from, as the rollups see them (local day, keys with ''
-- for NULL, and the suggested department as the rules say now): with everything = false the staged
-- rows of sink_work_order_shift, signed (the sink's shift,
-- sql/internal/rollup_shift_work_orders.sql); with everything = true every stored order, counted
-- once (rebuild_work_order_rollups.sql).
-- The staged rows are not copied for the rebuild: DuckDB 2.0 reads no rows back from a table
-- created in the same transaction once a large insert into it was written out (the list columns),
-- and a copy of every order would cost as much again.
CREATE OR REPLACE MACRO work_order_rollup_rows(everything) AS TABLE
SELECT
    s.sign::BIGINT AS sign,
    timezone('Asia/Shanghai', s.created_at)::DATE AS day,
    coalesce(s.centre_id, '') AS centre_key,
    coalesce(s.current_department, '') AS department_key,
    coalesce(s.suggested_category, '') AS category_key,
    s.* EXCLUDE (sign),
    suggested_department_of(s.routing_department, r.department, s.district) AS suggested_department
FROM (
    SELECT * EXCLUDE (old_rowid) FROM sink_work_order_shift WHERE NOT everything
    UNION ALL BY NAME
    SELECT 1::TINYINT AS sign, * FROM work_order_state WHERE everything
) AS s
LEFT JOIN routing_rules AS r ON r.category = s.inspected_category;
