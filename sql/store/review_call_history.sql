-- SQLite. Every decision on one call, newest first, within the reader's scope.
SELECT decision_id, item_id, item_name, machine_status, machine_points, verdict, human_status, human_points,
       reason, appeal_id, appeal_outcome, decided_by, decided_at
FROM review_decisions
WHERE call_id = $call_id
  AND ($scope_centre IS NULL OR centre_id = $scope_centre)
  AND ($scope_team IS NULL OR team_id = $scope_team)
ORDER BY decision_id DESC;
