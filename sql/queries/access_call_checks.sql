-- One call's scorecard items with their evidence, within the user's scope.
SELECT r.item_no, r.item_id, r.name, r.kind, r.status, r.weight, r.points, r.fatal, r.reason, r.evidence
FROM check_results AS r
INNER JOIN calls AS c USING (call_id)
WHERE r.call_id = $call_id
  AND ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
ORDER BY r.item_no;
