-- access_routing_agreement served from work_order_days: the same columns and
-- values, for pages not scoped to a team (warehouse/rollups.py picks it when $scope_team is NULL).
-- The suggested department was judged against where the order was first sent and where it is
-- now when the order was rolled up, with the routing rules then in force (a change of the rules
-- derives the rollup again).
-- Scope ($scope_centre, $scope_team): bound from the signed-in user by access.run_scoped (NULL =
-- unrestricted; orders linked to no landed call, centre '', count for unrestricted users only) and
-- applied by the *_in_scope relations (sql/schema/macros/). The rollups are per centre: with a
-- team scope bound (which rollups.pick never sends here) their relations give no rows, so nothing
-- is counted rather than another team's orders.
SELECT
    coalesce(nullif(suggested_category, ''), '（无建议）') AS suggested_category,
    sum(dispatched)::BIGINT AS work_orders,
    sum(dispatched_suggested)::BIGINT AS with_suggestion,
    sum(first_agreed) / nullif(sum(dispatched_suggested), 0) AS first_dispatch_agreement,
    sum(final_agreed) / nullif(sum(final_judged), 0) AS final_agreement,
    sum(dispatched_rerouted) / sum(dispatched) AS rerouted_share
FROM work_order_days_in_scope($scope_centre, $scope_team)
WHERE ($date_from::DATE IS NULL OR day >= $date_from::DATE)
  AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
GROUP BY 1
HAVING sum(dispatched) > 0
ORDER BY work_orders DESC, suggested_category;
