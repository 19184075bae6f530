-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- A work order belongs to the scope of its call (stored on the order row, work_order_state):
-- orders in scope are read through their *_in_scope relation (sql/schema/macros/); orders linked
-- to no landed call are shown to unscoped users (administrators) only.
-- Per department: orders it received, gave back (returned or passed on), closed, how fast and
-- how late, and how callers rated it. "Received" counts every time an order reached it.
-- Read from the stored order rows alone: their route (every dispatch and transfer, in order)
-- and their hand-offs (transfers and returns) are lists on the row.
-- Three passes over the order rows, none of which copies them: a materialised CTE of a
-- centre's year (3.3 M rows with two list columns) cost more than reading the rows again.
WITH scoped_orders AS NOT MATERIALIZED (
    SELECT w.route, w.handoffs, w.current_department, w.is_closed, w.overdue, w.hours_to_close, w.satisfaction
    FROM work_orders_in_scope($scope_centre, $scope_team) AS w
    -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
    WHERE ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR w.created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
),

-- First pass, per current department (NULL: orders handed back to the centre, which nobody
-- owns; they count only for their hand-offs). The few orders with hand-offs bring them along,
-- so they are counted below without a pass of their own.
owners AS (
    SELECT
        current_department AS department,
        count(*) AS owned,
        count(*) FILTER (WHERE is_closed) AS closed,
        count(*) FILTER (WHERE overdue) AS overdue,
        -- The share of rated orders rated satisfied, as a ratio of two counts: the same value as
        -- the average of 1.0 and 0.0 over the rated orders, without summing decimals.
        count(*) FILTER (WHERE satisfaction IN ('satisfied', 'basically_satisfied')) / nullif(count(satisfaction), 0)
            AS satisfied_share,
        count(satisfaction) AS rated,
        flatten(list(handoffs) FILTER (WHERE len(handoffs) > 0)) AS handoffs
    FROM scoped_orders
    GROUP BY current_department
),

-- Median hours to close per department, from counts per bucket of a log scale (hours_bucket:
-- within 0.5 % of the exact median), as access_routing_departments_rollup reads
-- them from the day rollups (warehouse/rollups.py sends every page not scoped to a team there).
close_orders AS (
    SELECT current_department AS department, hours_bucket(hours_to_close) AS bucket, count(*) AS orders
    FROM scoped_orders
    WHERE hours_to_close IS NOT NULL AND current_department IS NOT NULL
    GROUP BY ALL
),

closing AS (
    SELECT department, bucket_quantile(buckets, upto, 0.5) AS median_hours_to_close
    FROM hour_buckets_of('close_orders')
),

-- Every time an order reached a department (another pass: the routes), gave it back or passed it on.
visits AS (
    SELECT unnest(route) AS department, 'received' AS kind
    FROM scoped_orders
    UNION ALL
    SELECT CASE h.kind WHEN 'returned' THEN h.department ELSE h.from_department END, h.kind
    FROM (SELECT unnest(handoffs) AS h FROM owners)
),

tallies AS (
    SELECT
        department,
        count(*) FILTER (WHERE kind = 'received') AS received,
        count(*) FILTER (WHERE kind = 'returned') AS returned,
        count(*) FILTER (WHERE kind = 'transferred') AS transferred_away
    FROM visits
    WHERE department IS NOT NULL
    GROUP BY department
)

SELECT
    h.department,
    d.kind,
    d.district,
    h.received,
    h.returned,
    h.transferred_away,
    CASE WHEN h.received > 0 THEN (h.returned + h.transferred_away) / h.received END AS bounce_rate,
    coalesce(o.owned, 0) AS owned,
    coalesce(o.closed, 0) AS closed,
    coalesce(o.overdue, 0) AS overdue,
    c.median_hours_to_close,
    o.satisfied_share,
    coalesce(o.rated, 0) AS rated
FROM tallies AS h
LEFT JOIN owners AS o USING (department)
LEFT JOIN closing AS c USING (department)
LEFT JOIN departments AS d USING (department)
-- A department that only ever had orders returned by it still appears (as before: every
-- dispatch, transfer or return naming it); one that only passed orders on does not.
WHERE h.received > 0 OR h.returned > 0
ORDER BY h.received DESC, h.department;
