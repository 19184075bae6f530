-- access_routing_bounces served from work_order_hop_days: the same columns and
-- values, for pages not scoped to a team (warehouse/rollups.py picks it when $scope_team is NULL).
-- The hops of every hand-off pair are summed; an order counts once per pair, and among the
-- orders that bounced at least $min_bounces times (default 2) when its own number of hand-offs
-- (order_hops, a key of the rollup) reaches that.
-- Scope ($scope_centre, $scope_team): bound from the signed-in user by access.run_scoped (NULL =
-- unrestricted; orders linked to no landed call, centre '', count for unrestricted users only) and
-- applied by the *_in_scope relations (sql/schema/macros/). The rollups are per centre: with a
-- team scope bound (which rollups.pick never sends here) their relations give no rows, so nothing
-- is counted rather than another team's orders.
SELECT
    coalesce(nullif(from_department, ''), '（未知）') AS from_department,
    nullif(to_department, '') AS to_department,
    kind,
    sum(hops)::BIGINT AS hops,
    sum(work_orders)::BIGINT AS work_orders,
    coalesce(sum(work_orders) FILTER (WHERE order_hops >= coalesce($min_bounces::INTEGER, 2)), 0)::BIGINT AS in_repeated_bounces
FROM work_order_hop_days_in_scope($scope_centre, $scope_team)
WHERE ($date_from::DATE IS NULL OR day >= $date_from::DATE)
  AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
GROUP BY ALL
HAVING sum(hops) > 0
ORDER BY hops DESC, from_department, to_department;
