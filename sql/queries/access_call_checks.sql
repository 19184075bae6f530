-- One call's scorecard items with their evidence, within the user's scope.
SELECT r.item_no, r.item_id, r.name, r.kind, r.status, r.weight, r.points, r.fatal, r.reason, r.evidence
FROM check_results_in_scope($scope_centre, $scope_team) AS r
WHERE r.call_id = $call_id
ORDER BY r.item_no;
