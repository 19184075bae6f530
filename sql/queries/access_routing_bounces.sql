-- Scope ($scope_centre, $scope_team): the dashboard binds them from the
-- signed-in user by access.run_scoped; reports and jobs leave them NULL (= unrestricted).
-- A work order belongs to the scope of its call (stored on the order row, work_order_state):
-- orders in scope are read through their *_in_scope relation (sql/schema/macros/); orders linked
-- to no landed call are shown to unscoped users (administrators) only.
-- Who passes work to whom (推诿): every transfer (from → to) and return (department → centre),
-- counted per pair, with the orders that bounced at least $min_bounces times (default 2).
-- The hand-offs are a list on each stored order row (handoffs), in the order they happened.
WITH hops AS (
    SELECT
        work_order_id,
        CASE WHEN h.kind = 'transferred' THEN h.from_department ELSE h.department END AS from_department,
        CASE WHEN h.kind = 'transferred' THEN h.department ELSE '热线中心（退单）' END AS to_department,
        h.kind
    FROM (
        SELECT w.work_order_id, unnest(w.handoffs) AS h
        FROM work_orders_in_scope($scope_centre, $scope_team) AS w
        -- The window as a range on the stored instant, not a cast of every row: row groups outside it are skipped.
        WHERE ($date_from::DATE IS NULL OR w.created_at >= $date_from::DATE::TIMESTAMPTZ)
          AND ($date_to::DATE IS NULL OR w.created_at < ($date_to::DATE + 1)::TIMESTAMPTZ)
          AND len(w.handoffs) > 0
    )
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
