-- $turns: a list of structs, one per segment, so a call's transcript is one statement.
INSERT INTO turns (call_id, turn_no, speaker, channel, start_s, end_s, text, words)
SELECT $call_id, t.turn_no, t.speaker, t.channel, t.start_s, t.end_s, t.text, t.words
FROM (SELECT unnest($turns) AS t);
