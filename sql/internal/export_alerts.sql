-- One Beijing day (of the call's start) of alerts.
SELECT a.*
FROM alerts AS a
INNER JOIN calls AS c USING (call_id)
WHERE c.started_at::DATE = $day::DATE
ORDER BY a.call_id, a.start_s;
