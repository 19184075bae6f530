SELECT item_no, item_id, name, kind, status, weight, points, fatal, reason, evidence
FROM check_results
WHERE call_id = $call_id
ORDER BY item_no;
