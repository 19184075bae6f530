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
    -- The transcript columns (transcript_final .. silence_share, interruptions, silence_threshold_s)
    -- are NULL until a transcript of the call has landed; transcript_final is false while only a
    -- partial one has.
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
    -- Talk and silence of the transcript: its conversation metrics (hotline/conversation.py, the
    -- one definition), as the ASR carried them or as the sink computed them with the same function
    -- for a transcript that carried none (warehouse/batch.py), so that the reports page need not
    -- read every turn; all NULL for a transcript without turns. turn_count is its number of turns.
    -- Talk time is the union of a party's turns. Silence is a gap in everyone's speech longer than
    -- silence_threshold_s, between the first and the last speech (a shorter gap is a pause, not a
    -- silence); overlap is time where two parties' talk intersects. agent_talk_share is the agent's
    -- share of all parties' talk (NULL when no party was told as agent or caller), silence_share
    -- the silence's share of duration_s (both 0..1).
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
    recording_sha256 VARCHAR,
    -- Added with the talk figures' one definition (migration 0037; NULL on calls stored before it):
    -- how many times a party started speaking over another's running turn, the other going on for
    -- at least half a second; and the threshold (s) the transcript's silences were found over
    -- (asr.silence_threshold_s where the ASR measured them).
    interruptions INTEGER,
    silence_threshold_s DOUBLE
);
