SELECT turn_no, speaker, channel, start_s, end_s, text
FROM turns
WHERE call_id = $call_id
ORDER BY turn_no;
