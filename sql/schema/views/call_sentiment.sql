-- One row per call whose caller's sentiment is known: the inspection's own where it has one
-- (sentiment_source 'inspection'), else the judged LLM caller_sentiment item ('llm'). Read by the
-- call page (access_call_sentiment) and call_facts; the sink stores the same choice as
-- inspections.caller_sentiment.
CREATE OR REPLACE VIEW call_sentiment AS
WITH stored AS (
    SELECT
        call_id,
        sentiment_overall AS caller_sentiment,
        sentiment_evidence[1].quote AS sentiment_quote,
        sentiment_method AS model,
        sentiment_trend,
        sentiment_first_third_valence AS first_third_valence,
        sentiment_last_third_valence AS last_third_valence,
        'inspection' AS sentiment_source
    FROM inspections
    WHERE sentiment_overall IS NOT NULL
),

judged AS (
    SELECT
        j.call_id,
        j.value ->> 'label' AS caller_sentiment,
        j.value ->> 'quote' AS sentiment_quote,
        j.model,
        NULL::VARCHAR AS sentiment_trend,
        NULL::DOUBLE AS first_third_valence,
        NULL::DOUBLE AS last_third_valence,
        'llm' AS sentiment_source
    FROM llm_judgements AS j
    -- Calls without the inspection's own sentiment. A join on call_id, not NOT EXISTS over
    -- stored: a filter on one call (the call page) reaches inspections through it, where the
    -- anti-join read every inspection (0.7 s at 10 M calls).
    LEFT JOIN inspections AS i USING (call_id)
    WHERE j.name = 'caller_sentiment'
      AND j.status = 'judged'
      AND i.sentiment_overall IS NULL
)

SELECT * FROM stored
UNION ALL BY NAME
SELECT * FROM judged;
