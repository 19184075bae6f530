-- How far the LLM judge has come: calls by the state of their LLM items (scorecard items judged by
-- the LLM and call-level judgements). pending: some item still waits to be asked; needs_review: all
-- asked, some reply failed its schema or cited no valid evidence; judged: every item answered.
-- models: the models whose judgements those calls carry. Final transcripts only, within the user's
-- scope (`hotline status` binds an administrator's: every centre).
WITH final_calls AS (
    SELECT call_id
    FROM calls_in_scope($scope_centre, $scope_team)
    WHERE transcript_final
),

-- Their LLM items, read through them (check_results_of_calls, llm_judgements_of_calls).
items AS (
    SELECT call_id, status, NULL AS model
    FROM check_results_of_calls('final_calls')
    WHERE kind = 'llm'
    UNION ALL
    SELECT call_id, status, model
    FROM llm_judgements_of_calls('final_calls')
),

per_call AS (
    SELECT
        i.call_id,
        CASE
            WHEN bool_or(i.status = 'pending') THEN 'pending'
            WHEN bool_or(i.status = 'needs_review') THEN 'needs_review'
            ELSE 'judged'
        END AS state,
        list(DISTINCT i.model) FILTER (WHERE i.model IS NOT NULL AND i.status <> 'pending') AS models
    FROM items AS i
    GROUP BY i.call_id
)

SELECT
    state,
    count(*) AS calls,
    list_distinct(flatten(list(models))) AS models
FROM per_call
GROUP BY state
ORDER BY state;
