-- Add ($sign = 1) or subtract ($sign = -1) the staged inspections (sink_rollup_inspections) of the
-- calls this batch rewrites to call_days, attributed by the calls row as it stood
-- when staged (rollup_stage_call_inspections): run before the batch's upserts it takes out what the
-- old rows counted, after them it adds what the new ones count (store._shift_rollups).
INSERT INTO call_days
SELECT
    i.day,
    i.centre_id,
    i.team_id,
    i.agent_id,
    coalesce(i.category, '') AS category,
    $sign::BIGINT * count(*) AS inspected,
    $sign::BIGINT * count(i.score) AS scored,
    $sign::BIGINT * coalesce(sum(i.score), 0) AS score_sum,
    $sign::BIGINT * count(i.max_score) AS max_scored,
    $sign::BIGINT * coalesce(sum(i.max_score), 0) AS max_score_sum,
    $sign::BIGINT * count(*) FILTER (WHERE i.score IS NOT NULL AND len(i.defects) = 0 AND NOT i.fatal) AS passed,
    $sign::BIGINT * count(*) FILTER (WHERE i.score IS NOT NULL AND (len(i.defects) > 0 OR i.fatal)) AS defective,
    $sign::BIGINT * count(*) FILTER (WHERE i.fatal) AS fatal_calls,
    $sign::BIGINT * count(*) FILTER (WHERE i.review_state IN ('mandatory_review', 'sample_review')) AS review_queue,
    $sign::BIGINT * count(*) FILTER (WHERE i.review_state = 'mandatory_review') AS mandatory_review,
    $sign::BIGINT * count(i.caller_sentiment) AS sentiment_known,
    $sign::BIGINT * count(*) FILTER (WHERE i.caller_sentiment IN ('dissatisfied', 'angry')) AS negative_caller
FROM sink_rollup_inspections AS i
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
