-- An inspection's sentiment_turns are replaced as a whole: drop those of every call the batch inspects.
DELETE FROM sentiment_turns
WHERE call_id IN (SELECT call_id FROM sink_batch_inspections);
