-- One call's routing suggestion (see call_routing.sql), within the user's scope.
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
FROM inspections AS i
INNER JOIN calls AS c USING (call_id)
LEFT JOIN work_orders AS w ON w.call_id = i.call_id
WHERE i.call_id = $call_id
  AND i.routing_department IS NOT NULL
  AND ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
ORDER BY w.created_at NULLS FIRST, w.work_order_id;
