-- The Beijing days that hold calls or work-order events in a range (NULL = open), for exports.
SELECT DISTINCT day
FROM (
    SELECT started_at::DATE AS day FROM calls
    UNION ALL
    SELECT occurred_at::DATE AS day FROM work_order_events
)
WHERE ($date_from::DATE IS NULL OR day >= $date_from::DATE)
  AND ($date_to::DATE IS NULL OR day <= $date_to::DATE)
ORDER BY day;
