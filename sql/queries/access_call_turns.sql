-- One call's transcript, within the user's scope.
SELECT t.turn_no, t.speaker, t.channel, t.start_s, t.end_s, t.text
FROM turns AS t
INNER JOIN calls AS c USING (call_id)
WHERE t.call_id = $call_id
  AND ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
ORDER BY t.turn_no;
