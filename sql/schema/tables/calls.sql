-- One row per call: the recorder's metadata (from the first message about the call to land,
-- refreshed by later ones) plus a summary of its latest transcript; the transcript itself is in
-- turns. Written by the sink (sql/internal/batch_upsert_calls.sql). Read by almost every page: the
-- overview and review lists (through scoped_calls), the call page (access_call), the reports page
-- (access_org_rollup), the hotspots (call_facts), exports and reconcile.
CREATE TABLE calls (
    call_id VARCHAR PRIMARY KEY,
    -- Who took the call, as the recorder knew it: every scope, filter and rollup is keyed by these.
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    -- As the telephony system gave it; lists show it masked (masked_number).
    caller_number VARCHAR,
    started_at TIMESTAMPTZ NOT NULL,
    -- mono | stereo
    channel_layout VARCHAR NOT NULL,
    -- Stereo only: the channel that carries the agent (0 = left, 1 = right).
    agent_channel INTEGER,
    -- Where the recording was read from, when the producer said.
    source_uri VARCHAR,
    -- The transcript columns (transcript_final .. silence_share) are NULL until a transcript of the
    -- call has landed; transcript_final is false while only a partial one has.
    transcript_final BOOLEAN,
    -- The call never ended (its last audio chunk is missing): transcribed from what arrived.
    transcript_incomplete BOOLEAN,
    -- Length of the call in seconds, as transcribed.
    duration_s DOUBLE,
    language VARCHAR,
    asr_model VARCHAR,
    -- Seconds the ASR stage spent on the transcript.
    asr_processing_s DOUBLE,
    transcribed_at TIMESTAMPTZ,
    -- Talk and silence of the transcript, computed by the sink from its turns in order
    -- (warehouse/talk.py) so that the reports page need not read every turn; all NULL for a
    -- transcript without turns. Silence is time covered by no turn, measured from the latest end of
    -- any earlier turn; overlap is time where a turn starts before an earlier one ended.
    -- agent_talk_share is the agent's share of agent plus caller talk, silence_share the silence's
    -- share of duration_s (both 0..1).
    turn_count INTEGER,
    agent_talk_s DOUBLE,
    caller_talk_s DOUBLE,
    silence_s DOUBLE,
    longest_silence_s DOUBLE,
    overlap_s DOUBLE,
    agent_talk_share DOUBLE,
    silence_share DOUBLE,
    -- SHA-256 of the recording the call was first stored from (CallMeta.recording_sha256): the sink
    -- refuses, as a dead letter, a transcript or inspection of a different recording under this
    -- call id (warehouse/identity.py). NULL where the producer named no recording (imported
    -- transcripts).
    recording_sha256 VARCHAR
);
