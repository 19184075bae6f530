-- The work_order_hop_days rows that work_order_rollup_rows(everything) add or take away. A transfer
-- goes from the department that passed the order on to the one it went to; a return from the
-- department that returned it to the centre. Run by the sink's shift
-- (sql/internal/rollup_shift_work_orders.sql) and by the rebuild (rebuild_work_order_rollups.sql).
CREATE OR REPLACE MACRO work_order_hop_days_of(everything) AS TABLE
WITH hops AS (
    SELECT day, centre_key, sign, work_order_id, len(handoffs) AS order_hops, unnest(handoffs) AS h
    FROM work_order_rollup_rows(everything)
    WHERE len(handoffs) > 0
),

pairs AS (
    SELECT
        day,
        centre_key,
        sign,
        work_order_id,
        order_hops,
        coalesce(CASE WHEN h.kind = 'transferred' THEN h.from_department ELSE h.department END, '') AS from_department,
        coalesce(CASE WHEN h.kind = 'transferred' THEN h.department ELSE '热线中心（退单）' END, '') AS to_department,
        h.kind,
        count(*) AS hops
    FROM hops
    GROUP BY ALL
)

SELECT
    day,
    centre_key AS centre_id,
    from_department,
    to_department,
    kind,
    order_hops,
    sum(sign * hops)::BIGINT AS hops,
    sum(sign)::BIGINT AS work_orders
FROM pairs
GROUP BY ALL;
