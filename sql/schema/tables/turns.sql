-- One row per turn (segment) of a call's latest transcript, in transcript order (turn_no from 0).
-- Written by the sink, which replaces a call's turns whenever a newer transcript lands; retention
-- purges old ones (purge_turns_before). Read by the call page (access_call_turns), the hotspots'
-- texts (access_hotspot_texts), re-judging (stored_transcript_turns) and reconcile.
CREATE TABLE turns (
    call_id VARCHAR NOT NULL,
    turn_no INTEGER NOT NULL,
    -- agent | caller | unknown
    speaker VARCHAR NOT NULL,
    -- The stereo channel the turn was heard on; NULL for mono recordings.
    channel INTEGER,
    -- Seconds from the start of the call.
    start_s DOUBLE NOT NULL,
    end_s DOUBLE NOT NULL,
    text VARCHAR NOT NULL,
    -- Word timings from the ASR, probability 0..1; empty when the ASR gave none.
    words STRUCT(start_s DOUBLE, end_s DOUBLE, "text" VARCHAR, probability DOUBLE)[] NOT NULL,
    PRIMARY KEY (call_id, turn_no)
);
