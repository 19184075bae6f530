-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- A work order belongs to the scope of
-- its call; orders linked to no landed call are shown to unscoped users (administrators) only.
-- Who passes work to whom (推诿): every transfer (from → to) and return (department → centre),
-- counted per pair, with the orders that bounced at least $min_bounces times (default 2).
WITH hops AS (
    SELECT
        e.work_order_id,
        CASE WHEN e.kind = 'transferred' THEN e.from_department ELSE e.department END AS from_department,
        CASE WHEN e.kind = 'transferred' THEN e.department ELSE '热线中心（退单）' END AS to_department,
        e.kind
    FROM work_order_events AS e
    INNER JOIN work_orders AS w USING (work_order_id)
    LEFT JOIN calls AS sc ON sc.call_id = w.call_id
    WHERE e.kind IN ('transferred', 'returned')
      AND ($scope_centre::VARCHAR IS NULL OR sc.centre_id = $scope_centre::VARCHAR)
      AND ($scope_team::VARCHAR IS NULL OR sc.team_id = $scope_team::VARCHAR)
      -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
      AND ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ)
      AND ($date_to::DATE IS NULL OR w.created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
      -- An order's events happen on or after its creation (created_at is its first event), so
      -- events before the window belong to older orders: their row groups are skipped unread.
      AND ($date_from::DATE IS NULL OR e.occurred_at >= $date_from::DATE::TIMESTAMPTZ)
),

bouncy AS (
    SELECT work_order_id
    FROM hops
    GROUP BY work_order_id
    HAVING count(*) >= coalesce($min_bounces::INTEGER, 2)
)

SELECT
    coalesce(from_department, '（未知）') AS from_department,
    to_department,
    kind,
    count(*) AS hops,
    count(DISTINCT work_order_id) AS work_orders,
    count(DISTINCT work_order_id) FILTER (WHERE work_order_id IN (SELECT work_order_id FROM bouncy)) AS in_repeated_bounces
FROM hops
GROUP BY ALL
ORDER BY hops DESC, from_department, to_department;
