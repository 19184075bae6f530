-- One call's transcript, within the user's scope.
SELECT t.turn_no, t.speaker, t.channel, t.start_s, t.end_s, t.text
FROM turns_in_scope($scope_centre, $scope_team) AS t
WHERE t.call_id = $call_id
ORDER BY t.turn_no;
