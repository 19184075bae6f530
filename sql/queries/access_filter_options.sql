-- Choices for the cockpit's filters: only what the user's scope holds.
SELECT DISTINCT c.centre_id, c.team_id, c.agent_id, i.category, i.routing_district AS district
FROM calls AS c
LEFT JOIN inspections AS i USING (call_id)
WHERE ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
ORDER BY c.centre_id, c.team_id, c.agent_id, i.category, district;
