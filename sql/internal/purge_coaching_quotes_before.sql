-- Retention: the coaching examples' copies of the evidence quotes of calls that started before
-- $before go with the checks' own (purge_evidence_quotes_before); where and why stay.
UPDATE coaching_examples
SET quote = NULL
WHERE started_at < $before::TIMESTAMPTZ
  AND quote IS NOT NULL;
