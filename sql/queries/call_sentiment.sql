-- One call's caller sentiment: overall, trend and evidence, then turn by turn (one row per
-- turn; one row with NULL turn fields where only an overall label exists, e.g. a judged LLM item).
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
LEFT JOIN inspections AS i USING (call_id)
LEFT JOIN sentiment_turns AS t USING (call_id)
WHERE s.call_id = $call_id
ORDER BY t.turn_no;
