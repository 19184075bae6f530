-- An inspection's check_results are replaced as a whole: drop those of every call the batch inspects.
DELETE FROM check_results
WHERE call_id IN (SELECT call_id FROM sink_batch_inspections);
