-- One Beijing day (of the call's start) of scorecard item results, evidence included.
SELECT r.*
FROM check_results AS r
INNER JOIN calls AS c USING (call_id)
WHERE c.started_at::DATE = $day::DATE
ORDER BY r.call_id, r.item_no;
