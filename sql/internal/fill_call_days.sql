-- Fill an empty call_days from everything stored, as migration 0025's backfill does: for a
-- warehouse loaded in bulk without the sink (bench/warehouse.py), after the load.
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
    count(*) FILTER (WHERE len(i.defects) = 0 AND NOT i.fatal) AS passed,
    count(*) FILTER (WHERE len(i.defects) > 0 OR i.fatal) AS defective,
    count(*) FILTER (WHERE i.fatal) AS fatal_calls,
    count(*) FILTER (WHERE i.review_state IN ('mandatory_review', 'sample_review')) AS review_queue,
    count(*) FILTER (WHERE i.review_state = 'mandatory_review') AS mandatory_review
FROM inspections AS i
INNER JOIN calls AS c USING (call_id)
GROUP BY ALL
ORDER BY day;
