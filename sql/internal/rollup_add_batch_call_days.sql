-- Add the batch's inspections to call_days, attributed by the batch's own calls
-- rows (see rollup_add_batch_checks). Only for a batch none of whose calls was inspected before
-- (store._write's fast path).
INSERT INTO call_days
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
FROM sink_batch_inspections AS i
INNER JOIN sink_batch_calls AS c USING (call_id)
GROUP BY ALL
ON CONFLICT DO UPDATE SET
    inspected = inspected + excluded.inspected,
    scored = scored + excluded.scored,
    score_sum = score_sum + excluded.score_sum,
    max_scored = max_scored + excluded.max_scored,
    max_score_sum = max_score_sum + excluded.max_score_sum,
    passed = passed + excluded.passed,
    defective = defective + excluded.defective,
    fatal_calls = fatal_calls + excluded.fatal_calls,
    review_queue = review_queue + excluded.review_queue,
    mandatory_review = mandatory_review + excluded.mandatory_review,
    sentiment_known = sentiment_known + excluded.sentiment_known,
    negative_caller = negative_caller + excluded.negative_caller;
