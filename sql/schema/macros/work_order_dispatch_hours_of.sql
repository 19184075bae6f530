-- The work_order_dispatch_hours rows that work_order_rollup_rows(everything) add or take away: the
-- dispatched orders per bucket of hours to first dispatch. Run by the sink's shift
-- (sql/internal/rollup_shift_work_orders.sql) and by the rebuild (rebuild_work_order_rollups.sql).
CREATE OR REPLACE MACRO work_order_dispatch_hours_of(everything) AS TABLE
SELECT day, centre_key AS centre_id, hours_bucket(hours_to_dispatch) AS bucket, sum(sign)::BIGINT AS orders
FROM work_order_rollup_rows(everything)
WHERE hours_to_dispatch IS NOT NULL
GROUP BY ALL;
