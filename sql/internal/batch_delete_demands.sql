-- An inspection's demands are replaced as a whole: drop those of every call the batch inspects.
DELETE FROM demands
WHERE call_id IN (SELECT call_id FROM sink_batch_inspections);
