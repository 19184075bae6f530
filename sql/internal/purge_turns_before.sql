-- Retention: drop the transcripts (turns, with their words) of calls that started before $before.
-- The call row, its scores and its work orders stay: statistics outlive the words.
DELETE FROM turns
WHERE call_id IN (SELECT call_id FROM calls WHERE started_at < $before::TIMESTAMPTZ);
