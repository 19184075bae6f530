-- Calls whose LLM items (scorecard items or call-level judgements) are still pending, with every
-- distinct reason: the candidates for asking the LLM again. Which reasons are worth asking again
-- is decided in code (inspection/llm.py pending_is_retryable). Oldest calls first; $since bounds
-- the call's start; only final transcripts (a partial one is never inspected in full).
WITH pending AS (
    SELECT call_id, reason
    FROM check_results
    WHERE kind = 'llm' AND status = 'pending'
    UNION ALL
    SELECT call_id, reason
    FROM llm_judgements
    WHERE status = 'pending'
)

SELECT
    c.call_id,
    c.started_at,
    list(DISTINCT p.reason ORDER BY p.reason) AS reasons
FROM pending AS p
INNER JOIN calls AS c USING (call_id)
WHERE c.transcript_final
  AND ($since::TIMESTAMPTZ IS NULL OR c.started_at >= $since::TIMESTAMPTZ)
GROUP BY c.call_id, c.started_at
ORDER BY c.started_at, c.call_id;
