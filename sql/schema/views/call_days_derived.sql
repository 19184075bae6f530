-- call_days as derived from everything stored (the rows the sink keeps in step): used by
-- sql/internal/fill_call_days.sql after a bulk load that bypassed the sink (backfill, benchmark),
-- and by tests.
CREATE OR REPLACE VIEW call_days_derived AS
SELECT
    timezone('Asia/Shanghai', c.started_at)::DATE AS day,
    c.centre_id,
    c.team_id,
    c.agent_id,
    coalesce(i.category, '') AS category,
    count(*) AS inspected,
    count(i.score) AS scored,
    coalesce(sum(i.score), 0) AS score_sum,
    count(i.max_score) AS max_scored,
    coalesce(sum(i.max_score), 0) AS max_score_sum,
    count(*) FILTER (WHERE i.score IS NOT NULL AND len(i.defects) = 0 AND NOT i.fatal) AS passed,
    count(*) FILTER (WHERE i.score IS NOT NULL AND (len(i.defects) > 0 OR i.fatal)) AS defective,
    count(*) FILTER (WHERE i.fatal) AS fatal_calls,
    count(*) FILTER (WHERE i.review_state IN ('mandatory_review', 'sample_review')) AS review_queue,
    count(*) FILTER (WHERE i.review_state = 'mandatory_review') AS mandatory_review,
    count(i.caller_sentiment) AS sentiment_known,
    count(*) FILTER (WHERE i.caller_sentiment IN ('dissatisfied', 'angry')) AS negative_caller
FROM inspections AS i
INNER JOIN calls AS c USING (call_id)
GROUP BY ALL;
