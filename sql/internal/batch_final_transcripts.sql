-- Of these calls ($call_ids: those whose only transcripts in a batch are partial), the ones that
-- already hold a final transcript: their partials are stale and are not written.
SELECT call_id
FROM calls
WHERE transcript_final AND call_id IN (SELECT unnest($call_ids::VARCHAR[]));
