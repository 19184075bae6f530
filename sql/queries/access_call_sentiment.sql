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
FROM call_sentiment AS s
INNER JOIN calls AS c USING (call_id)
LEFT JOIN inspections AS i USING (call_id)
LEFT JOIN sentiment_turns AS t USING (call_id)
WHERE s.call_id = $call_id
  AND ($scope_centre::VARCHAR IS NULL OR c.centre_id = $scope_centre::VARCHAR)
  AND ($scope_team::VARCHAR IS NULL OR c.team_id = $scope_team::VARCHAR)
ORDER BY t.turn_no;
