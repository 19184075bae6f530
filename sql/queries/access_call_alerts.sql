-- One call's alerts, within the user's scope.
SELECT a.kind, a.severity, a.quote, a.speaker, a.start_s, a.end_s, a.from_partial, a.raised_at
FROM alerts_in_scope($scope_centre, $scope_team) AS a
WHERE a.call_id = $call_id
ORDER BY a.start_s, a.kind;
