-- How often each scorecard item failed, most frequent first.
WITH scoped AS (
    SELECT r.item_id, r.name, r.fatal
    FROM check_results AS r
    INNER JOIN calls AS c USING (call_id)
    WHERE r.status = 'failed'
      AND ($date_from::DATE IS NULL OR c.started_at::DATE >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR c.started_at::DATE <= $date_to::DATE)
)

SELECT item_id, any_value(name) AS name, bool_or(fatal) AS fatal, count(*) AS failed
FROM scoped
GROUP BY item_id
ORDER BY failed DESC, item_id;
