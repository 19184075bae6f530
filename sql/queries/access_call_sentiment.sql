-- One call's caller sentiment (see call_sentiment.sql), within the user's scope.
SELECT
    s.caller_sentiment AS overall,
    s.sentiment_trend AS trend,
    s.first_third_valence,
    s.last_third_valence,
    s.model AS method,
    s.sentiment_source AS source,
    s.sentiment_quote,
    i.sentiment_evidence AS evidence,
    t.turn_no,
    t.start_s,
    t.end_s,
    t.label,
    t.margin
FROM call_sentiment_in_scope($scope_centre, $scope_team) AS s
LEFT JOIN inspections_in_scope($scope_centre, $scope_team) AS i USING (call_id)
LEFT JOIN sentiment_turns_in_scope($scope_centre, $scope_team) AS t USING (call_id)
WHERE s.call_id = $call_id
ORDER BY t.turn_no;
