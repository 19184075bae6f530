-- call_days' one definition: the rows of the inspected calls in the relation named `inspected`
-- (inspected_calls, or the sink's sink_inspected_calls: same columns), one per agent-day and
-- category. inspections.category is '' where it has none (a key cannot be NULL).
CREATE OR REPLACE MACRO call_days_of(inspected) AS TABLE
SELECT
    day,
    centre_id,
    team_id,
    agent_id,
    coalesce(category, '') AS category,
    count(*) AS inspected,
    count(score) AS scored,
    coalesce(sum(score), 0) AS score_sum,
    count(max_score) AS max_scored,
    coalesce(sum(max_score), 0) AS max_score_sum,
    count(*) FILTER (WHERE score IS NOT NULL AND len(defects) = 0 AND NOT fatal) AS passed,
    count(*) FILTER (WHERE score IS NOT NULL AND (len(defects) > 0 OR fatal)) AS defective,
    count(*) FILTER (WHERE fatal) AS fatal_calls,
    count(*) FILTER (WHERE review_state IN ('mandatory_review', 'sample_review')) AS review_queue,
    count(*) FILTER (WHERE review_state = 'mandatory_review') AS mandatory_review,
    count(caller_sentiment) AS sentiment_known,
    count(*) FILTER (WHERE caller_sentiment IN ('dissatisfied', 'angry')) AS negative_caller
FROM query_table(inspected)
GROUP BY ALL;
