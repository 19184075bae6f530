-- The department the inspection's 事项—职责—属地 catalogue suggests for one call, and why; beside
-- it, where each of the call's work orders was first dispatched and where it is now. Within the
-- user's scope.
SELECT
    i.routing_department AS department,
    i.routing_rule_id AS rule_id,
    i.routing_catalogue_version AS catalogue_version,
    i.routing_category AS category,
    i.routing_district AS district,
    i.routing_reason AS reason,
    w.work_order_id,
    w.first_department AS dispatched_department,
    w.current_department,
    CASE WHEN w.first_department IS NOT NULL THEN w.first_department = i.routing_department END AS agrees_with_dispatch
FROM inspections_in_scope($scope_centre, $scope_team) AS i
LEFT JOIN work_orders_in_scope($scope_centre, $scope_team) AS w ON w.call_id = i.call_id
WHERE i.call_id = $call_id
  AND i.routing_department IS NOT NULL
ORDER BY w.created_at NULLS FIRST, w.work_order_id;
