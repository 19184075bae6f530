-- SQLite. Calls whose whole score a human has decided (the review queue leaves these out).
SELECT DISTINCT call_id
FROM review_decisions
WHERE item_id = ''
  AND ($scope_centre IS NULL OR centre_id = $scope_centre)
  AND ($scope_team IS NULL OR team_id = $scope_team)
ORDER BY call_id;
