-- The sink's scratch tables for what it upserts. A polled batch is reduced to one row per call,
-- inspection and alert, plus its dead letters, appended here from Arrow in bulk and written to the real
-- tables with ONE statement per table (sql/internal/batch_*.sql), which also drops the rows a
-- call's new transcript or inspection replaces; they are emptied again before the batch's
-- transaction commits, so they are always empty outside it. They keep no keys: the sink
-- deduplicates a batch before staging it (dead letters: by the statement, first copy wins). (Rows that are only ever appended, such as turns and
-- check results, go from Arrow straight to their tables.) Same column types as their targets,
-- so a value that cannot be stored fails inside the transaction, and the sink isolates the
-- message that carries it.
CREATE TABLE sink_batch_calls (
    call_id VARCHAR NOT NULL,
    centre_id VARCHAR NOT NULL,
    team_id VARCHAR NOT NULL,
    agent_id VARCHAR NOT NULL,
    caller_number VARCHAR,
    started_at TIMESTAMPTZ NOT NULL,
    channel_layout VARCHAR NOT NULL,
    agent_channel INTEGER,
    source_uri VARCHAR,
    -- NULL when the batch writes no transcript for the call (only its metadata).
    transcript_final BOOLEAN,
    transcript_incomplete BOOLEAN,
    duration_s DOUBLE,
    language VARCHAR,
    asr_model VARCHAR,
    asr_processing_s DOUBLE,
    transcribed_at TIMESTAMPTZ
);

CREATE TABLE sink_batch_inspections AS SELECT * FROM inspections WITH NO DATA;

CREATE TABLE sink_batch_alerts AS SELECT * FROM alerts WITH NO DATA;

CREATE TABLE sink_batch_dead_letters (
    -- Position in the batch: the first copy of a dead letter wins.
    seq INTEGER NOT NULL,
    stage VARCHAR NOT NULL,
    call_id VARCHAR,
    reason VARCHAR NOT NULL,
    error_type VARCHAR NOT NULL,
    original_topic VARCHAR,
    original_partition INTEGER,
    original_offset BIGINT,
    original_key VARCHAR,
    source_uri VARCHAR,
    payload BLOB,
    failed_at TIMESTAMPTZ NOT NULL
);
