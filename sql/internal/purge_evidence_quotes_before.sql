-- Retention: the quotes of a check's evidence are the caller's and agent's words; the evidence
-- keeps where they were (speaker, times, verified) and the check its verdict.
UPDATE check_results
SET evidence = list_transform(
    evidence,
    lambda e: struct_pack(quote := NULL::VARCHAR, speaker := e.speaker, start_s := e.start_s, end_s := e.end_s, verified := e.verified)
)
WHERE call_id IN (SELECT call_id FROM calls WHERE started_at < $before::TIMESTAMPTZ)
  AND list_bool_or(list_transform(evidence, lambda e: e.quote IS NOT NULL));
