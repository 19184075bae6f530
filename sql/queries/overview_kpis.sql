-- Headline numbers for the overview page. $date_from / $date_to: call start dates, NULL = any.
WITH scoped_calls AS (
    SELECT call_id
    FROM calls
    WHERE ($date_from::DATE IS NULL OR started_at::DATE >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR started_at::DATE <= $date_to::DATE)
),

scoped_inspections AS (
    SELECT i.score, i.max_score, i.fatal, len(i.defects) > 0 AS has_defects
    FROM inspections AS i
    INNER JOIN scoped_calls USING (call_id)
),

scoped_alerts AS (
    SELECT a.call_id
    FROM alerts AS a
    INNER JOIN scoped_calls USING (call_id)
),

scoped_dead_letters AS (
    SELECT dl_key
    FROM dead_letters
    WHERE ($date_from::DATE IS NULL OR failed_at::DATE >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR failed_at::DATE <= $date_to::DATE)
),

final AS (
    SELECT
        (SELECT count(*) FROM scoped_calls) AS calls_landed,
        (SELECT count(*) FROM scoped_inspections) AS calls_inspected,
        (SELECT avg(score) FROM scoped_inspections) AS avg_score,
        (SELECT avg(max_score) FROM scoped_inspections) AS avg_max_score,
        -- Of scored calls: a call not scored (score NULL) is not a failure.
        (SELECT avg(CASE WHEN has_defects OR fatal THEN 1.0 ELSE 0.0 END) FROM scoped_inspections WHERE score IS NOT NULL) AS defect_share,
        (SELECT count(*) FROM scoped_alerts) AS alerts,
        (SELECT count(*) FROM scoped_dead_letters) AS dead_letters
)

SELECT
    calls_landed,
    calls_inspected,
    CASE WHEN calls_landed > 0 THEN calls_inspected / calls_landed END AS coverage,
    avg_score,
    avg_max_score,
    defect_share,
    alerts,
    dead_letters
FROM final;
