-- An inspection's llm_judgements are replaced as a whole: drop those of every call the batch inspects.
DELETE FROM llm_judgements
WHERE call_id IN (SELECT call_id FROM sink_batch_inspections);
