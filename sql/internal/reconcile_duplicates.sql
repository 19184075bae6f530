-- Calls stored more than once anywhere: the proof behind "nothing doubled". Primary keys should
-- make every row here impossible; turns are also checked for a second copy of a transcript
-- written under shifted turn numbers (more turns than the numbering 0..n-1 allows).
SELECT call_id, 'calls' AS table_name, count(*) AS copies
FROM calls GROUP BY call_id HAVING count(*) > 1
UNION ALL
SELECT call_id, 'turns' AS table_name, count(*) AS copies
FROM turns GROUP BY call_id HAVING count(*) <> count(DISTINCT turn_no) OR count(*) <> max(turn_no) + 1
UNION ALL
SELECT call_id, 'inspections' AS table_name, count(*) AS copies
FROM inspections GROUP BY call_id HAVING count(*) > 1
UNION ALL
SELECT call_id, 'check_results' AS table_name, count(*) AS copies
FROM check_results GROUP BY call_id HAVING count(*) <> count(DISTINCT item_id)
ORDER BY call_id, table_name;
