-- One row per call with turns: its talk and silence figures, as the sink stores them on calls (see
-- tables/calls.sql; defined once, in hotline/conversation.py: read here, never recomputed from the
-- turns); turns is calls.turn_count. No named query reads it: for ad-hoc SQL.
CREATE OR REPLACE VIEW call_metrics AS
SELECT
    call_id,
    turn_count AS turns,
    agent_talk_s,
    caller_talk_s,
    silence_s,
    longest_silence_s,
    overlap_s,
    agent_talk_share,
    silence_share,
    interruptions,
    silence_threshold_s
FROM calls
WHERE turn_count > 0;
