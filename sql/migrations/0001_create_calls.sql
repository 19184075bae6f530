-- One row per call: what the recorder knew (written from whichever message lands first)
-- plus the summary of its latest transcript. Turns hold the transcript itself.
CREATE TABLE calls (
    call_id VARCHAR PRIMARY KEY,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    caller_number VARCHAR,
    started_at TIMESTAMPTZ NOT NULL,
    channel_layout VARCHAR NOT NULL,
    agent_channel INTEGER,
    source_uri VARCHAR,
    -- NULL until a TranscriptReady for the call has landed.
    transcript_final BOOLEAN,
    transcript_incomplete BOOLEAN,
    duration_s DOUBLE,
    language VARCHAR,
    asr_model VARCHAR,
    asr_processing_s DOUBLE,
    transcribed_at TIMESTAMPTZ
);

CREATE TABLE turns (
    call_id VARCHAR NOT NULL,
    turn_no INTEGER NOT NULL,
    speaker VARCHAR NOT NULL,
    channel INTEGER,
    start_s DOUBLE NOT NULL,
    end_s DOUBLE NOT NULL,
    text VARCHAR NOT NULL,
    words STRUCT(start_s DOUBLE, end_s DOUBLE, text VARCHAR, probability DOUBLE)[] NOT NULL,
    PRIMARY KEY (call_id, turn_no)
);
