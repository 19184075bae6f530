-- A call's transcript is replaced as a whole: drop the turns of every call the batch writes a transcript for.
DELETE FROM turns
WHERE call_id IN (SELECT call_id FROM sink_batch_calls WHERE transcript_final IS NOT NULL);
