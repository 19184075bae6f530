-- access_routing_departments served from the routing day rollups (work_order_*): the same
-- columns and values, for pages not scoped to a team (warehouse/rollups.py picks it when
-- $scope_team is NULL). What each department owns now (closed, closed late, rated) comes from
-- work_order_days by current department; what reached it, was returned or passed on by it from
-- work_order_department_days; its median hours to close from the orders per bucket of hours, read
-- as the base query reads them. Open orders past their due time are counted from the order rows,
-- since that depends on when the page is read.
-- Scope ($scope_centre, $scope_team): bound from the signed-in user by access.run_scoped (NULL =
-- unrestricted; orders linked to no landed call, centre '', count for unrestricted users only) and
-- applied by the *_in_scope relations (sql/schema/macros/). The rollups are per centre: with a
-- team scope bound (which rollups.pick never sends here) their relations give no rows, so nothing
-- is counted rather than another team's orders.
WITH owners AS (
    SELECT
        department,
        sum(work_orders) AS owned,
        sum(closed) AS closed,
        sum(closed_overdue) AS closed_overdue,
        sum(satisfied) / nullif(sum(rated), 0) AS satisfied_share,
        sum(rated) AS rated
    FROM work_order_days_in_scope($scope_centre, $scope_team)
    WHERE department <> ''
      AND ($date_from::DATE IS NULL OR day >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
    GROUP BY department
),

open_late AS (
    SELECT w.current_department AS department, count(*) AS late
    FROM work_order_state_in_scope($scope_centre, $scope_team) AS w
    WHERE NOT w.is_closed
      AND now() > w.due_at
      AND w.current_department IS NOT NULL
      AND ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR w.created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
    GROUP BY ALL
),

-- Orders per bucket of hours by department; their median read as the base query reads it (hour_buckets_of).
close_orders AS (
    SELECT department, bucket, sum(orders) AS orders
    FROM work_order_close_hours_in_scope($scope_centre, $scope_team)
    WHERE department <> ''
      AND ($date_from::DATE IS NULL OR day >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
    GROUP BY ALL
    HAVING sum(orders) > 0
),

closing AS (
    SELECT department, bucket_quantile(buckets, upto, 0.5) AS median_hours_to_close
    FROM hour_buckets_of('close_orders')
),

tallies AS (
    SELECT
        department,
        sum(received) AS received,
        sum(returned) AS returned,
        sum(transferred_away) AS transferred_away
    FROM work_order_department_days_in_scope($scope_centre, $scope_team)
    WHERE ($date_from::DATE IS NULL OR day >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
    GROUP BY department
)

SELECT
    h.department,
    d.kind,
    d.district,
    h.received::BIGINT AS received,
    h.returned::BIGINT AS returned,
    h.transferred_away::BIGINT AS transferred_away,
    CASE WHEN h.received > 0 THEN (h.returned + h.transferred_away) / h.received END AS bounce_rate,
    coalesce(o.owned, 0)::BIGINT AS owned,
    coalesce(o.closed, 0)::BIGINT AS closed,
    (coalesce(o.closed_overdue, 0) + coalesce(l.late, 0))::BIGINT AS overdue,
    c.median_hours_to_close,
    o.satisfied_share,
    coalesce(o.rated, 0)::BIGINT AS rated
FROM tallies AS h
LEFT JOIN owners AS o USING (department)
LEFT JOIN open_late AS l USING (department)
LEFT JOIN closing AS c USING (department)
LEFT JOIN departments AS d USING (department)
WHERE h.received > 0 OR h.returned > 0
ORDER BY h.received DESC, h.department;
