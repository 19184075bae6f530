-- Suggested categories of inspected calls, most frequent first.
WITH scoped AS (
    SELECT coalesce(i.category, '未分类') AS category
    FROM inspections AS i
    INNER JOIN calls AS c USING (call_id)
    WHERE ($date_from::DATE IS NULL OR c.started_at::DATE >= $date_from::DATE)
      AND ($date_to::DATE IS NULL OR c.started_at::DATE <= $date_to::DATE)
)

SELECT category, count(*) AS calls
FROM scoped
GROUP BY category
ORDER BY calls DESC, category;
