SELECT coalesce(transcript_final, false) AS transcript_final
FROM calls
WHERE call_id = $call_id;
