-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- A work order belongs to the scope of its call (stored on the order row, work_order_state):
-- orders in scope are read through their *_in_scope relation (sql/schema/macros/); orders linked
-- to no landed call are shown to unscoped users (administrators) only.
-- Headline routing figures for work orders created in the period. Medians and the 90th
-- percentile are read from counts per bucket of a log scale (hours_bucket: within
-- 0.5 % of the exact figure), as access_routing_kpis_rollup reads them from the day rollups.
-- warehouse/rollups.py sends every page not scoped to a team to that variant.
WITH scoped AS NOT MATERIALIZED (
    SELECT w.*
    FROM work_orders_in_scope($scope_centre, $scope_team) AS w
    -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
    WHERE ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR w.created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
),

-- Orders per bucket of hours, as the lists bucket_quantile reads a quantile from (hour_buckets_of).
dispatch_orders AS (
    SELECT NULL AS department, hours_bucket(hours_to_dispatch) AS bucket, count(*) AS orders
    FROM scoped
    WHERE hours_to_dispatch IS NOT NULL
    GROUP BY bucket
),

close_orders AS (
    SELECT NULL AS department, hours_bucket(hours_to_close) AS bucket, count(*) AS orders
    FROM scoped
    WHERE hours_to_close IS NOT NULL
    GROUP BY bucket
),

dispatch AS (
    SELECT buckets, upto FROM hour_buckets_of('dispatch_orders')
),

closing AS (
    SELECT buckets, upto FROM hour_buckets_of('close_orders')
)

SELECT
    count(*) AS work_orders,
    count(*) FILTER (WHERE NOT is_closed) AS open,
    count(*) FILTER (WHERE overdue) AS overdue,
    avg(CASE WHEN overdue THEN 1.0 WHEN overdue IS NOT NULL THEN 0.0 END) AS overdue_share,
    avg(CASE WHEN assignments > 1 OR returns > 0 THEN 1.0 WHEN assignments > 0 THEN 0.0 END) AS rerouted_share,
    count(*) FILTER (WHERE reopens > 0) AS reopened,
    (SELECT bucket_quantile(buckets, upto, 0.5) FROM dispatch) AS median_hours_to_dispatch,
    (SELECT bucket_quantile(buckets, upto, 0.9) FROM dispatch) AS p90_hours_to_dispatch,
    (SELECT bucket_quantile(buckets, upto, 0.5) FROM closing) AS median_hours_to_close,
    avg(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1.0 WHEN satisfaction IS NOT NULL THEN 0.0 END)
        AS satisfied_share
FROM scoped;
