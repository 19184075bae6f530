-- One call's stored metadata and transcript summary (full caller number), as the transcript
-- carried them: what the re-judge job (warehouse/rejudge.py) rebuilds the transcript's meta from,
-- beside its turns (stored_transcript_turns). A system read: no user's scope applies.
SELECT
    c.call_id,
    c.centre_id,
    c.team_id,
    c.agent_id,
    c.caller_number,
    c.started_at,
    c.channel_layout,
    c.agent_channel,
    c.source_uri,
    c.transcript_final,
    c.transcript_incomplete,
    c.duration_s,
    c.language,
    c.asr_model,
    c.asr_processing_s,
    c.transcribed_at
FROM calls AS c
WHERE c.call_id = $call_id;
