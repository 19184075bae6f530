-- The work_order_department_days rows that work_order_rollup_rows(everything) add or take away.
-- Every stop of a route is a "received"; a return counts for the department that returned the
-- order, a transfer for the one that passed it on. Run by the sink's shift
-- (sql/internal/rollup_shift_work_orders.sql) and by the rebuild (rebuild_work_order_rollups.sql).
CREATE OR REPLACE MACRO work_order_department_days_of(everything) AS TABLE
WITH rows AS (
    SELECT day, centre_key, sign, route, handoffs FROM work_order_rollup_rows(everything)
),

visits AS (
    SELECT day, centre_key, sign, unnest(route) AS department, 'received' AS kind
    FROM rows
    UNION ALL
    SELECT day, centre_key, sign, CASE h.kind WHEN 'returned' THEN h.department ELSE h.from_department END, h.kind
    FROM (SELECT day, centre_key, sign, unnest(handoffs) AS h FROM rows WHERE len(handoffs) > 0)
)

SELECT
    day,
    centre_key AS centre_id,
    department,
    coalesce(sum(sign) FILTER (WHERE kind = 'received'), 0)::BIGINT AS received,
    coalesce(sum(sign) FILTER (WHERE kind = 'returned'), 0)::BIGINT AS returned,
    coalesce(sum(sign) FILTER (WHERE kind = 'transferred'), 0)::BIGINT AS transferred_away
FROM visits
WHERE department IS NOT NULL
GROUP BY ALL;
