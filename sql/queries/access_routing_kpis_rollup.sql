-- access_routing_kpis served from the routing day rollups (work_order_days, ...): the same columns and
-- values, for pages not scoped to a team (warehouse/rollups.py picks it when $scope_team is NULL;
-- the rollups are kept per centre). Counts are sums over work_order_days; medians and the 90th
-- percentile come from the orders per bucket of hours, read as the base query reads them. An
-- open order is overdue once its due time passed, which depends on when the page is read: those
-- are counted from the order rows (open orders are few and recent: the other row groups are
-- skipped by their zone maps).
-- Scope ($scope_centre, $scope_team): bound from the signed-in user by access.run_scoped (NULL =
-- unrestricted; orders linked to no landed call, centre '', count for unrestricted users only) and
-- applied by the *_in_scope relations (sql/schema/macros/). The rollups are per centre: with a
-- team scope bound (which rollups.pick never sends here) their relations give no rows, so nothing
-- is counted rather than another team's orders; only the open orders past due, read from the
-- order rows (work_order_state_in_scope), would be the team's own.
WITH days AS (
    SELECT
        sum(work_orders) AS work_orders,
        sum(open) AS open,
        sum(closed_overdue) AS closed_overdue,
        sum(with_due) AS with_due,
        sum(rerouted) AS rerouted,
        sum(assigned) AS assigned,
        sum(reopened) AS reopened,
        sum(rated) AS rated,
        sum(satisfied) AS satisfied
    FROM work_order_days_in_scope($scope_centre, $scope_team)
    WHERE ($date_from::DATE IS NULL OR day >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
),

open_late AS (
    SELECT count(*) AS late
    FROM work_order_state_in_scope($scope_centre, $scope_team) AS w
    WHERE NOT w.is_closed
      AND now() > w.due_at
      AND ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR w.created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
),

-- Orders per bucket of hours, as the lists bucket_quantile reads a quantile from (hour_buckets_of).
dispatch_orders AS (
    SELECT NULL AS department, bucket, sum(orders) AS orders
    FROM work_order_dispatch_hours_in_scope($scope_centre, $scope_team)
    WHERE ($date_from::DATE IS NULL OR day >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
    GROUP BY bucket
    HAVING sum(orders) > 0
),

close_orders AS (
    SELECT NULL AS department, bucket, sum(orders) AS orders
    FROM work_order_close_hours_in_scope($scope_centre, $scope_team)
    WHERE ($date_from::DATE IS NULL OR day >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
    GROUP BY bucket
    HAVING sum(orders) > 0
),

dispatch AS (
    SELECT buckets, upto FROM hour_buckets_of('dispatch_orders')
),

closing AS (
    SELECT buckets, upto FROM hour_buckets_of('close_orders')
)

SELECT
    coalesce(d.work_orders, 0)::BIGINT AS work_orders,
    coalesce(d.open, 0)::BIGINT AS open,
    (coalesce(d.closed_overdue, 0) + l.late)::BIGINT AS overdue,
    CASE WHEN d.with_due > 0 THEN (d.closed_overdue + l.late) / d.with_due END AS overdue_share,
    CASE WHEN d.assigned > 0 THEN d.rerouted / d.assigned END AS rerouted_share,
    coalesce(d.reopened, 0)::BIGINT AS reopened,
    (SELECT bucket_quantile(buckets, upto, 0.5) FROM dispatch) AS median_hours_to_dispatch,
    (SELECT bucket_quantile(buckets, upto, 0.9) FROM dispatch) AS p90_hours_to_dispatch,
    (SELECT bucket_quantile(buckets, upto, 0.5) FROM closing) AS median_hours_to_close,
    CASE WHEN d.rated > 0 THEN d.satisfied / d.rated END AS satisfied_share
FROM days AS d, open_late AS l;
