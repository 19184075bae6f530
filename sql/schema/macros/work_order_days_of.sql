-- The work_order_days rows that work_order_rollup_rows(everything) add or take away (by their
-- sign): the rollup's one definition. Run by the sink's shift
-- (sql/internal/rollup_shift_work_orders.sql) and by the rebuild (rebuild_work_order_rollups.sql).
CREATE OR REPLACE MACRO work_order_days_of(everything) AS TABLE
SELECT
    day,
    centre_key AS centre_id,
    department_key AS department,
    category_key AS suggested_category,
    sum(sign)::BIGINT AS work_orders,
    coalesce(sum(sign) FILTER (WHERE NOT is_closed), 0)::BIGINT AS open,
    coalesce(sum(sign) FILTER (WHERE is_closed), 0)::BIGINT AS closed,
    coalesce(sum(sign) FILTER (WHERE is_closed AND closed_at > due_at), 0)::BIGINT AS closed_overdue,
    coalesce(sum(sign) FILTER (WHERE due_at IS NOT NULL), 0)::BIGINT AS with_due,
    coalesce(sum(sign) FILTER (WHERE assignments > 1 OR returns > 0), 0)::BIGINT AS rerouted,
    coalesce(sum(sign) FILTER (WHERE assignments > 0 OR returns > 0), 0)::BIGINT AS assigned,
    coalesce(sum(sign) FILTER (WHERE reopens > 0), 0)::BIGINT AS reopened,
    coalesce(sum(sign) FILTER (WHERE satisfaction IS NOT NULL), 0)::BIGINT AS rated,
    coalesce(sum(sign) FILTER (WHERE satisfaction IN ('satisfied', 'basically_satisfied')), 0)::BIGINT AS satisfied,
    coalesce(sum(sign) FILTER (WHERE first_department IS NOT NULL), 0)::BIGINT AS dispatched,
    coalesce(sum(sign) FILTER (WHERE first_department IS NOT NULL AND suggested_department IS NOT NULL), 0)::BIGINT
        AS dispatched_suggested,
    coalesce(sum(sign) FILTER (WHERE first_department IS NOT NULL AND suggested_department = first_department), 0)::BIGINT
        AS first_agreed,
    coalesce(sum(sign) FILTER (
        WHERE first_department IS NOT NULL AND suggested_department IS NOT NULL AND current_department IS NOT NULL
    ), 0)::BIGINT AS final_judged,
    coalesce(sum(sign) FILTER (WHERE first_department IS NOT NULL AND suggested_department = current_department), 0)::BIGINT
        AS final_agreed,
    coalesce(sum(sign) FILTER (WHERE first_department IS NOT NULL AND len(route) > 1), 0)::BIGINT AS dispatched_rerouted
FROM work_order_rollup_rows(everything)
GROUP BY ALL;
