-- The call list. Every filter is a bound parameter; NULL means "any".
-- The caller's number is masked here so the list never carries a full number.
WITH filtered AS (
    SELECT *
    FROM calls
    WHERE ($date_from::DATE IS NULL OR started_at::DATE >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR started_at::DATE <= $date_to::DATE)
      AND ($team::VARCHAR IS NULL OR team_id = $team::VARCHAR)
      AND ($agent::VARCHAR IS NULL OR agent_id = $agent::VARCHAR)
),

alert_counts AS (
    SELECT call_id, count(*) AS alerts
    FROM alerts
    GROUP BY call_id
),

joined AS (
    SELECT
        f.call_id,
        f.started_at,
        f.team_id,
        f.agent_id,
        masked_number(f.caller_number) AS caller_masked,
        f.duration_s,
        f.transcript_final,
        i.score,
        i.max_score,
        i.fatal,
        coalesce(len(i.defects), 0) AS defects,
        i.category,
        i.review_state,
        coalesce(a.alerts, 0) AS alerts
    FROM filtered AS f
    LEFT JOIN inspections AS i USING (call_id)
    LEFT JOIN alert_counts AS a USING (call_id)
)

SELECT *
FROM joined
WHERE $review_state::VARCHAR IS NULL OR review_state = $review_state::VARCHAR
ORDER BY started_at DESC, call_id
LIMIT coalesce($limit::INTEGER, 500);
