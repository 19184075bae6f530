INSERT INTO calls (
    call_id, centre_id, team_id, agent_id, caller_number, started_at, channel_layout, agent_channel, source_uri,
    transcript_final, transcript_incomplete, duration_s, language, asr_model, asr_processing_s, transcribed_at
)
VALUES (
    $call_id, $centre_id, $team_id, $agent_id, $caller_number, $started_at, $channel_layout, $agent_channel, $source_uri,
    $transcript_final, $transcript_incomplete, $duration_s, $language, $asr_model, $asr_processing_s, $transcribed_at
)
ON CONFLICT (call_id) DO UPDATE SET
    centre_id = excluded.centre_id,
    team_id = excluded.team_id,
    agent_id = excluded.agent_id,
    caller_number = excluded.caller_number,
    started_at = excluded.started_at,
    channel_layout = excluded.channel_layout,
    agent_channel = excluded.agent_channel,
    source_uri = excluded.source_uri,
    transcript_final = excluded.transcript_final,
    transcript_incomplete = excluded.transcript_incomplete,
    duration_s = excluded.duration_s,
    language = excluded.language,
    asr_model = excluded.asr_model,
    asr_processing_s = excluded.asr_processing_s,
    transcribed_at = excluded.transcribed_at;
