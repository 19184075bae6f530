-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- A work order belongs to the scope of
-- its call (stored on the order row, migration 0024); orders linked to no landed call are
-- shown to unscoped users (administrators) only.
-- Per department: orders it received, gave back (returned or passed on), closed, how fast and
-- how late, and how callers rated it. "Received" counts every time an order reached it.
-- Read from the stored order rows alone: their route (every dispatch and transfer, in order)
-- and their hand-offs (transfers and returns) are lists on the row.
WITH scoped_orders AS (
    SELECT w.route, w.handoffs, w.current_department, w.is_closed, w.overdue, w.hours_to_close, w.satisfaction
    FROM work_orders AS w
    WHERE ($scope_centre::VARCHAR IS NULL OR w.centre_id = $scope_centre::VARCHAR)
      AND ($scope_team::VARCHAR IS NULL OR w.team_id = $scope_team::VARCHAR)
      -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
      AND ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR w.created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
),

handoffs AS (
    SELECT unnest(handoffs, recursive := true)
    FROM scoped_orders
),

received AS (
    SELECT department, count(*) AS received
    FROM (SELECT unnest(route) AS department FROM scoped_orders)
    WHERE department IS NOT NULL
    GROUP BY department
),

returned AS (
    SELECT department, count(*) AS returned
    FROM handoffs
    WHERE kind = 'returned' AND department IS NOT NULL
    GROUP BY department
),

passed_on AS (
    SELECT from_department AS department, count(*) AS transferred_away
    FROM handoffs
    WHERE kind = 'transferred' AND from_department IS NOT NULL
    GROUP BY from_department
),

owned AS (
    SELECT
        current_department AS department,
        count(*) AS owned,
        count(*) FILTER (WHERE is_closed) AS closed,
        count(*) FILTER (WHERE overdue) AS overdue,
        median(hours_to_close) AS median_hours_to_close,
        avg(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1.0 WHEN satisfaction IS NOT NULL THEN 0.0 END)
            AS satisfied_share,
        count(satisfaction) AS rated
    FROM scoped_orders
    WHERE current_department IS NOT NULL
    GROUP BY current_department
),

handled AS (
    -- A department that only ever had orders returned by it still appears (as before: every
    -- dispatch, transfer or return naming it).
    SELECT department, sum(received)::BIGINT AS received, sum(returned)::BIGINT AS returned
    FROM (
        SELECT department, received, 0 AS returned FROM received
        UNION ALL
        SELECT department, 0 AS received, returned FROM returned
    )
    GROUP BY department
)

SELECT
    h.department,
    d.kind,
    d.district,
    h.received,
    h.returned,
    coalesce(p.transferred_away, 0) AS transferred_away,
    CASE WHEN h.received > 0 THEN (h.returned + coalesce(p.transferred_away, 0)) / h.received END AS bounce_rate,
    coalesce(o.owned, 0) AS owned,
    coalesce(o.closed, 0) AS closed,
    coalesce(o.overdue, 0) AS overdue,
    o.median_hours_to_close,
    o.satisfied_share,
    coalesce(o.rated, 0) AS rated
FROM handled AS h
LEFT JOIN passed_on AS p USING (department)
LEFT JOIN owned AS o USING (department)
LEFT JOIN departments AS d USING (department)
ORDER BY h.received DESC, h.department;
