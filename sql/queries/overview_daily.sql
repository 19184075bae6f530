-- Per day of call start: calls landed, inspected, average score, share of scored calls with defects
-- (a call not scored, score NULL, is in neither).
WITH scoped_calls AS (
    SELECT call_id, started_at::DATE AS day
    FROM calls
    WHERE ($date_from::DATE IS NULL OR started_at::DATE >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR started_at::DATE <= $date_to::DATE)
),

joined AS (
    SELECT
        c.day,
        i.call_id IS NOT NULL AS inspected,
        i.score,
        CASE WHEN i.call_id IS NULL OR i.score IS NULL THEN NULL WHEN len(i.defects) > 0 OR i.fatal THEN 1.0 ELSE 0.0 END AS defective
    FROM scoped_calls AS c
    LEFT JOIN inspections AS i USING (call_id)
),

final AS (
    SELECT
        day,
        count(*) AS calls,
        count(*) FILTER (WHERE inspected) AS inspected,
        avg(score) AS avg_score,
        avg(defective) AS defect_share
    FROM joined
    GROUP BY day
)

SELECT day, calls, inspected, avg_score, defect_share
FROM final
ORDER BY day;
