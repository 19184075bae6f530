-- Every message some stage could not process, the sink's own included: the end of the line. Written
-- by the sink (batch_insert_dead_letters.sql; the first copy wins). Read by the overview
-- (access_dead_letters, access_kpis), the status command and reconcile (accounting,
-- reconcile_refused_recordings).
CREATE TABLE dead_letters (
    -- Where the message sat in Kafka (topic:partition:offset), or stage:call_id:source_uri for what
    -- never entered Kafka; a replayed dead letter lands on the same row.
    dl_key VARCHAR PRIMARY KEY,
    -- ingest | asr | inspection | sink
    stage VARCHAR NOT NULL,
    call_id VARCHAR,
    reason VARCHAR NOT NULL,
    error_type VARCHAR NOT NULL,
    original_topic VARCHAR,
    original_partition INTEGER,
    original_offset BIGINT,
    original_key VARCHAR,
    source_uri VARCHAR,
    -- The original message (bounded), to replay it once the cause is fixed.
    payload BLOB,
    failed_at TIMESTAMPTZ NOT NULL,
    -- The recording refused, where the stage named one (e.g. a second recording under a stored call
    -- id).
    recording_sha256 VARCHAR
);
