-- One call's stored transcript turns with their words, as the inspection saw them: what the
-- re-judge job (warehouse/rejudge.py) rebuilds the transcript from.
SELECT turn_no, speaker, channel, start_s, end_s, text, words
FROM turns
WHERE call_id = $call_id
ORDER BY turn_no;
