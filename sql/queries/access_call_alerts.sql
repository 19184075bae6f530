-- One call's alerts, within the user's scope.
SELECT a.kind, a.severity, a.quote, a.speaker, a.start_s, a.end_s, a.from_partial, a.raised_at
FROM alerts AS a
INNER JOIN calls AS c USING (call_id)
WHERE a.call_id = $call_id
  AND ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
ORDER BY a.start_s, a.kind;
