-- One row per call the batch touched. The recorder's metadata always comes from the batch; the
-- transcript columns only where the batch writes a transcript (transcript_final is then set),
-- so an inspection never clears a transcript summary (nor its talk and silence figures).
-- The recording a call was first stored with stays (recording_sha256): the sink refused every message
-- naming another one before staging (warehouse/identity.py), so only a call stored without one
-- (an older producer) takes it from a later message.
INSERT INTO calls (
    call_id, centre_id, team_id, agent_id, caller_number, started_at, channel_layout, agent_channel, source_uri,
    transcript_final, transcript_incomplete, duration_s, language, asr_model, asr_processing_s, transcribed_at,
    turn_count, agent_talk_s, caller_talk_s, silence_s, longest_silence_s, overlap_s, agent_talk_share, silence_share,
    recording_sha256, interruptions, silence_threshold_s
)
SELECT
    call_id, centre_id, team_id, agent_id, caller_number, started_at, channel_layout, agent_channel, source_uri,
    transcript_final, transcript_incomplete, duration_s, language, asr_model, asr_processing_s, transcribed_at,
    turn_count, agent_talk_s, caller_talk_s, silence_s, longest_silence_s, overlap_s, agent_talk_share, silence_share,
    recording_sha256, interruptions, silence_threshold_s
FROM sink_batch_calls
ON CONFLICT (call_id) DO UPDATE SET
    centre_id = excluded.centre_id,
    team_id = excluded.team_id,
    agent_id = excluded.agent_id,
    caller_number = excluded.caller_number,
    started_at = excluded.started_at,
    channel_layout = excluded.channel_layout,
    agent_channel = excluded.agent_channel,
    source_uri = excluded.source_uri,
    transcript_final = CASE WHEN excluded.transcript_final IS NULL THEN transcript_final ELSE excluded.transcript_final END,
    transcript_incomplete = CASE WHEN excluded.transcript_final IS NULL THEN transcript_incomplete ELSE excluded.transcript_incomplete END,
    duration_s = CASE WHEN excluded.transcript_final IS NULL THEN duration_s ELSE excluded.duration_s END,
    language = CASE WHEN excluded.transcript_final IS NULL THEN language ELSE excluded.language END,
    asr_model = CASE WHEN excluded.transcript_final IS NULL THEN asr_model ELSE excluded.asr_model END,
    asr_processing_s = CASE WHEN excluded.transcript_final IS NULL THEN asr_processing_s ELSE excluded.asr_processing_s END,
    transcribed_at = CASE WHEN excluded.transcript_final IS NULL THEN transcribed_at ELSE excluded.transcribed_at END,
    turn_count = CASE WHEN excluded.transcript_final IS NULL THEN turn_count ELSE excluded.turn_count END,
    agent_talk_s = CASE WHEN excluded.transcript_final IS NULL THEN agent_talk_s ELSE excluded.agent_talk_s END,
    caller_talk_s = CASE WHEN excluded.transcript_final IS NULL THEN caller_talk_s ELSE excluded.caller_talk_s END,
    silence_s = CASE WHEN excluded.transcript_final IS NULL THEN silence_s ELSE excluded.silence_s END,
    longest_silence_s = CASE WHEN excluded.transcript_final IS NULL THEN longest_silence_s ELSE excluded.longest_silence_s END,
    overlap_s = CASE WHEN excluded.transcript_final IS NULL THEN overlap_s ELSE excluded.overlap_s END,
    agent_talk_share = CASE WHEN excluded.transcript_final IS NULL THEN agent_talk_share ELSE excluded.agent_talk_share END,
    silence_share = CASE WHEN excluded.transcript_final IS NULL THEN silence_share ELSE excluded.silence_share END,
    interruptions = CASE WHEN excluded.transcript_final IS NULL THEN interruptions ELSE excluded.interruptions END,
    silence_threshold_s = CASE WHEN excluded.transcript_final IS NULL THEN silence_threshold_s ELSE excluded.silence_threshold_s END,
    recording_sha256 = coalesce(recording_sha256, excluded.recording_sha256);
